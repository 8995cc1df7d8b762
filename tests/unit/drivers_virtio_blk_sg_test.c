/*
 * sdk/drivers/virtio: virtio_blk_submit_sg, requests whose data is the
 * caller's pages (drivers_blk_fixture.h plays the device).  Every
 * malformed segment list refused with nothing queued; the chain through
 * the slot's indirect table, adjacent segments merged; direct chains and a
 * full ring without INDIRECT_DESC; 32 long requests in flight on a small
 * queue; completions checked as for the slot path.
 */
#include "ktest.h"
#include "drivers_blk_fixture.h"
#include "../../sdk/drivers/virtio/virtio_blk_sg.c"

#define PAGES 64u

static uint8_t *pages;                   /* the caller's: PAGES of them */
static uint64_t pages_maddr;

/* The device up, and PAGES contiguous pages of "guest" memory. */
static void up_sg(uint32_t features)
{
    if (up(features, 512) || vpci_dma_alloc(PAGES, (void **)&pages, &pages_maddr))
        abort();
    for (unsigned i = 0; i < DISK_SECTORS * 512; i++)
        disk[i] = (uint8_t)(i * 7 + i / 512);
}

static struct virtio_blk_seg seg(unsigned page, unsigned off, uint32_t len)
{
    return (struct virtio_blk_seg){ pages_maddr + page * 4096ull + off, len };
}

static int submit_sg(unsigned op, uint64_t sector, uint32_t bytes, uint64_t tag,
                     const struct virtio_blk_seg *g, unsigned n)
{
    int s = virtio_blk_slot_get(blk);
    if (s < 0)
        return s;
    struct virtio_blk_request r = { .op = op, .sector = sector, .bytes = bytes, .tag = tag };
    int rc = virtio_blk_submit_sg(blk, (unsigned)s, &r, g, n);
    if (rc)
        virtio_blk_slot_put(blk, (unsigned)s);
    return rc ? rc : s;
}

/* The device told, it serves the next chain (serve), the driver polls:
 * how many completions. */
static int served(uint8_t st, int len_delta)
{
    virtio_blk_kick(blk);
    serve(st, len_delta);
    return virtio_blk_poll(blk);
}

/* n segments of 512 bytes, each on a page of its own (none adjacent). */
static void scattered(struct virtio_blk_seg *g, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        g[k] = seg(2 * k, 512 * (k % 8), 512);
}

KTEST(malformed_segment_lists_are_refused)
{
    struct virtio_blk_seg g[VIRTIO_BLK_SEGS_MAX + 1];
    struct virtio_blk_counters c;

    up_sg(VIRTIO_RING_F_INDIRECT_DESC);
    struct virtio_blk_seg ok = seg(0, 0, 4096);
    scattered(g, VIRTIO_BLK_SEGS_MAX + 1);
    uint16_t free_before = vq_num_free(&blk->q);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, 0, 4096, 1, g, 0), -KEEL_EINVAL);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, 0, 512 * 17, 1, g, 17), -KEEL_EINVAL);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_FLUSH, 0, 0, 1, &ok, 1), -KEEL_EINVAL);
    struct { struct virtio_blk_seg g[2]; uint32_t bytes; } bad[] = {
        { { ok, seg(1, 0, 0) }, 4096 },             /* empty */
        { { seg(0, 0, 700), seg(1, 0, 324) }, 1024 },   /* not whole sectors */
        { { ok, seg(1, 256, 512) }, 4608 },         /* not sector aligned */
        { { ok, seg(1, 3584, 1024) }, 5120 },       /* crosses a page */
        { { ok, seg(1, 0, 8192) }, 12288 },         /* more than a page */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT_EQ(submit_sg(VIRTIO_BLK_WRITE, 0, bad[i].bytes, 1, bad[i].g, 2),
                  -KEEL_EINVAL);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, 0, 8192, 1, &ok, 1), -KEEL_EINVAL);  /* short */
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, 0, 2048, 1, &ok, 1), -KEEL_EINVAL);  /* long */
    /* and the request itself, as virtio_blk_submit checks it */
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, DISK_SECTORS - 4, 4096, 1, &ok, 1), -KEEL_EINVAL);
    EXPECT_EQ(submit_sg(9, 0, 4096, 1, &ok, 1), -KEEL_EINVAL);
    struct virtio_blk_request r = { .op = VIRTIO_BLK_READ, .bytes = 4096, .tag = 1 };
    EXPECT_EQ(virtio_blk_submit_sg(blk, 5, &r, &ok, 1), -KEEL_EINVAL);      /* not held */
    EXPECT_EQ(fake_posted(0), 0);
    EXPECT_EQ(blk->q.avail_idx, 0);
    EXPECT_EQ(vq_num_free(&blk->q), free_before);
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.refused, 3 + 5 + 2 + 3);
    EXPECT_EQ(c.reads + c.writes + c.flushes, 0);
    EXPECT_EQ(up(VIRTIO_BLK_F_RO, 512), 0);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_WRITE, 0, 4096, 1, &ok, 1), -KEEL_EROFS);
    EXPECT_EQ(fake_posted(0), 0);
}

/* Two adjacent pages and two pieces elsewhere: header, three data
 * descriptors, status, in the slot's table; one ring descriptor. */
KTEST(indirect_chain_merges_adjacent_pages)
{
    struct virtio_blk_counters c;

    up_sg(VIRTIO_RING_F_INDIRECT_DESC | VIRTIO_BLK_F_FLUSH);
    struct virtio_blk_seg g[4] = { seg(4, 0, 4096), seg(5, 0, 4096),
                                   seg(9, 0, 1024), seg(11, 512, 512) };
    uint16_t free_before = vq_num_free(&blk->q);
    int s = submit_sg(VIRTIO_BLK_READ, 40, 9728, 77, g, 4);
    EXPECT(s >= 0);
    EXPECT_EQ(vq_num_free(&blk->q), free_before - 1);
    struct virtqueue dq = fake_ring(0);
    struct vring_desc *h = &dq.desc[dq.avail->ring[0]], t[VQ_SEGS_MAX];
    EXPECT_EQ(h->flags, VRING_DESC_F_INDIRECT);
    EXPECT_EQ(h->addr, blk->tables_maddr + (uint64_t)s * VBLK_SG_DESC_MAX * 16);
    EXPECT_EQ(h->len, 5 * 16);
    EXPECT_EQ(fake_chain(&dq, dq.avail->ring[0], t), 5);
    EXPECT_EQ(t[0].addr, blk->meta_maddr + (uint64_t)s * VBLK_META_STRIDE);
    EXPECT_EQ(t[0].flags, VRING_DESC_F_NEXT);
    EXPECT_EQ(t[1].addr, g[0].maddr);
    EXPECT_EQ(t[1].len, 8192);                        /* pages 4 and 5 as one */
    EXPECT_EQ(t[1].flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
    EXPECT_EQ(t[2].addr, g[2].maddr);
    EXPECT_EQ(t[3].addr, g[3].maddr);
    EXPECT_EQ(t[3].len, 512);
    EXPECT_EQ(t[4].addr, t[0].addr + VBLK_STATUS_AT);
    EXPECT_EQ(t[4].flags, VRING_DESC_F_WRITE);
    virtio_blk_kick(blk);
    EXPECT(serve(VIRTIO_BLK_S_OK, 0) >= 0);
    EXPECT_EQ(virtio_blk_event(blk), 1);
    EXPECT_EQ(last_status, 0);
    EXPECT_EQ(last_tag, 77);
    EXPECT(!memcmp(pages + 4 * 4096, disk + 40 * 512, 8192));
    EXPECT(!memcmp(pages + 9 * 4096, disk + 56 * 512, 1024));
    EXPECT(!memcmp(pages + 11 * 4096 + 512, disk + 58 * 512, 512));
    /* a flush through the sg path: header and status only */
    EXPECT(submit_sg(VIRTIO_BLK_FLUSH, 0, 0, 78, NULL, 0) >= 0);
    virtio_blk_kick(blk);
    EXPECT_EQ(fake_chain(&dq, dq.avail->ring[1], t), 2);
    serve(VIRTIO_BLK_S_OK, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_tag, 78);
    EXPECT_EQ(last_status, 0);
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.reads, 1);
    EXPECT_EQ(c.bytes_read, 9728);
    EXPECT_EQ(c.flushes, 1);
}

/* Without INDIRECT_DESC the chain is in the ring; a write lands on the
 * disk and reads back the same through a slot. */
KTEST(direct_chain_without_indirect)
{
    up_sg(0);
    struct virtio_blk_seg g[3] = { seg(1, 0, 2048), seg(3, 1024, 1024), seg(7, 0, 512) };
    memset(pages + 4096, 0x5a, 2048);
    memset(pages + 3 * 4096 + 1024, 0xa5, 1024);
    memset(pages + 7 * 4096, 0x3c, 512);
    uint16_t free_before = vq_num_free(&blk->q);
    EXPECT(submit_sg(VIRTIO_BLK_WRITE, 100, 3584, 5, g, 3) >= 0);
    EXPECT_EQ(vq_num_free(&blk->q), free_before - 5);
    struct virtqueue dq = fake_ring(0);
    struct vring_desc t[VQ_SEGS_MAX];
    EXPECT_EQ(dq.desc[dq.avail->ring[0]].flags, VRING_DESC_F_NEXT);
    EXPECT_EQ(fake_chain(&dq, dq.avail->ring[0], t), 5);
    EXPECT_EQ(t[1].addr, g[0].maddr);
    EXPECT_EQ(t[1].flags, VRING_DESC_F_NEXT);          /* the device reads */
    EXPECT_EQ(t[2].len, 1024);
    EXPECT_EQ(served(VIRTIO_BLK_S_OK, 0), 1);
    EXPECT_EQ(last_status, 0);
    EXPECT_EQ(vq_num_free(&blk->q), free_before);
    int s = submit(VIRTIO_BLK_READ, 100, 3584, 6);
    EXPECT_EQ(served(VIRTIO_BLK_S_OK, 0), 1);
    const uint8_t *d = virtio_blk_slot_data(blk, (unsigned)s);
    EXPECT(!memcmp(d, pages + 4096, 2048));
    EXPECT(!memcmp(d + 2048, pages + 3 * 4096 + 1024, 1024));
    EXPECT(!memcmp(d + 3072, pages + 7 * 4096, 512));
}

/* 256 descriptors hold 14 chains of 18: the 15th waits for a completion;
 * a queue shorter than one chain refuses it for good. */
KTEST(a_full_ring_is_enospc_without_indirect)
{
    struct virtio_blk_seg g[VIRTIO_BLK_SEGS_MAX];
    struct virtio_blk_counters c;

    up_sg(0);
    scattered(g, VIRTIO_BLK_SEGS_MAX);
    for (unsigned i = 0; i < 14; i++)
        EXPECT(submit_sg(VIRTIO_BLK_READ, 16 * i, 8192, i, g, VIRTIO_BLK_SEGS_MAX) >= 0);
    EXPECT_EQ(vq_num_free(&blk->q), 256 - 14 * 18);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, 0, 8192, 99, g, VIRTIO_BLK_SEGS_MAX), -KEEL_ENOSPC);
    EXPECT_EQ(blk->q.avail_idx, 14);
    EXPECT(submit(VIRTIO_BLK_READ, 0, 512, 98) >= 0);   /* 3 still fit */
    EXPECT_EQ(served(VIRTIO_BLK_S_OK, 0), 1);
    EXPECT(submit_sg(VIRTIO_BLK_READ, 0, 8192, 99, g, VIRTIO_BLK_SEGS_MAX) >= 0);
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.reads, 16);
    EXPECT_EQ(c.refused, 0);
    up_qsize = 16;
    up_sg(0);
    up_qsize = 256;
    scattered(g, VIRTIO_BLK_SEGS_MAX);
    EXPECT_EQ(submit_sg(VIRTIO_BLK_READ, 0, 8192, 1, g, VIRTIO_BLK_SEGS_MAX), -KEEL_E2BIG);
    EXPECT_EQ(fake_posted(0), 0);
}

/* With INDIRECT_DESC every slot carries an 18-descriptor chain at once,
 * on a queue of 64 descriptors; each read lands where it should. */
KTEST(thirty_two_long_chains_on_a_small_queue)
{
    struct virtio_blk_seg g[VIRTIO_BLK_SEGS_MAX];

    up_qsize = 64;
    up_sg(VIRTIO_RING_F_INDIRECT_DESC);
    up_qsize = 256;
    scattered(g, VIRTIO_BLK_SEGS_MAX);
    for (unsigned i = 0; i < VIRTIO_BLK_SLOTS; i++)
        EXPECT(submit_sg(VIRTIO_BLK_READ, 16 * i, 8192, i, g, VIRTIO_BLK_SEGS_MAX) >= 0);
    EXPECT_EQ(vq_num_free(&blk->q), 64 - VIRTIO_BLK_SLOTS);
    virtio_blk_kick(blk);
    for (unsigned i = 0; i < VIRTIO_BLK_SLOTS; i++) {
        EXPECT(serve(VIRTIO_BLK_S_OK, 0) >= 0);
        EXPECT_EQ(virtio_blk_poll(blk), 1);
        EXPECT_EQ(last_tag, i);
        for (unsigned k = 0; k < VIRTIO_BLK_SEGS_MAX; k++)
            EXPECT(!memcmp(fake_va(g[k].maddr), disk + (16 * i + k) * 512, 512));
    }
    EXPECT_EQ(vq_num_free(&blk->q), 64);
}

/* The device's answer to an sg read is checked like a slot read's. */
KTEST(sg_completions_are_checked)
{
    struct virtio_blk_counters c;

    up_sg(VIRTIO_RING_F_INDIRECT_DESC);
    struct virtio_blk_seg g[2] = { seg(0, 0, 4096), seg(2, 0, 4096) };
    EXPECT(submit_sg(VIRTIO_BLK_READ, 0, 8192, 1, g, 2) >= 0);
    virtio_blk_kick(blk);
    int head = serve(VIRTIO_BLK_S_OK, -1);            /* the status byte not counted */
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, -KEEL_EIO);
    fake_use(0, head, 8193);                          /* the same head again */
    EXPECT_EQ(virtio_blk_poll(blk), 0);
    EXPECT(submit_sg(VIRTIO_BLK_READ, 0, 8192, 2, g, 2) >= 0);
    EXPECT_EQ(served(VBLK_STATUS_UNSET, 0), 1);      /* no status written */
    EXPECT_EQ(last_status, -KEEL_EIO);
    EXPECT(submit_sg(VIRTIO_BLK_READ, 0, 8192, 3, g, 2) >= 0);
    EXPECT_EQ(served(VIRTIO_BLK_S_OK, 0), 1);
    EXPECT_EQ(last_status, 0);
    EXPECT_EQ(last_tag, 3);
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.device_errors, 3);
    EXPECT_EQ(c.io_errors, 2);
}

KTEST_MAIN(KTEST_CASE(malformed_segment_lists_are_refused),
           KTEST_CASE(indirect_chain_merges_adjacent_pages),
           KTEST_CASE(direct_chain_without_indirect),
           KTEST_CASE(a_full_ring_is_enospc_without_indirect),
           KTEST_CASE(thirty_two_long_chains_on_a_small_queue),
           KTEST_CASE(sg_completions_are_checked))

/*
 * The virtio-blk driver's host tests share this: the driver over a fake
 * legacy device (drivers_fakedev.h) whose disk is disk[], the completion
 * callback, and the device's side of a request chain (serve), direct or
 * through an indirect table.  Include after ktest.h.
 */
#ifndef DRIVERS_BLK_FIXTURE_H
#define DRIVERS_BLK_FIXTURE_H

#include "../../sdk/drivers/virtio/virtqueue.c"
#include "drivers_fakedev.h"
#include "../../sdk/drivers/virtio/virtio_dev.c"
#include "../../sdk/drivers/virtio/virtio_blk.c"
#include "../../sdk/drivers/virtio/virtio_blk_io.c"

#define DISK_SECTORS 2048u

static struct virtio_blk *blk;
static uint8_t disk[DISK_SECTORS * 512];
static unsigned ndone;
static int last_status;
static uint64_t last_tag;

static void on_done(void *ctx, unsigned slot, uint64_t tag, int status)
{
    (void)ctx;
    ndone++;
    last_status = status;
    last_tag = tag;
    virtio_blk_slot_put(blk, slot);
}

static long up_msix = -KEEL_ENODEV;      /* what BIND_MSIX answers */
static uint32_t up_max_discard = 64;     /* max_discard_sectors it offers */
static uint16_t up_qsize = 256;          /* the request queue's size */

static long up(uint32_t features, uint32_t blk_size)
{
    uint64_t cap = DISK_SECTORS;
    uint32_t size_max = 1u << 20;

    fake_reset();
    fd.msix_rc = up_msix;
    fd.qsize[0] = up_qsize;
    fd.host_features = features;
    memcpy(&fd.cfg[VBLK_CFG_CAPACITY], &cap, 8);
    memcpy(&fd.cfg[VBLK_CFG_BLK_SIZE], &blk_size, 4);
    memcpy(&fd.cfg[VBLK_CFG_SIZE_MAX], &size_max, 4);
    uint32_t discard_cfg[3] = { up_max_discard, 1, blk_size / 512 };
    memcpy(&fd.cfg[VBLK_CFG_MAX_DISCARD_SECTORS], discard_cfg, sizeof(discard_cfg));
    ndone = 0;
    blk = NULL;
    uint32_t bdf = 0;
    long rc = virtio_blk_probe(&bdf);
    return rc ? rc : virtio_blk_attach(bdf, on_done, NULL, &blk);
}

/* The descriptors of the chain at head, as the device finds them (through
 * the indirect table when the head names one); how many. */
static unsigned fake_chain(const struct virtqueue *q, uint16_t head,
                           struct vring_desc *out)
{
    const struct vring_desc *tab = q->desc;
    uint16_t i = head;
    unsigned n = 0;

    if (q->desc[head].flags & VRING_DESC_F_INDIRECT) {
        if (q->desc[head].len % sizeof(*tab) || q->desc[head].flags != VRING_DESC_F_INDIRECT)
            abort();
        tab = fake_va(q->desc[head].addr);
        i = 0;
    }
    for (;;) {
        if (n == VQ_SEGS_MAX)
            abort();                    /* a chain longer than any we build */
        out[n++] = tab[i];
        if (!(tab[i].flags & VRING_DESC_F_NEXT))
            return n;
        i = tab[i].next;
    }
}

static struct vblk_discard last_discard;   /* the last DISCARD served */

/* A DISCARD's chain: its range (one, device-read) is zeroed in disk[]
 * as QEMU's discard=unmap punches a hole.  Its used length. */
static uint32_t serve_discard(const struct vring_desc *c, unsigned n)
{
    if (n != 3 || c[1].len != sizeof(last_discard) || (c[1].flags & VRING_DESC_F_WRITE))
        abort();
    memcpy(&last_discard, fake_va(c[1].addr), sizeof(last_discard));
    if (last_discard.sector + last_discard.num_sectors > DISK_SECTORS)
        abort();                        /* the driver's checks let it by */
    memset(disk + last_discard.sector * 512, 0, (size_t)last_discard.num_sectors * 512);
    return 1;
}

/* The device serves the next chain: a request against disk[]; status st
 * (written unless st is VBLK_STATUS_UNSET), used length len_delta added
 * to the honest one.  The head, or -1 if nothing is posted. */
static int serve(uint8_t st, int len_delta)
{
    struct virtqueue q = fake_ring(0);
    struct vring_desc c[VQ_SEGS_MAX];
    struct vblk_hdr hdr;
    uint32_t len = 1;

    if (fd.dev_avail[0] == q.avail->idx)
        return -1;
    uint16_t head = q.avail->ring[fd.dev_avail[0]++ % q.size];
    unsigned n = fake_chain(&q, head, c);
    if (n < 2 || c[0].len != sizeof(hdr) || (c[0].flags & VRING_DESC_F_WRITE) ||
        !(c[n - 1].flags & VRING_DESC_F_WRITE) || c[n - 1].len != 1)
        abort();
    memcpy(&hdr, fake_va(c[0].addr), sizeof(hdr));
    bool discard = hdr.type == VIRTIO_BLK_T_DISCARD;
    if (discard)
        len = serve_discard(c, n);
    uint8_t *at = disk + hdr.sector * 512;
    for (unsigned k = 1; !discard && k + 1 < n; k++) {
        bool in = hdr.type == VIRTIO_BLK_T_IN;
        if (hdr.type == VIRTIO_BLK_T_FLUSH || in != !!(c[k].flags & VRING_DESC_F_WRITE))
            abort();                    /* data the wrong way */
        memcpy(in ? fake_va(c[k].addr) : at, in ? at : fake_va(c[k].addr), c[k].len);
        at += c[k].len;
        len += in ? c[k].len : 0;
    }
    if (st != VBLK_STATUS_UNSET)
        *(uint8_t *)fake_va(c[n - 1].addr) = st;
    fake_use(0, head, (uint32_t)((int)len + len_delta));
    return head;
}

static int submit(unsigned op, uint64_t sector, uint32_t bytes, uint64_t tag)
{
    int s = virtio_blk_slot_get(blk);
    if (s < 0)
        return s;
    struct virtio_blk_request r = { .op = op, .sector = sector, .bytes = bytes, .tag = tag };
    int rc = virtio_blk_submit(blk, (unsigned)s, &r);
    if (rc)
        virtio_blk_slot_put(blk, (unsigned)s);
    return rc ? rc : s;
}

#endif /* DRIVERS_BLK_FIXTURE_H */

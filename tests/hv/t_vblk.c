/*
 * hv-vblk: dom0's virtio-blk driver (sdk/drivers, linked in as it is)
 * against QEMU's virtio-blk-pci on a raw file whose byte o is
 * (o * 7 + o / 512) & 255 (tests/hv/hvtest.mk), zero copy through
 * virtio_blk_submit_sg: the data in DMA pages named by the machine
 * addresses TRANSLATE gives, as blkback names a guest's granted pages.
 * In one run:
 *
 *   - QEMU offers INDIRECT_DESC and the driver takes it (the offer and the
 *     queue size are printed for docs/blk.md);
 *   - a malformed segment list (a segment across a page) is refused with
 *     nothing queued, and the requests after it work:
 *   - a read through sg (two adjacent pages merged, a piece elsewhere)
 *     gives the bytes the slot path reads, the file's;
 *   - an sg write lands (the slot path reads it back), an sg flush works;
 *   - all 32 slots on the device at once, each with 16 segments (576
 *     descriptors without indirect tables: more than the queue has), every
 *     byte where it belongs.
 */
#include "t_pci.h"
#include <drivers/virtio_blk.h>
#include "../../sdk/drivers/virtio/virtio_blk_impl.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define PAGES      128u
#define WRITE_AT   1024u      /* sectors the other reads stay clear of */
#define WAIT_NS    (30ull * 1000000000ull)

/* the driver's calloc/free (bring-up only): a small bump pool */
static uint8_t pool[16384] __attribute__((aligned(16)));
static size_t pool_used;

void *malloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (pool_used + n > sizeof(pool))
        return NULL;
    pool_used += n;
    return pool + pool_used - n;
}

void *calloc(size_t n, size_t m)
{
    void *p = malloc(n * m);
    return p ? memset(p, 0, n * m) : NULL;
}

void free(void *p)
{
    (void)p;
}

static struct virtio_blk *b;
static uint8_t *pages;
static uint64_t pages_maddr;
static int status[VIRTIO_BLK_SLOTS];
static unsigned ndone;

static void on_done(void *ctx, unsigned slot, uint64_t tag, int st)
{
    (void)ctx;
    (void)tag;
    status[slot] = st;
    ndone++;
}

/* Kick, then poll until n completions in all (bounded). */
static int wait_done(unsigned n)
{
    uint64_t end = now_ns() + WAIT_NS;

    virtio_blk_kick(b);
    while (ndone < n && now_ns() < end)
        if (!virtio_blk_poll(b))
            hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    return ndone >= n;
}

static uint8_t file_byte(uint64_t o)
{
    return (uint8_t)(o * 7 + o / 512);
}

static int is_file(const uint8_t *p, uint64_t sector, uint32_t bytes)
{
    for (uint32_t i = 0; i < bytes; i++)
        if (p[i] != file_byte(sector * 512 + i))
            return 0;
    return 1;
}

static int same(const uint8_t *a, const uint8_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != c[i])
            return 0;
    return 1;
}

static struct virtio_blk_seg seg(unsigned page, unsigned off, uint32_t len)
{
    return (struct virtio_blk_seg){ pages_maddr + page * 4096ull + off, len };
}

static void bring_up(void)
{
    uint32_t bdf;
    struct virtio_blk_info i;

    CHECK_EQ(virtio_blk_probe(&bdf), 0);
    CHECK_EQ(virtio_blk_attach(bdf, on_done, NULL, &b), 0);
    virtio_blk_info(b, &i);
    outf("# offered %x, agreed %x, queue size %u, %u descriptors used\n",
         vpci_in32(&b->pci, VIRTIO_PCI_HOST_FEATURES), i.features, b->q.size, b->q.ndesc);
    CHECK(i.features & VIRTIO_RING_F_INDIRECT_DESC);
    CHECK(b->tables != NULL);
    CHECK_EQ(i.sectors, 2048);
    struct keel_pci_op op = { .npages = PAGES };
    CHECK_EQ(pciop(KEEL_PCIOP_DMA_ALLOC, &op), 0);
    pages = (uint8_t *)op.va;
    struct keel_pci_op t = { .va = op.va };
    CHECK_EQ(pciop(KEEL_PCIOP_TRANSLATE, &t), 0);
    CHECK(t.contig >= PAGES * 4096ull);
    pages_maddr = t.maddr;
}

/* Slot s, a request through sg; 0 or -KEEL_E*. */
static int sg(unsigned s, unsigned op, uint64_t sector, uint32_t bytes,
              const struct virtio_blk_seg *g, unsigned n)
{
    struct virtio_blk_request r = { .op = op, .sector = sector, .bytes = bytes, .tag = s };
    return virtio_blk_submit_sg(b, s, &r, g, n);
}

static void read_through_both_paths(void)
{
    struct virtio_blk_seg bad[2] = { seg(0, 0, 4096), seg(6, 3584, 1024) };
    struct virtio_blk_seg g[3] = { seg(0, 0, 4096), seg(1, 0, 2048), seg(5, 1024, 2048) };
    struct virtio_blk_request r = { .op = VIRTIO_BLK_READ, .sector = 8, .bytes = 8192 };
    struct virtio_blk_counters c;
    int s = virtio_blk_slot_get(b);

    CHECK_EQ(s, 0);
    CHECK_EQ(sg(0, VIRTIO_BLK_READ, 8, 5120, bad, 2), -KEEL_EINVAL);
    CHECK_EQ(b->q.avail_idx, 0);                      /* nothing queued */
    CHECK_EQ(virtio_blk_submit(b, 0, &r), 0);
    CHECK(wait_done(1));
    CHECK_EQ(status[0], 0);
    const uint8_t *slot = virtio_blk_slot_data(b, 0);
    CHECK(is_file(slot, 8, 8192));
    CHECK_EQ(sg(0, VIRTIO_BLK_READ, 8, 8192, g, 3), 0);
    CHECK(wait_done(2));
    CHECK_EQ(status[0], 0);
    CHECK(same(pages, slot, 6144));
    CHECK(same(pages + 5 * 4096 + 1024, slot + 6144, 2048));
    virtio_blk_counters(b, &c);
    CHECK_EQ(c.refused, 1);
}

static void write_flush_read_back(void)
{
    struct virtio_blk_seg g[2] = { seg(10, 0, 2048), seg(12, 2048, 2048) };
    struct virtio_blk_request r = { .op = VIRTIO_BLK_READ, .sector = WRITE_AT, .bytes = 4096 };

    for (unsigned i = 0; i < 2048; i++) {
        pages[10 * 4096 + i] = (uint8_t)(0xc3 ^ i);
        pages[12 * 4096 + 2048 + i] = (uint8_t)(0x3c ^ i);
    }
    CHECK_EQ(sg(0, VIRTIO_BLK_WRITE, WRITE_AT, 4096, g, 2), 0);
    CHECK(wait_done(3));
    CHECK_EQ(status[0], 0);
    CHECK_EQ(sg(0, VIRTIO_BLK_FLUSH, 0, 0, NULL, 0), 0);
    CHECK(wait_done(4));
    CHECK_EQ(status[0], 0);
    CHECK_EQ(virtio_blk_submit(b, 0, &r), 0);
    CHECK(wait_done(5));
    const uint8_t *slot = virtio_blk_slot_data(b, 0);
    CHECK(same(slot, pages + 10 * 4096, 2048));
    CHECK(same(slot + 2048, pages + 12 * 4096 + 2048, 2048));
    virtio_blk_slot_put(b, 0);
}

/* Slot i's segment k: pages alternate, so no two are adjacent. */
static struct virtio_blk_seg spread(unsigned i, unsigned k)
{
    return seg(16 + 2 * i + (k & 1), (k >> 1) * 512, 512);
}

static void all_slots_with_long_chains(void)
{
    struct virtio_blk_seg g[VIRTIO_BLK_SEGS_MAX];
    unsigned accepted = 0, good = 0;

    for (unsigned i = 0; i < VIRTIO_BLK_SLOTS; i++) {
        CHECK_EQ(virtio_blk_slot_get(b), (int)i);
        for (unsigned k = 0; k < VIRTIO_BLK_SEGS_MAX; k++)
            g[k] = spread(i, k);
        status[i] = 1;
        accepted += sg(i, VIRTIO_BLK_READ, 16 * i, 8192, g, VIRTIO_BLK_SEGS_MAX) == 0;
    }
    CHECK_EQ(accepted, VIRTIO_BLK_SLOTS);
    CHECK(wait_done(5 + VIRTIO_BLK_SLOTS));
    for (unsigned i = 0; i < VIRTIO_BLK_SLOTS; i++) {
        int ok = status[i] == 0;
        for (unsigned k = 0; k < VIRTIO_BLK_SEGS_MAX; k++)
            ok &= is_file(pages + (spread(i, k).maddr - pages_maddr), 16 * i + k, 512);
        good += ok;
        virtio_blk_slot_put(b, i);
    }
    CHECK_EQ(good, VIRTIO_BLK_SLOTS);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    struct virtio_blk_counters c;

    (void)si;
    (void)entry_rsp;
    ktap_begin("hv-vblk");
    bring_up();
    if (b && pages) {
        read_through_both_paths();
        write_flush_read_back();
        all_slots_with_long_chains();
        virtio_blk_counters(b, &c);
        CHECK_EQ(c.device_errors, 0);
        CHECK_EQ(c.io_errors, 0);
    }
    ktap_end_poweroff();
}

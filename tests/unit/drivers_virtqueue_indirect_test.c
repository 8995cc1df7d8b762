/*
 * sdk/drivers/virtio/virtqueue.c: indirect descriptors (vq_add_indirect)
 * and long chains.  An indirect buffer costs the ring one descriptor, its
 * table holds the chain; a pop frees exactly what the add took, however
 * long the chain and whatever its flags say by then; a used entry naming
 * an indirect head not in flight is still refused.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../sdk/drivers/virtio/virtqueue.c"

#define QSIZE 8
#define TABLE_MADDR 0x7000000ull

static _Alignas(4096) uint8_t mem[4 * 4096];
static uint8_t in_flight[256];
static struct vring_desc tables[QSIZE + 1][VQ_SEGS_MAX];
static struct vq_seg segs[VQ_SEGS_MAX + 1];
static struct virtqueue q;

static void setup(uint16_t size)
{
    memset(mem, 0, sizeof(mem));
    memset(tables, 0, sizeof(tables));
    if (vq_init(&q, mem, in_flight, size, size))
        abort();
    for (unsigned k = 0; k <= VQ_SEGS_MAX; k++)
        segs[k] = (struct vq_seg){ 0x100000u + 0x1000u * k, 512u * (k + 1), k > 0 };
}

static int add_ind(unsigned t, unsigned n)
{
    return vq_add_indirect(&q, tables[t], TABLE_MADDR + t * sizeof(tables[0]), segs, n);
}

static void dev_use(uint32_t id, uint32_t len)
{
    q.used->ring[q.used->idx % q.size] = (struct vring_used_elem){ id, len };
    q.used->idx++;
}

KTEST(indirect_takes_one_ring_descriptor)
{
    setup(QSIZE);
    for (unsigned t = 0; t < QSIZE; t++) {
        int h = add_ind(t, VQ_SEGS_MAX);
        EXPECT(h >= 0);
        EXPECT_EQ(q.desc[h].flags, VRING_DESC_F_INDIRECT);
        EXPECT_EQ(q.desc[h].addr, TABLE_MADDR + t * sizeof(tables[0]));
        EXPECT_EQ(q.desc[h].len, VQ_SEGS_MAX * 16);
        EXPECT_EQ(q.avail->ring[t], h);
    }
    EXPECT_EQ(vq_num_free(&q), 0);
    EXPECT_EQ(add_ind(QSIZE, 1), VQ_FULL);          /* no ring descriptor left */
    EXPECT_EQ(q.avail_idx, QSIZE);
    /* the table is the chain: addresses, lengths, directions, links */
    struct vring_desc *t = tables[3];
    for (unsigned k = 0; k < VQ_SEGS_MAX; k++) {
        EXPECT_EQ(t[k].addr, segs[k].addr);
        EXPECT_EQ(t[k].len, segs[k].len);
        EXPECT_EQ(t[k].flags, (k ? VRING_DESC_F_WRITE : 0) |
                              (k + 1 < VQ_SEGS_MAX ? VRING_DESC_F_NEXT : 0));
        if (k + 1 < VQ_SEGS_MAX)
            EXPECT_EQ(t[k].next, k + 1);
    }
}

KTEST(bad_indirect_adds_change_nothing)
{
    setup(QSIZE);
    EXPECT_EQ(add_ind(0, 0), VQ_FULL);
    EXPECT_EQ(add_ind(0, VQ_SEGS_MAX + 1), VQ_FULL);
    EXPECT_EQ(vq_add(&q, segs, VQ_SEGS_MAX + 1), VQ_FULL);
    EXPECT_EQ(vq_num_free(&q), QSIZE);
    EXPECT_EQ(q.avail_idx, 0);
    EXPECT_EQ(tables[0][0].len, 0);                 /* the table untouched */
}

/* A direct chain of VQ_SEGS_MAX comes back whole, even if its flags no
 * longer say how long it was; indirect and direct mixed, out of order. */
KTEST(pop_frees_what_add_took)
{
    uint32_t len;

    setup(32);
    int long_head = vq_add(&q, segs, VQ_SEGS_MAX);
    int ind = add_ind(0, 5);
    int two = vq_add(&q, segs, 2);
    EXPECT_EQ(vq_num_free(&q), 32 - VQ_SEGS_MAX - 1 - 2);
    vq_publish(&q);
    q.desc[long_head].flags = 0;                    /* the chain's flags lie */
    dev_use((uint32_t)ind, 7);
    dev_use((uint32_t)long_head, 8);
    EXPECT_EQ(vq_pop(&q, &len), ind);
    EXPECT_EQ(len, 7);
    EXPECT_EQ(vq_num_free(&q), 32 - VQ_SEGS_MAX - 2);
    EXPECT_EQ(vq_pop(&q, &len), long_head);
    EXPECT_EQ(vq_num_free(&q), 30);
    dev_use((uint32_t)ind, 9);                      /* popped already */
    dev_use((uint32_t)two, 1);
    EXPECT_EQ(vq_pop(&q, &len), VQ_BROKEN);
    EXPECT_EQ(vq_pop(&q, &len), two);
    EXPECT_EQ(vq_num_free(&q), 32);
    for (unsigned i = 0; i < 32; i++)               /* the free list is whole */
        EXPECT(add_ind(i % QSIZE, 1) >= 0);
    EXPECT_EQ(add_ind(0, 1), VQ_FULL);
}

KTEST_MAIN(KTEST_CASE(indirect_takes_one_ring_descriptor),
           KTEST_CASE(bad_indirect_adds_change_nothing),
           KTEST_CASE(pop_frees_what_add_took))

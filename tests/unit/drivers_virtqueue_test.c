/*
 * sdk/drivers/virtio/virtqueue.c: the driver's half of a split virtqueue
 * against a fake device that takes buffers from the avail ring and gives
 * them back through the used ring, in any order.  Full queues, chains,
 * reclaim and reuse, the 16-bit indices wrapping, the notify decision, and
 * a confused device that names buffers it was never given.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../sdk/drivers/virtio/virtqueue.c"

#define QSIZE 8

static _Alignas(4096) uint8_t mem[4 * 4096];
static uint8_t in_flight[256];
static struct virtqueue q;
static uint16_t dev_avail;          /* the fake device's next avail entry */

static void setup(uint16_t size, uint16_t ndesc, uint16_t start_idx)
{
    memset(mem, 0, sizeof(mem));
    memset(in_flight, 0xee, sizeof(in_flight));
    if (vq_init(&q, mem, in_flight, size, ndesc))
        abort();
    q.avail_idx = q.kicked_idx = q.last_used = start_idx;
    q.avail->idx = q.used->idx = start_idx;
    dev_avail = start_idx;
}

/* The device takes the next published buffer: its head, and how many
 * descriptors it chains (-1: none published). */
static int dev_take(unsigned *nsegs)
{
    if (dev_avail == q.avail->idx)
        return -1;
    uint16_t head = q.avail->ring[dev_avail++ % q.size], i = head;
    *nsegs = 1;
    while (q.desc[i].flags & VRING_DESC_F_NEXT) {
        i = q.desc[i].next;
        ++*nsegs;
    }
    return head;
}

static void dev_use(uint32_t id, uint32_t len)
{
    q.used->ring[q.used->idx % q.size] = (struct vring_used_elem){ id, len };
    q.used->idx++;
}

static int add1(uint64_t addr)
{
    struct vq_seg s = { addr, 100, false };
    return vq_add(&q, &s, 1);
}

KTEST(layout_and_init)
{
    EXPECT_EQ(vq_bytes(256), 3 * 4096);          /* QEMU's default queue */
    EXPECT_EQ(vq_bytes(8), 2 * 4096);
    EXPECT_EQ(vq_bytes(1024), 8 * 4096);
    setup(256, 256, 0);
    EXPECT_EQ((uint8_t *)q.avail - mem, 256 * 16);
    EXPECT_EQ((uint8_t *)q.used - mem, 2 * 4096);
    EXPECT_EQ(vq_init(&q, mem, in_flight, 0, 1), -1);
    EXPECT_EQ(vq_init(&q, mem, in_flight, 12, 12), -1);   /* not a power of two */
    EXPECT_EQ(vq_init(&q, mem, in_flight, 8, 0), -1);
    EXPECT_EQ(vq_init(&q, mem, in_flight, 8, 9), -1);
}

KTEST(full_queue_changes_nothing)
{
    struct vq_seg two[2] = { { 0x1000, 10, false }, { 0x100a, 60, false } };
    struct vq_seg three[3] = { two[0], two[1], two[1] };

    setup(QSIZE, QSIZE, 0);
    for (int i = 0; i < 3; i++)
        EXPECT(vq_add(&q, two, 2) >= 0);
    EXPECT_EQ(vq_num_free(&q), 2);
    EXPECT_EQ(vq_add(&q, three, 3), VQ_FULL);    /* 2 free, 3 wanted */
    EXPECT_EQ(vq_num_free(&q), 2);
    EXPECT_EQ(q.avail_idx, 3);
    EXPECT(add1(0x2000) >= 0);
    EXPECT(add1(0x3000) >= 0);
    EXPECT_EQ(add1(0x4000), VQ_FULL);
    EXPECT_EQ(q.avail_idx, 5);
    EXPECT_EQ(q.avail->idx, 0);                  /* nothing published yet */
    EXPECT(vq_publish(&q));
    EXPECT_EQ(q.avail->idx, 5);
}

/* Buffers come back out of order; each pop frees exactly its chain, and
 * every descriptor can be used again. */
KTEST(reclaim_out_of_order)
{
    struct vq_seg two[2] = { { 0x1000, 10, true }, { 0x100a, 1514, true } };
    int heads[4];
    unsigned n;
    uint32_t len;

    setup(QSIZE, QSIZE, 0);
    for (int i = 0; i < 4; i++)
        heads[i] = vq_add(&q, two, 2);
    EXPECT_EQ(vq_num_free(&q), 0);
    vq_publish(&q);
    for (int i = 0; i < 4; i++) {
        EXPECT_EQ(dev_take(&n), heads[i]);
        EXPECT_EQ(n, 2);
        EXPECT_EQ(q.desc[heads[i]].flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
    }
    EXPECT_EQ(vq_pop(&q, &len), VQ_EMPTY);
    dev_use((uint32_t)heads[2], 70);
    dev_use((uint32_t)heads[0], 80);
    EXPECT_EQ(vq_pop(&q, &len), heads[2]);
    EXPECT_EQ(len, 70);
    EXPECT_EQ(vq_num_free(&q), 2);
    EXPECT_EQ(vq_next_head(&q), heads[2]);       /* the one just freed first */
    EXPECT_EQ(vq_pop(&q, &len), heads[0]);
    EXPECT_EQ(len, 80);
    dev_use((uint32_t)heads[3], 1);
    dev_use((uint32_t)heads[1], 2);
    EXPECT_EQ(vq_pop(&q, &len), heads[3]);
    EXPECT_EQ(vq_pop(&q, &len), heads[1]);
    EXPECT_EQ(vq_pop(&q, &len), VQ_EMPTY);
    EXPECT_EQ(vq_num_free(&q), QSIZE);
    for (int i = 0; i < QSIZE; i++)
        EXPECT(add1(0x5000) >= 0);
    EXPECT_EQ(add1(0x5000), VQ_FULL);
}

/* 200 rounds across the 16-bit wrap of every index, with the queue kept
 * between half and completely full. */
KTEST(indices_wrap)
{
    unsigned n, given = 0, back = 0;
    uint32_t len;
    int h;

    setup(QSIZE, QSIZE, 65531);
    for (int round = 0; round < 200; round++) {
        while (add1(0x1000u + given) >= 0)
            given++;
        EXPECT_EQ(vq_num_free(&q), 0);
        vq_publish(&q);
        EXPECT_EQ(q.avail->idx, (uint16_t)(65531 + given));
        for (int k = 0; k < 1 + round % QSIZE / 2 && (h = dev_take(&n)) >= 0; k++) {
            EXPECT_EQ(q.desc[h].addr, 0x1000u + back);   /* handed out in order */
            dev_use((uint32_t)h, back++);
        }
        while ((h = vq_pop(&q, &len)) >= 0)
            EXPECT_EQ(q.desc[h].addr - 0x1000u, len);
    }
    EXPECT(given > 65536 - 65531 + QSIZE);       /* went well past the wrap */
    EXPECT_EQ(q.last_used, (uint16_t)(65531 + back));
}

KTEST(notify_only_when_wanted)
{
    setup(QSIZE, QSIZE, 0);
    EXPECT(!vq_publish(&q));                     /* nothing new */
    add1(0x1000);
    EXPECT(vq_publish(&q));
    EXPECT(!vq_publish(&q));
    q.used->flags = VRING_USED_F_NO_NOTIFY;      /* the device is polling */
    add1(0x2000);
    EXPECT(!vq_publish(&q));
    EXPECT_EQ(q.avail->idx, 2);                  /* published all the same */
    vq_want_interrupts(&q, false);
    EXPECT_EQ(q.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
    vq_want_interrupts(&q, true);
    EXPECT_EQ(q.avail->flags, 0);
}

/* A used entry naming a descriptor past ndesc, a descriptor that is not a
 * head in flight, or the same head twice is skipped: the free list stays
 * whole and the next good entry is taken. */
KTEST(confused_device)
{
    uint32_t len;
    int h;

    setup(QSIZE, 4, 0);
    h = add1(0x1000);
    add1(0x2000);
    vq_publish(&q);
    dev_use(5, 1);                               /* beyond ndesc */
    dev_use(3, 1);                               /* never given */
    dev_use((uint32_t)h, 9);
    dev_use((uint32_t)h, 9);                     /* twice */
    dev_use(0xffffffffu, 1);
    EXPECT_EQ(vq_pop(&q, &len), VQ_BROKEN);
    EXPECT_EQ(vq_pop(&q, &len), VQ_BROKEN);
    EXPECT_EQ(vq_pop(&q, &len), h);
    EXPECT_EQ(vq_pop(&q, &len), VQ_BROKEN);
    EXPECT_EQ(vq_pop(&q, &len), VQ_BROKEN);
    EXPECT_EQ(vq_pop(&q, &len), VQ_EMPTY);
    EXPECT_EQ(vq_num_free(&q), 3);
    for (int i = 0; i < 3; i++)
        EXPECT(add1(0x3000) >= 0);
    EXPECT_EQ(add1(0x3000), VQ_FULL);
}

KTEST_MAIN(KTEST_CASE(layout_and_init), KTEST_CASE(full_queue_changes_nothing),
           KTEST_CASE(reclaim_out_of_order), KTEST_CASE(indices_wrap),
           KTEST_CASE(notify_only_when_wanted), KTEST_CASE(confused_device))

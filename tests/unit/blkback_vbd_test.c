/*
 * sdk/blkback: two guests' virtual disks (slices of one fake device) in
 * one run: data through grant copies and device buffers, a read-only
 * disk, requests waiting for a buffer, a flood of flushes, and a hostile
 * guest (bad grant references, sectors past its end, a producer jump)
 * cut off alone while the other's disk stays untouched and served.
 */
#include <stdarg.h>
#include "ktest.h"
#include "../../sdk/blkback/check.c"
#include "../../sdk/blkback/vbd.c"
#include "../../sdk/blkback/copy.c"

#define DEV_SECTORS  256u
#define GUEST_PAGES  16u
#define SLOTS_MAX    8u

/* the device: memory, a few slots, completions when the test says */
static struct {
    uint8_t disk[DEV_SECTORS * 512];
    uint8_t buf[SLOTS_MAX][KEEL_BLK_REQ_MAX_BYTES];
    bool held[SLOTS_MAX], queued[SLOTS_MAX];
    unsigned op[SLOTS_MAX], slots, submits, flushes;
    int status;                        /* what every completion says */
    uint64_t sector[SLOTS_MAX];
    uint32_t bytes[SLOTS_MAX];
} dev;

static int d_get(void *x)
{
    (void)x;
    for (unsigned s = 0; s < dev.slots; s++)
        if (!dev.held[s])
            return dev.held[s] = true, (int)s;
    return -KEEL_ENOSPC;
}
static void *d_data(void *x, unsigned s) { (void)x; return dev.buf[s]; }
static void d_put(void *x, unsigned s) { (void)x; dev.held[s] = false; }
static void d_kick(void *x) { (void)x; }
static int d_submit(void *x, unsigned s, unsigned op, uint64_t sector, uint32_t bytes)
{
    (void)x;
    dev.op[s] = op, dev.sector[s] = sector, dev.bytes[s] = bytes;
    dev.queued[s] = true;
    dev.submits++;
    return 0;
}

static struct bb_disk disk;

/* The device answers everything queued. */
static void complete_all(void)
{
    for (unsigned s = 0; s < dev.slots; s++) {
        if (!dev.queued[s])
            continue;
        dev.queued[s] = false;
        uint8_t *at = dev.disk + dev.sector[s] * 512;
        if (dev.op[s] == BB_IO_READ)
            memcpy(dev.buf[s], at, dev.bytes[s]);
        else if (dev.op[s] == BB_IO_WRITE)
            memcpy(at, dev.buf[s], dev.bytes[s]);
        else
            dev.flushes++;
        bb_disk_done(&disk, s, dev.status);
    }
}

/* two guests, domids 1 and 2: their granted pages, their rings */
struct guest {
    uint8_t page[GUEST_PAGES][4096];
    uint8_t conn[4096] __attribute__((aligned(4096)));
    uint8_t ring[4096] __attribute__((aligned(4096)));
    struct keel_blk_front f;
    struct keel_blk_settings s;
    struct bb_vbd vbd;
    unsigned notified;
    bool eager;                        /* takes its answers at each event */
    unsigned taken;
};
static struct guest g[3];

static unsigned copies;                 /* copy calls */

static long copy(void *ctx, struct keel_grant_copy *seg, unsigned n)
{
    long failed = 0;

    (void)ctx;
    copies++;
    for (unsigned i = 0; i < n; i++) {
        struct keel_grant_copy *c = &seg[i];
        struct keel_grant_copy_ptr *gp = c->flags & KEEL_GRANT_COPY_SRC_GREF ? &c->src : &c->dst;
        struct keel_grant_copy_ptr *mp = c->flags & KEEL_GRANT_COPY_SRC_GREF ? &c->dst : &c->src;
        if (gp->domid < 1 || gp->domid > 2 || gp->ref >= GUEST_PAGES ||
            gp->offset + c->len > 4096) {
            c->status = -KEEL_ENOENT;
            failed++;
            continue;
        }
        uint8_t *gb = g[gp->domid].page[gp->ref] + gp->offset;
        uint8_t *mb = (uint8_t *)(uintptr_t)mp->gva;
        if (c->flags & KEEL_GRANT_COPY_SRC_GREF)
            memcpy(mb, gb, c->len);
        else
            memcpy(gb, mb, c->len);
        c->status = 0;
    }
    return failed;
}

/* An eager guest runs on another CPU: it takes what is there at once
 * and asks for the next answer's event, as blkfront_poll does. */
static void notify(void *ctx, uint32_t port)
{
    struct keel_blk_rsp r;

    (void)ctx;
    g[port].notified++;
    while (g[port].eager) {
        if (keel_blk_front_take_rsp(&g[port].f, &r) == 1)
            g[port].taken++;
        else if (keel_blk_front_final_check(&g[port].f) != 1)
            break;
    }
}
static unsigned logged;
static void log_line(void *ctx, const char *fmt, ...) { (void)ctx; (void)fmt; logged++; }

static const struct bb_ops ops = { .copy = copy, .notify = notify, .log = log_line };
static const struct bb_dev_ops dops = { .slot_get = d_get, .slot_data = d_data, .slot_put = d_put,
                                        .submit = d_submit, .kick = d_kick };

/* guest d gets sectors [first, first + sectors) */
static void setup(unsigned slots, bool b_ro)
{
    struct bb_dev_info info = { DEV_SECTORS, 512, KEEL_BLK_REQ_MAX_BYTES, false, true };

    memset(&dev, 0, sizeof(dev));
    memset(g, 0, sizeof(g));
    dev.slots = slots;
    logged = copies = 0;
    if (bb_disk_init(&disk, &ops, &dops, NULL, &info, NULL))
        abort();
    for (unsigned d = 1; d <= 2; d++) {
        struct keel_blk_sring *sr = (struct keel_blk_sring *)g[d].ring;
        keel_blk_sring_init(sr);
        keel_blk_front_init(&g[d].f, sr, 4096);
        bb_settings(&info, (d - 1) * 128, 128, d == 2 && b_ro, &g[d].s);
        struct bb_vbd_conf conf = { .domid = (keel_domid_t)d, .port = d,
                                    .first = (d - 1) * 128, .settings = &g[d].s,
                                    .page = { g[d].conn, g[d].ring } };
        if (bb_vbd_init(&g[d].vbd, &disk, &conf))
            abort();
    }
}

/* guest d puts a request over page ref.. (segs whole pages) */
static void put(unsigned d, uint8_t op, uint64_t sector, unsigned ref, unsigned segs,
                uint64_t id)
{
    struct keel_blk_req *r = keel_blk_front_next_req(&g[d].f);
    *r = (struct keel_blk_req){ .op = op, .nr_segs = (uint8_t)segs, .id = id,
                                .sector = sector };
    for (unsigned i = 0; i < segs; i++)
        r->seg[i] = (struct keel_blk_seg){ .gref = ref + i, .last_sect = 7 };
    keel_blk_front_push(&g[d].f);
}

/* guest d's next answer's status (id checked), or 99 if none */
static int answer(unsigned d, uint64_t id)
{
    struct keel_blk_rsp r;
    if (keel_blk_front_take_rsp(&g[d].f, &r) != 1)
        return 99;
    return r.id == id ? r.status : 98;
}

/* Every answer guest d has, by id (< 256; 99: none): answers come in
 * any order (keel/blk.h). */
static int got[256];
static void take_all(unsigned d)
{
    struct keel_blk_rsp r;

    for (unsigned i = 0; i < 256; i++)
        got[i] = 99;
    while (keel_blk_front_take_rsp(&g[d].f, &r) == 1)
        if (r.id < 256)
            got[r.id] = r.status;
}

KTEST(data_goes_to_each_guests_slice)
{
    setup(8, false);
    memset(g[1].page[0], 0xa1, 4096 * 11);
    memset(g[2].page[0], 0xb2, 4096);
    put(1, KEEL_BLK_OP_WRITE, 8, 0, 11, 1);
    put(2, KEEL_BLK_OP_WRITE, 0, 0, 1, 2);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 1);
    complete_all();
    EXPECT_EQ(answer(1, 1), KEEL_BLK_OK);
    EXPECT_EQ(answer(2, 2), KEEL_BLK_OK);
    EXPECT(g[1].notified >= 1 && g[2].notified >= 1);
    EXPECT_EQ(dev.disk[8 * 512], 0xa1);
    EXPECT_EQ(dev.disk[(8 + 88) * 512 - 1], 0xa1);
    EXPECT_EQ(dev.disk[128 * 512], 0xb2);          /* guest 2's sector 0 */
    EXPECT_EQ(dev.disk[0], 0);
    put(1, KEEL_BLK_OP_READ, 8, 12, 1, 3);
    put(1, KEEL_BLK_OP_FLUSH, 0, 0, 0, 4);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 2);
    complete_all();
    EXPECT_EQ(answer(1, 3), KEEL_BLK_OK);
    EXPECT_EQ(answer(1, 4), KEEL_BLK_OK);
    EXPECT_EQ(g[1].page[12][4095], 0xa1);
    EXPECT_EQ(dev.flushes, 1);
}

KTEST(requests_wait_for_a_device_buffer)
{
    setup(2, false);
    for (unsigned i = 0; i < 5; i++)
        put(1, KEEL_BLK_OP_READ, i * 8, i, 1, i);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 3);           /* the third waits */
    EXPECT_EQ(g[1].vbd.c.waits, 1);
    for (unsigned i = 0; i < 5 && dev.submits < 5; i++)
        complete_all();
    complete_all();
    for (unsigned i = 0; i < 5; i++)
        EXPECT_EQ(answer(1, i), KEEL_BLK_OK);
    EXPECT_EQ(dev.submits, 5);
}

KTEST(hostile_guest_is_cut_off_alone)
{
    setup(8, false);
    memset(g[1].page[0], 0x11, 4096);
    put(1, KEEL_BLK_OP_WRITE, 0, 0, 1, 1);
    bb_vbd_poll(&g[1].vbd);
    complete_all();
    EXPECT_EQ(answer(1, 1), KEEL_BLK_OK);
    uint8_t before[sizeof(dev.disk)];
    memcpy(before, dev.disk, sizeof(before));
    /* guest 2: a bad grant reference, sectors past its end (into guest 1's
     * neighbour... or the device's end), too many segments, a flood of
     * flushes */
    put(2, KEEL_BLK_OP_WRITE, 0, GUEST_PAGES + 5, 1, 10);
    put(2, KEEL_BLK_OP_WRITE, 128, 0, 1, 11);
    put(2, KEEL_BLK_OP_WRITE, 0, 0, 12, 12);
    for (unsigned i = 0; i < 20; i++)
        put(2, KEEL_BLK_OP_FLUSH, 0, 0, 0, 100 + i);
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 12);         /* 8 flushes hold every buffer */
    for (unsigned i = 0; i < 4; i++)
        complete_all();                             /* the rest resume as they free */
    take_all(2);
    EXPECT_EQ(got[10], KEEL_BLK_ERROR);
    EXPECT_EQ(got[11], KEEL_BLK_ERROR);
    EXPECT_EQ(got[12], KEEL_BLK_ERROR);
    for (unsigned i = 0; i < 20; i++)
        EXPECT_EQ(got[100 + i], KEEL_BLK_OK);
    /* then its producer jumps: cut off, in-flight answer dropped */
    put(2, KEEL_BLK_OP_READ, 0, 0, 1, 13);
    bb_vbd_poll(&g[2].vbd);
    ((struct keel_blk_sring *)g[2].ring)->h.req_prod += 1000;
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 0);
    EXPECT_EQ(g[2].vbd.state, BB_CUT);
    EXPECT_EQ(g[2].vbd.reason, BB_RING_CORRUPT);
    EXPECT_EQ(((struct keel_blk_page *)g[2].conn)->hdr.mapper_state, KEEL_CONN_CLOSED);
    EXPECT_EQ(logged, 1);
    complete_all();
    EXPECT_EQ(answer(2, 13), 99);
    EXPECT(memcmp(before, dev.disk, sizeof(before)) == 0);
    EXPECT_EQ(g[2].vbd.c.errors, 3);
    /* guest 1 goes on */
    put(1, KEEL_BLK_OP_READ, 0, 3, 1, 2);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    complete_all();
    EXPECT_EQ(answer(1, 2), KEEL_BLK_OK);
    EXPECT_EQ(g[1].page[3][100], 0x11);
    EXPECT_EQ(g[1].vbd.state, BB_LIVE);
}

KTEST(read_only_disk_refuses_writes)
{
    setup(8, true);
    put(2, KEEL_BLK_OP_WRITE, 0, 0, 1, 1);
    put(2, KEEL_BLK_OP_READ, 0, 0, 1, 2);
    bb_vbd_poll(&g[2].vbd);
    complete_all();
    EXPECT_EQ(answer(2, 1), KEEL_BLK_EROFS);
    EXPECT_EQ(answer(2, 2), KEEL_BLK_OK);
    EXPECT_EQ(dev.submits, 1);
}

KTEST(garbage_state_word_cuts_off)
{
    setup(8, false);
    ((struct keel_blk_page *)g[1].conn)->hdr.granter_state = 77;
    put(1, KEEL_BLK_OP_READ, 0, 0, 1, 1);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 0);
    EXPECT_EQ(g[1].vbd.reason, BB_BAD_STATE_WORD);
    put(2, KEEL_BLK_OP_READ, 0, 0, 1, 1);
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 1);
}

KTEST(a_guest_that_goes_is_not_touched_again)
{
    setup(8, false);
    put(1, KEEL_BLK_OP_READ, 0, 0, 1, 1);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    bb_vbd_stop(&g[1].vbd);
    dev.status = -KEEL_EIO;                               /* counted, not written */
    memset(g[1].conn, 0xee, sizeof(g[1].conn));           /* as if unmapped */
    complete_all();
    EXPECT_EQ(g[1].vbd.inflight, 0);
    for (unsigned i = 64; i < 96; i++)
        EXPECT_EQ(g[1].conn[i], 0xee);                    /* no counter written */
    EXPECT_EQ(g[1].notified, 0);
    EXPECT_EQ(g[1].vbd.c.io_errors, 1);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 0);
}

/* One device interrupt's completions are one event per guest, even for a
 * guest that re-arms its event after every answer; a guest stopped in the
 * middle of the batch is not touched at its end. */
KTEST(a_batch_of_answers_is_one_event)
{
    setup(8, false);
    g[1].eager = g[2].eager = true;
    for (unsigned i = 1; i <= 6; i++)
        put(1, KEEL_BLK_OP_READ, i * 8, i, 1, i);
    put(2, KEEL_BLK_OP_READ, 0, 0, 1, 7);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 6);
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 1);
    bb_disk_hold(&disk);
    complete_all();
    EXPECT_EQ(g[1].notified, 0);                          /* nothing published yet */
    bb_vbd_stop(&g[2].vbd);                               /* guest 2 goes meanwhile */
    memset(g[2].conn, 0xee, sizeof(g[2].conn));
    bb_disk_release(&disk);
    EXPECT_EQ(g[1].notified, 1);
    EXPECT_EQ(g[1].taken, 6);
    EXPECT_EQ(g[2].notified, 0);
    EXPECT_EQ(((struct keel_blk_sring *)g[2].ring)->h.rsp_prod, 0);
    EXPECT_EQ(g[2].conn[100], 0xee);
    /* without a hold, each answer is published (and heard) at once */
    for (unsigned i = 1; i <= 3; i++)
        put(1, KEEL_BLK_OP_READ, i * 8, i, 1, 10 + i);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 3);
    complete_all();
    EXPECT_EQ(g[1].taken, 9);
    EXPECT_EQ(g[1].notified, 4);
}

/* The writes one poll takes are one grant copy call, and the reads one
 * turn completes another: not one a request.  A bad grant reference in
 * the batch fails its own request alone, which never reaches the device. */
KTEST(a_batch_of_requests_is_one_copy_call)
{
    setup(8, false);
    for (unsigned i = 0; i < 6; i++) {
        memset(g[1].page[i], 0x30 + i, 4096);
        put(1, KEEL_BLK_OP_WRITE, i * 8, i, 1, i);
    }
    put(1, KEEL_BLK_OP_WRITE, 48, GUEST_PAGES + 1, 1, 6);      /* a bad reference */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 7);
    EXPECT_EQ(copies, 1);
    EXPECT_EQ(dev.submits, 6);
    complete_all();
    take_all(1);
    EXPECT_EQ(got[0], KEEL_BLK_OK);
    EXPECT_EQ(got[5], KEEL_BLK_OK);
    EXPECT_EQ(got[6], KEEL_BLK_ERROR);
    EXPECT_EQ(dev.disk[5 * 4096], 0x35);
    for (unsigned i = 0; i < 6; i++)
        put(1, KEEL_BLK_OP_READ, i * 8, 8 + i, 1, 10 + i);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 6);
    bb_disk_hold(&disk);
    complete_all();
    bb_disk_release(&disk);
    EXPECT_EQ(copies, 2);
    take_all(1);
    EXPECT_EQ(got[10], KEEL_BLK_OK);
    EXPECT_EQ(got[15], KEEL_BLK_OK);
    EXPECT_EQ(g[1].page[8 + 5][7], 0x35);
    EXPECT_EQ(g[1].page[8][7], 0x30);
}

/* A waiting request that gets a buffer may run the batch of reads (a
 * later read must go after them), whose answers free more buffers: the
 * waiter is served once, not again from inside its own start. */
KTEST(a_resumed_request_is_started_once)
{
    setup(2, false);
    put(1, KEEL_BLK_OP_READ, 0, 0, 1, 1);
    put(1, KEEL_BLK_OP_FLUSH, 0, 0, 0, 2);
    put(1, KEEL_BLK_OP_READ, 8, 1, 1, 3);           /* waits */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 3);
    bb_disk_hold(&disk);
    complete_all();             /* read 1 batched; the flush frees a buffer */
    bb_disk_release(&disk);
    complete_all();
    EXPECT_EQ(dev.submits, 3);
    struct keel_blk_rsp r;
    unsigned n = 0;
    while (keel_blk_front_take_rsp(&g[1].f, &r) == 1)
        n++;
    EXPECT_EQ(n, 3);
    EXPECT_EQ(g[1].vbd.inflight, 0);
}

KTEST_MAIN(KTEST_CASE(a_resumed_request_is_started_once), KTEST_CASE(a_batch_of_requests_is_one_copy_call), KTEST_CASE(a_batch_of_answers_is_one_event), KTEST_CASE(a_guest_that_goes_is_not_touched_again), KTEST_CASE(data_goes_to_each_guests_slice), KTEST_CASE(requests_wait_for_a_device_buffer),
           KTEST_CASE(hostile_guest_is_cut_off_alone), KTEST_CASE(read_only_disk_refuses_writes),
           KTEST_CASE(garbage_state_word_cuts_off))

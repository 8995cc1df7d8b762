/*
 * sdk/blkback: two guests' virtual disks (slices of one fake device) in
 * one run: data through grant copies and device buffers, a read-only
 * disk, requests waiting for a buffer, a flood of flushes, and a hostile
 * guest (bad grant references, sectors past its end, a producer jump)
 * cut off alone while the other's disk stays untouched and served.
 */
#include "blkback_fake.h"

KTEST(data_goes_to_each_guests_slice)
{
    setup(8, false);
    EXPECT_EQ(both_write(), 2);
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

/*
 * sdk/netback: the tx and rx ring handling against fake guests whose
 * frames really move between their pages.  Every hostile case of the
 * protocol beside a benign pair in the same run: bad grants, malformed
 * requests, reused ids, producer jumps, garbage state words, a guest that
 * posts no buffers, one that floods.  (netback_race_test.c: the guest
 * acting while the backend is in the middle of a ring operation.)
 */
#include "netback_fake.h"

static uint8_t fr[KEEL_PAGE_SIZE];

KTEST(guest_frame_reaches_guest)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_rx_rsp r = { 0 };
    int16_t st[4];
    uint16_t len = mk_g2g(fr, a, b, 1000, 3);

    fg_post_rx(b, 4);
    fg_send(a, fr, len, 42);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 4), 1);
    EXPECT_EQ(st[0], KEEL_NET_OK);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT_EQ(r.status, len);
    EXPECT(memcmp(fg_rx_bytes(b, &r), fr, len) == 0);
    EXPECT_EQ(a->vif.c.tx_ok, 1);
    EXPECT_EQ(b->vif.c.rx_delivered, 1);
    EXPECT_EQ(up_count, 0);
}

KTEST(bad_grant_is_error_and_the_next_is_served)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    int16_t st[4];
    uint16_t len = mk_g2g(fr, a, b, 100, 1);

    fg_post_rx(b, 4);
    fg_queue_req(a, 9999, 0, len, 1, 0);        /* no such grant */
    a->revoked[3] = 1;                          /* a grant the guest ended */
    fg_queue_req(a, 3, 0, len, 2, 0);
    fg_queue(a, fr, len, 3);
    fg_push(a);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 4), 3);
    EXPECT_EQ(st[0], KEEL_NET_ERROR);
    EXPECT_EQ(st[1], KEEL_NET_ERROR);
    EXPECT_EQ(st[2], KEEL_NET_OK);
    EXPECT_EQ(fg_rx_count(b), 1);
    EXPECT_EQ(a->vif.c.tx_errors, 2);
    EXPECT_EQ(((struct keel_net_page *)a->mem[0])->tx_errors, 2);
    EXPECT_EQ(a->vif.state, NB_LIVE);
}

KTEST(malformed_requests_are_errors_in_order)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    int16_t st[8];
    uint16_t len = mk_g2g(fr, a, b, 100, 1);

    fg_post_rx(b, 4);
    fg_queue_req(a, 3, 0, 0, 1, 0);                         /* empty */
    fg_queue_req(a, 3, 0, KEEL_NET_MIN_FRAME - 1, 2, 0);    /* no header */
    fg_queue_req(a, 3, 0, KEEL_NET_MAX_FRAME(1500) + 1, 3, 0);   /* over the MTU */
    fg_queue_req(a, 3, 0, KEEL_PAGE_SIZE + 1, 4, 0);        /* over a page */
    fg_queue_req(a, 3, 3000, 1200, 5, 0);                   /* crosses the page */
    fg_queue_req(a, 3, 0, len, 6, 1);                       /* unknown flag */
    fg_queue(a, fr, len, 7);
    fg_push(a);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 8), 7);
    for (int i = 0; i < 6; i++)
        EXPECT_EQ(st[i], KEEL_NET_ERROR);
    EXPECT_EQ(st[6], KEEL_NET_OK);
    EXPECT_EQ(fg_rx_count(b), 1);
    EXPECT_EQ(a->vif.c.tx_errors, 6);
}

KTEST(reused_ids_are_echoed_and_confuse_nobody)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_tx_rsp r = { 0 };
    unsigned n = 0;

    fg_post_rx(b, 4);
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 7);
    fg_send(a, fr, mk_g2g(fr, a, b, 61, 2), 7);
    fg_send(a, fr, mk_g2g(fr, a, b, 62, 3), 7);
    run_switch();
    while (fg_take_tx(a, &r) == 1) {
        EXPECT_EQ(r.id, 7);
        EXPECT_EQ(r.status, KEEL_NET_OK);
        n++;
    }
    EXPECT_EQ(n, 3);
    EXPECT_EQ(fg_rx_count(b), 3);
}

/* A jumps its tx producer index, C its rx one; B and D keep talking in the
 * same polls. */
KTEST(producer_jump_cuts_off_only_that_guest)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1), *c = fg_new(2), *d = fg_new(3);
    struct keel_net_tx_sring *ats = (struct keel_net_tx_sring *)a->mem[1];
    struct keel_net_rx_sring *crs = (struct keel_net_rx_sring *)c->mem[2];
    int16_t st[4];

    fg_post_rx(d, 8);
    fg_post_rx(c, 1);
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 1);
    ats->h.req_prod += KEEL_NET_RING_SIZE + 3;
    crs->h.req_prod += KEEL_NET_RING_SIZE * 5;
    fg_send(b, fr, mk_g2g(fr, b, c, 60, 1), 1);     /* to C: C is cut off */
    fg_send(b, fr, mk_g2g(fr, b, d, 60, 2), 2);
    run_switch();
    EXPECT_EQ(a->vif.state, NB_CUT);
    EXPECT_EQ(a->vif.reason, NB_TX_RING_CORRUPT);
    EXPECT_EQ(c->vif.state, NB_CUT);
    EXPECT_EQ(c->vif.reason, NB_RX_RING_CORRUPT);
    EXPECT_EQ(((struct keel_net_page *)a->mem[0])->hdr.mapper_state, KEEL_CONN_CLOSED);
    EXPECT_EQ(log_lines, 2);
    EXPECT(strstr(log_last, "domain 102 cut off: rx ring"));
    EXPECT_EQ(fg_tx_statuses(b, st, 4), 2);
    EXPECT(st[0] == KEEL_NET_OK && st[1] == KEEL_NET_OK);
    EXPECT_EQ(fg_rx_count(d), 1);
    /* cut off for good: more kicks, no more work, no more log lines */
    nb_switch_kick(&sw, &a->vif);
    fg_send(b, fr, mk_g2g(fr, b, d, 60, 3), 3);
    run_switch();
    EXPECT_EQ(log_lines, 2);
    EXPECT_EQ(fg_rx_count(d), 1);
}

KTEST(garbage_state_word_cuts_off)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);

    fg_post_rx(b, 2);
    ((struct keel_net_page *)a->mem[0])->hdr.granter_state = 77;
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 1);
    fg_send(b, fr, mk_g2g(fr, b, b, 60, 1), 1);     /* to itself */
    run_switch();
    EXPECT_EQ(a->vif.reason, NB_BAD_STATE_WORD);
    EXPECT_EQ(fg_rx_count(b), 1);
    EXPECT_EQ(b->vif.state, NB_LIVE);
}

/* b posts no buffers: a's frames to it wait in the switch (hold.c), c's
 * are untouched, a's sender status is OK; past the hold's age b loses
 * them, and only it. */
KTEST(no_rx_buffers_loses_only_its_own_frames)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1), *c = fg_new(2);
    int16_t st[16];

    fg_post_rx(c, 10);
    for (int i = 0; i < 10; i++) {
        fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), (uint16_t)i);
        fg_send(b, fr, mk_g2g(fr, b, c, 60, 1), (uint16_t)i);
    }
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 16), 10);
    for (int i = 0; i < 10; i++)
        EXPECT_EQ(st[i], KEEL_NET_OK);
    EXPECT_EQ(b->vif.hq->n, 10);
    EXPECT_EQ(fg_rx_count(c), 10);
    fake_clock_ns += NB_HOLD_NS + 1;
    run_switch();
    EXPECT_EQ(b->vif.c.rx_no_buffer, 10);
    EXPECT_EQ(((struct keel_net_page *)b->mem[0])->rx_no_buffer, 10);
    fg_post_rx(b, 1);
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 11);
    run_switch();
    EXPECT_EQ(fg_rx_count(b), 1);
}

KTEST(unusable_rx_buffers_are_answered_error)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_rx_req *q;
    struct keel_net_rx_rsp r = { 0 };

    q = keel_net_rx_front_next_req(&b->rxf);         /* too little room */
    *q = (struct keel_net_rx_req){ FG_RX0, 3000, 0 };
    q = keel_net_rx_front_next_req(&b->rxf);         /* a grant it ended */
    *q = (struct keel_net_rx_req){ FG_RX0 + 5, 0, 1 };
    b->revoked[FG_RX0 + 5] = 1;
    keel_net_rx_front_push(&b->rxf);
    fg_post_rx(b, 1);
    for (int i = 0; i < 3; i++)
        fg_send(a, fr, mk_g2g(fr, a, b, 60, (uint8_t)i), (uint16_t)i);
    run_switch();
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.id == 0 && r.status == KEEL_NET_ERROR);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.id == 1 && r.status == KEEL_NET_ERROR);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.status == 34 + 60 && fg_rx_bytes(b, &r)[34] == 2);
    EXPECT_EQ(b->vif.c.rx_errors, 2);
}

/* F keeps its ring full (256 requests) for 40 polls, over 5000 frames;
 * V's one frame, sent every third poll, is answered by that very poll. */
KTEST(flood_cannot_delay_another_beyond_one_batch)
{
    world(&ops_uplink, 16);
    struct fguest *f = fg_new(0), *v = fg_new(1), *sink = fg_new(2);
    unsigned sent = 0, served_v = 0;
    int16_t st[KEEL_NET_RING_SIZE];

    fg_post_rx(sink, 200);
    for (int poll = 0; poll < 40; poll++) {
        while (fg_tx_statuses(f, st, KEEL_NET_RING_SIZE) > 0)
            ;
        while (f->txf.req_prod_pvt - f->txf.rsp_cons < KEEL_NET_RING_SIZE) {
            fg_queue(f, fr, mk_g2g(fr, f, sink, 60, 1), 0);
            sent++;
        }
        fg_push(f);
        if (poll % 3 == 1)
            fg_send(v, fr, mk_g2g(fr, v, sink, 60, 9), (uint16_t)poll);
        nb_switch_poll(&sw);
        if (poll % 3 == 1)
            served_v += fg_tx_statuses(v, st, 4) == 1 && st[0] == KEEL_NET_OK;
    }
    EXPECT_EQ(served_v, 13);
    EXPECT(sent > 5000);
    EXPECT_EQ(copy_over_max, 0);
}

KTEST(executor_failing_as_a_whole_is_errors)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    int16_t st[4];

    fg_post_rx(b, 2);
    copy_whole_rc = -KEEL_EFAULT;
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 1);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 4), 1);
    EXPECT_EQ(st[0], KEEL_NET_ERROR);
    copy_whole_rc = 0;
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 2);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 4), 1);
    EXPECT_EQ(st[0], KEEL_NET_OK);
    EXPECT_EQ(fg_rx_count(b), 1);
}

static void reenter_log(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
    log_lines += nb_switch_poll(&sw) == -KEEL_EBUSY &&
                 nb_switch_from_uplink(&sw, NULL, 0) == -KEEL_EBUSY;
}

KTEST(callbacks_cannot_reenter)
{
    static const struct nb_ops ops = { fake_copy, fake_notify, NULL, reenter_log, fake_now_ns };
    world(&ops, 4);
    struct fguest *a = fg_new(0);

    ((struct keel_net_tx_sring *)a->mem[1])->h.req_prod = 1000;
    nb_switch_kick(&sw, &a->vif);
    run_switch();
    EXPECT_EQ(log_lines, 1);
    EXPECT_EQ(a->vif.state, NB_CUT);
}

KTEST_MAIN(KTEST_CASE(guest_frame_reaches_guest),
           KTEST_CASE(bad_grant_is_error_and_the_next_is_served),
           KTEST_CASE(malformed_requests_are_errors_in_order),
           KTEST_CASE(reused_ids_are_echoed_and_confuse_nobody),
           KTEST_CASE(producer_jump_cuts_off_only_that_guest),
           KTEST_CASE(garbage_state_word_cuts_off),
           KTEST_CASE(no_rx_buffers_loses_only_its_own_frames),
           KTEST_CASE(unusable_rx_buffers_are_answered_error),
           KTEST_CASE(flood_cannot_delay_another_beyond_one_batch),
           KTEST_CASE(executor_failing_as_a_whole_is_errors),
           KTEST_CASE(callbacks_cannot_reenter))

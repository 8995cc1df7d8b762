/*
 * sdk/netback: its guest acting while the backend is in the middle of a
 * ring operation.  keel_ring_mb() and keel_ring_rmb() are redefined before
 * keel/net.h makes the ring functions, so that the test runs as the guest
 * between the backend's "ask for an event" and "look again" (the final
 * check), or between two takes of one batch.
 */
#include <keel/ring.h>
static void race_hook(void);
static void take_hook(void);
#undef keel_ring_mb
#define keel_ring_mb() race_hook()
#undef keel_ring_rmb
#define keel_ring_rmb() take_hook()
#include "netback_fake.h"

static uint8_t fr[KEEL_PAGE_SIZE];

static struct fguest *racer;
static uint8_t race_frame[KEEL_PAGE_SIZE];
static uint16_t race_len;

static void race_hook(void)
{
    struct fguest *g = racer;

    racer = NULL;
    if (g)
        fg_send(g, race_frame, race_len, 99);
}

/* The guest queues a frame while the backend is between "ask for an
 * event" and "look again": either the look or the event must bring the
 * interface back; neither may be swallowed. */
KTEST(a_request_racing_the_final_check_is_not_lost)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_tx_rsp r = { 0 };

    fg_post_rx(b, 4);
    run_switch();                       /* only a is left to look at */
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 1);
    race_len = mk_g2g(race_frame, a, b, 60, 2);
    racer = a;
    guest_events = 0;
    EXPECT_EQ(run_switch(), 2);
    EXPECT_EQ(racer, NULL);
    EXPECT_EQ(guest_events, 1);         /* the backend had asked */
    EXPECT_EQ(fg_take_tx(a, &r), 1);
    EXPECT_EQ(fg_take_tx(a, &r), 1);
    EXPECT(r.id == 99 && r.status == KEEL_NET_OK);
    EXPECT_EQ(fg_rx_count(b), 2);
}

static keel_ring_idx_t *jump_prod;     /* a guest's producer index */
static unsigned jump_after;             /* after this many takes */

static void take_hook(void)
{
    if (jump_prod && --jump_after == 0) {
        *jump_prod += 1000;
        jump_prod = NULL;
    }
}

/* A corrupts its tx ring after three of its requests were taken: those
 * three are neither switched nor answered (its ring is not ours to write
 * any more); C's frame in the same batch goes through.  Then B corrupts
 * its rx ring after one of its buffers was taken: that buffer is not
 * answered either. */
KTEST(cut_off_mid_batch_writes_nothing_more)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1), *c = fg_new(2);

    fg_post_rx(b, 8);
    run_switch();
    for (int i = 0; i < 5; i++)
        fg_send(a, fr, mk_g2g(fr, a, b, 60, (uint8_t)i), (uint16_t)i);
    fg_send(c, fr, mk_g2g(fr, c, b, 60, 9), 9);
    jump_prod = &((struct keel_net_tx_sring *)a->mem[1])->h.req_prod;
    jump_after = 3;
    run_switch();
    EXPECT_EQ(a->vif.state, NB_CUT);
    EXPECT_EQ(((struct keel_net_tx_sring *)a->mem[1])->h.rsp_prod, 0);
    EXPECT_EQ(a->vif.c.tx_ok + a->vif.c.tx_errors + a->vif.c.tx_dropped, 0);
    EXPECT_EQ(fg_rx_count(b), 1);
    EXPECT_EQ(c->vif.c.tx_ok, 1);
    fg_send(c, fr, mk_g2g(fr, c, b, 60, 1), 1);
    fg_send(c, fr, mk_g2g(fr, c, b, 60, 2), 2);
    jump_prod = &((struct keel_net_rx_sring *)b->mem[2])->h.req_prod;
    jump_after = 3;                     /* c's two takes, then b's first buffer */
    run_switch();
    EXPECT_EQ(b->vif.state, NB_CUT);
    EXPECT_EQ(((struct keel_net_rx_sring *)b->mem[2])->h.rsp_prod, 1);
    EXPECT_EQ(c->vif.c.tx_ok, 3);
}

KTEST_MAIN(KTEST_CASE(a_request_racing_the_final_check_is_not_lost),
           KTEST_CASE(cut_off_mid_batch_writes_nothing_more))

/*
 * sdk/netback: frames held for a guest that has posted no receive buffer
 * (hold.c).  A burst larger than the posted buffers arrives whole and in
 * order once the guest posts more (the guest's posting brings the event
 * the switch asked for); the bounds (an interface, the pool, the age) make
 * a guest that never posts cost only its own frames; a cut-off or removed
 * interface gives its slots back.
 */
#include <sys/mman.h>
#include "netback_fake.h"

static uint8_t fr[KEEL_PAGE_SIZE];
static const uint8_t stranger[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static uint8_t upbuf[NB_HOLD_FRAMES + 300][2048] __attribute__((aligned(4096)));

/* n frames from the uplink to g, numbered first.. in their IP id. */
static int from_uplink(struct fguest *g, unsigned first, unsigned n)
{
    static struct nb_frame f[NB_HOLD_FRAMES + 300];

    for (unsigned i = 0; i < n; i++) {
        uint8_t *b = upbuf[i];
        uint16_t len = mk_ipv4(b, g->set.mac, stranger, 0x01020304, g->set.ipv4_addr, 64, 0);
        b[18] = (uint8_t)((first + i) >> 8);
        b[19] = (uint8_t)(first + i);
        f[i] = (struct nb_frame){ b, len };
    }
    return nb_switch_from_uplink(&sw, f, n);
}

/* Takes g's answers; how many came in sequence from *next (advanced). */
static unsigned take_in_order(struct fguest *g, unsigned *next)
{
    struct keel_net_rx_rsp r;
    unsigned ok = 0;

    while (fg_take_rx(g, &r) == 1) {
        const uint8_t *p = fg_rx_bytes(g, &r);
        if (r.status > 0 && (unsigned)(p[18] << 8 | p[19]) == *next) {
            ok++;
            ++*next;
        }
    }
    return ok;
}

static unsigned pool_free(void)
{
    unsigned n = 0;

    for (struct nb_held *h = sw.hold->free; h; h = h->next)
        n++;
    return n;
}

KTEST(a_burst_waits_for_buffers_and_arrives_whole_in_order)
{
    world(&ops_uplink, 16);
    struct fguest *b = fg_new(1);
    unsigned next = 0, events;

    fg_post_rx(b, 100);
    EXPECT_EQ(from_uplink(b, 0, 300), 1);     /* the kick of the posting */
    EXPECT_EQ(take_in_order(b, &next), 100);
    EXPECT_EQ(b->vif.hq->n, 200);
    events = guest_events;
    for (int round = 0; round < 4; round++) {
        fg_post_rx(b, 50);                     /* must notify: the switch asked */
        run_switch();
    }
    EXPECT_EQ(guest_events, events + 4);
    EXPECT_EQ(take_in_order(b, &next), 200);
    EXPECT_EQ(next, 300);
    EXPECT_EQ(b->vif.c.rx_no_buffer, 0);
    EXPECT(b->vif.hq == NULL);
    EXPECT_EQ(sw.st.held, 200);
    EXPECT_EQ(pool_free(), NB_HOLD_FRAMES);
}

/* A newer frame waits behind the held ones, even when the guest has
 * posted buffers the switch has not used yet. */
KTEST(a_new_frame_waits_behind_the_held_ones)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_rx_rsp r = { 0 };
    unsigned next = 0;
    int16_t st[8];

    from_uplink(b, 0, 5);
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 0), 1);   /* a's turn comes first */
    fg_post_rx(b, 3);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 8), 1);
    EXPECT_EQ(st[0], KEEL_NET_OK);
    EXPECT_EQ(take_in_order(b, &next), 3);
    EXPECT_EQ(b->vif.hq->n, 3);                /* 3, 4, then a's */
    fg_post_rx(b, 8);
    run_switch();
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT_EQ(fg_rx_bytes(b, &r)[19], 3);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT_EQ(fg_rx_bytes(b, &r)[19], 4);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(memcmp(fg_rx_bytes(b, &r) + 6, a->set.mac, 6) == 0);
    EXPECT_EQ(fg_take_rx(b, &r), 0);
    EXPECT(b->vif.hq == NULL);
}

KTEST(an_interface_holds_at_most_its_share)
{
    world(&ops_uplink, 16);
    struct fguest *b = fg_new(1);

    from_uplink(b, 0, NB_HOLD_PER_IF + 44);
    EXPECT_EQ(b->vif.hq->n, NB_HOLD_PER_IF);
    EXPECT_EQ(b->vif.c.rx_no_buffer, 44);
    EXPECT_EQ(sw.st.held_refused, 44);
}

/* Guests that never post fill the pool; a guest that posts loses
 * nothing, and the pool is free again once their frames are too old. */
KTEST(guests_that_never_post_pin_the_pool_only_for_a_while)
{
    world(&ops_uplink, 16);
    struct fguest *mute[NB_HOLD_FRAMES / NB_HOLD_PER_IF + 1];
    struct fguest *ok = fg_new(15);
    unsigned next = 0, n = sizeof(mute) / sizeof(mute[0]);

    for (unsigned i = 0; i < n; i++) {
        mute[i] = fg_new(i);
        from_uplink(mute[i], 0, NB_HOLD_PER_IF);
    }
    EXPECT_EQ(pool_free(), 0);
    EXPECT_EQ(mute[n - 1]->vif.c.rx_no_buffer, NB_HOLD_PER_IF);
    fg_post_rx(ok, 10);
    from_uplink(ok, 0, 10);
    EXPECT_EQ(take_in_order(ok, &next), 10);
    fake_clock_ns += NB_HOLD_NS / 2;
    run_switch();
    EXPECT_EQ(pool_free(), 0);                 /* not old yet */
    fake_clock_ns += NB_HOLD_NS / 2 + 1;
    from_uplink(ok, 10, 20);                   /* no buffer: this one holds */
    EXPECT_EQ(pool_free(), NB_HOLD_FRAMES - 20);
    EXPECT_EQ(sw.st.held_expired, NB_HOLD_FRAMES);
    EXPECT_EQ(mute[0]->vif.c.rx_no_buffer, NB_HOLD_PER_IF);
    EXPECT(mute[0]->vif.hq == NULL);
    fg_post_rx(ok, 20);
    run_switch();
    EXPECT_EQ(take_in_order(ok, &next), 20);
}

KTEST(cut_off_and_removed_interfaces_give_their_slots_back)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);

    from_uplink(a, 0, 30);
    from_uplink(b, 0, 40);
    EXPECT_EQ(pool_free(), NB_HOLD_FRAMES - 70);
    a->rxf.s->h.req_prod += 5000;              /* garbage producer index */
    nb_switch_kick(&sw, &a->vif);
    run_switch();
    EXPECT_EQ(a->vif.state, NB_CUT);
    EXPECT_EQ(a->vif.reason, NB_RX_RING_CORRUPT);
    EXPECT_EQ(pool_free(), NB_HOLD_FRAMES - 40);
    mprotect(b->mem, 3 * KEEL_PAGE_SIZE, PROT_NONE);   /* dom0 unmaps first */
    nb_switch_remove(&sw, &b->vif);
    mprotect(b->mem, 3 * KEEL_PAGE_SIZE, PROT_READ | PROT_WRITE);
    EXPECT_EQ(pool_free(), NB_HOLD_FRAMES);
    EXPECT(sw.hold->oldest == NULL && sw.hold->newest == NULL);
}

/* A held frame meets a buffer too small for the MTU: answered as an
 * error, like a frame delivered at once would be, and the rest go on. */
KTEST(a_held_frame_into_a_bad_buffer_is_an_error_answer)
{
    world(&ops_uplink, 16);
    struct fguest *b = fg_new(1);
    struct keel_net_rx_rsp r = { 0 };
    unsigned next = 1;

    from_uplink(b, 0, 2);
    *keel_net_rx_front_next_req(&b->rxf) = (struct keel_net_rx_req){ FG_RX0, 3000, 0 };
    if (keel_net_rx_front_push(&b->rxf))
        nb_switch_kick(&sw, &b->vif);
    fg_post_rx(b, 1);
    run_switch();
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT_EQ(r.status, KEEL_NET_ERROR);
    EXPECT_EQ(take_in_order(b, &next), 1);
    EXPECT_EQ(b->vif.c.rx_errors, 1);
    EXPECT(b->vif.hq == NULL);
}

KTEST(frames_over_a_slot_are_never_held)
{
    world(&ops_uplink, 16);
    struct fguest *b;
    static struct nb_frame f[1];
    static uint8_t big[KEEL_PAGE_SIZE] __attribute__((aligned(4096)));

    b = fg_new(1);
    b->vif.mtu = 4000;              /* as if the toolstack gave it jumbo frames */
    f[0] = (struct nb_frame){ big, mk_ipv4(big, b->set.mac, stranger, 1, b->set.ipv4_addr,
                                           NB_HOLD_SLOT, 0) };
    nb_switch_from_uplink(&sw, f, 1);
    EXPECT(b->vif.hq == NULL);
    EXPECT_EQ(b->vif.c.rx_no_buffer, 1);
}

KTEST_MAIN(KTEST_CASE(a_burst_waits_for_buffers_and_arrives_whole_in_order),
           KTEST_CASE(a_new_frame_waits_behind_the_held_ones),
           KTEST_CASE(an_interface_holds_at_most_its_share),
           KTEST_CASE(guests_that_never_post_pin_the_pool_only_for_a_while),
           KTEST_CASE(cut_off_and_removed_interfaces_give_their_slots_back),
           KTEST_CASE(a_held_frame_into_a_bad_buffer_is_an_error_answer),
           KTEST_CASE(frames_over_a_slot_are_never_held))

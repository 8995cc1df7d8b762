/*
 * sdk/netback: the switch.  Where frames go (guest to guest never by the
 * uplink, ARP answered by the switch, no broadcast fan-out, strangers to
 * the uplink), spoofed senders, the NIC's frames, how many frames a grant
 * copy call moves, and what a burst costs in events.
 */
#include "netback_fake.h"

static uint8_t fr[KEEL_PAGE_SIZE];
static const uint8_t stranger[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

KTEST(guest_to_guest_never_touches_the_uplink)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_rx_rsp r = { 0 };
    unsigned polls, ok = 0;

    fg_post_rx(b, NB_BATCH);
    for (unsigned i = 0; i < NB_BATCH; i++)
        fg_queue(a, fr, mk_g2g(fr, a, b, 1400, (uint8_t)i), (uint16_t)i);
    fg_push(a);
    polls = run_switch();
    while (fg_take_rx(b, &r) == 1)
        ok += r.status == 1434 && fg_rx_bytes(b, &r)[34] == (uint8_t)r.id;
    EXPECT_EQ(ok, NB_BATCH);
    EXPECT_EQ(up_count, 0);
    EXPECT_EQ(sw.st.uplink_tx, 0);
    EXPECT_EQ(polls, 2);                /* the second finds the ring empty */
    EXPECT_EQ(copy_calls, 2);           /* in, out */
    EXPECT_EQ(copy_max_segs, KEEL_GRANT_COPY_MAX);
    printf("    # %u guest-to-guest frames: %u grant copy calls, %u frames a call\n",
           NB_BATCH, copy_calls, NB_BATCH / copy_calls);
}

KTEST(strangers_go_to_the_uplink_in_one_call)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0);
    int16_t st[NB_BATCH];
    uint16_t len = 0;

    for (unsigned i = 0; i < NB_BATCH; i++) {
        len = mk_ipv4(fr, stranger, a->set.mac, a->set.ipv4_addr, 0x01020304, 1000,
                      (uint8_t)i);
        fg_queue(a, fr, len, (uint16_t)i);
    }
    fg_push(a);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, NB_BATCH), NB_BATCH);
    EXPECT_EQ(st[NB_BATCH - 1], KEEL_NET_OK);
    EXPECT_EQ(up_count, NB_BATCH);
    EXPECT(up_len[5] == len && up_frames[5][34] == 5);
    EXPECT_EQ(copy_calls, 1);
    printf("    # %u frames to the uplink: %u grant copy call\n", NB_BATCH, copy_calls);
    /* no uplink: nowhere to go */
    world(&ops_no_uplink, 16);
    a = fg_new(0);
    fg_send(a, fr, len, 1);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 4), 1);
    EXPECT_EQ(st[0], KEEL_NET_DROPPED);
}

KTEST(arp_for_a_guest_is_answered_by_the_switch)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_rx_rsp r = { 0 };
    struct nb_arp ans;
    int16_t st[4];

    fg_post_rx(a, 4);
    fg_post_rx(b, 4);
    fg_send(a, fr, mk_arp(fr, 1, bcast, a->set.mac, a->set.ipv4_addr, b->set.ipv4_addr), 1);
    fg_send(a, fr, mk_arp(fr, 1, bcast, a->set.mac, a->set.ipv4_addr, a->set.ipv4_addr), 2);
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 4), 2);
    EXPECT(st[0] == KEEL_NET_OK && st[1] == KEEL_NET_OK);
    EXPECT_EQ(fg_take_rx(a, &r), 1);
    EXPECT_EQ(r.status, NB_ARP_LEN);
    EXPECT(nb_parse_arp(fg_rx_bytes(a, &r), (uint16_t)r.status, &ans));
    EXPECT(ans.op == 2 && memcmp(ans.sha, b->set.mac, 6) == 0 &&
           ans.spa == b->set.ipv4_addr && memcmp(ans.tha, a->set.mac, 6) == 0 &&
           ans.tpa == a->set.ipv4_addr);
    EXPECT(memcmp(fg_rx_bytes(a, &r), a->set.mac, 6) == 0);
    EXPECT_EQ(fg_take_rx(a, &r), 0);    /* asking for itself: nothing */
    EXPECT_EQ(fg_rx_count(b), 0);       /* b never saw the broadcast */
    EXPECT_EQ(up_count, 0);
    EXPECT_EQ(sw.st.arp_answered, 1);
}

KTEST(broadcasts_do_not_fan_out)
{
    world(&ops_uplink, 64);
    struct fguest *g[50];
    int16_t st[4];
    unsigned got = 0;

    for (unsigned i = 0; i < 50; i++) {
        g[i] = fg_new(i);
        fg_post_rx(g[i], 4);
    }
    uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    fg_send(g[0], fr, mk_ipv4(fr, bcast, g[0]->set.mac, g[0]->set.ipv4_addr,
                              0xffffffffu, 60, 1), 1);
    fg_send(g[0], fr, mk_ipv4(fr, mcast, g[0]->set.mac, g[0]->set.ipv4_addr,
                              __builtin_bswap32(0xe0000001u), 60, 1), 2);
    fg_send(g[0], fr, mk_arp(fr, 1, bcast, g[0]->set.mac, g[0]->set.ipv4_addr,
                             __builtin_bswap32(0x0a0000fe)), 3);    /* the gateway */
    run_switch();
    for (unsigned i = 0; i < 50; i++)
        got += fg_rx_count(g[i]);
    EXPECT_EQ(got, 0);
    EXPECT_EQ(up_count, 3);
    EXPECT_EQ(fg_tx_statuses(g[0], st, 4), 3);
    EXPECT(st[0] == KEEL_NET_OK && st[2] == KEEL_NET_OK);
}

static uint8_t *toctou_frame;

/* The guest rewrites its frame's source right after each copy call. */
static void rewrite_source(void)
{
    memcpy(toctou_frame + 6, stranger, 6);
    memset(toctou_frame + 26, 0x66, 4);
}

KTEST(spoofed_senders_are_dropped_and_counted)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct keel_net_rx_rsp r = { 0 };
    int16_t st[8];
    uint16_t len;

    fg_post_rx(b, 8);
    fg_send(a, fr, mk_ipv4(fr, b->set.mac, stranger, a->set.ipv4_addr, b->set.ipv4_addr,
                           60, 1), 1);                                  /* MAC */
    fg_send(a, fr, mk_ipv4(fr, b->set.mac, a->set.mac, b->set.ipv4_addr, b->set.ipv4_addr,
                           60, 1), 2);                                  /* IPv4 */
    len = mk_arp(fr, 2, b->set.mac, a->set.mac, a->set.ipv4_addr, b->set.ipv4_addr);
    memcpy(fr + 22, stranger, 6);                                       /* ARP sha */
    fg_send(a, fr, len, 3);
    fg_send(a, fr, mk_arp(fr, 2, b->set.mac, a->set.mac, fg_ip(9), b->set.ipv4_addr), 4);
    len = mk_g2g(fr, a, b, 60, 1);
    fr[12] = 0x86;                                                      /* IPv6 */
    fr[13] = 0xdd;
    fg_send(a, fr, len, 5);
    fg_send(a, fr, (uint16_t)(mk_g2g(fr, a, b, 0, 1) - 1), 6);          /* short IPv4 */
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 7), 7);                         /* honest */
    run_switch();
    EXPECT_EQ(fg_tx_statuses(a, st, 8), 7);
    for (int i = 0; i < 6; i++)
        EXPECT_EQ(st[i], KEEL_NET_DROPPED);
    EXPECT_EQ(st[6], KEEL_NET_OK);
    EXPECT_EQ(a->vif.c.tx_spoofed, 4);
    EXPECT_EQ(a->vif.c.tx_dropped, 6);
    EXPECT_EQ(((struct keel_net_page *)a->mem[0])->tx_dropped, 6);
    EXPECT_EQ(log_lines, 1);
    EXPECT_EQ(up_count, 0);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.status == 94 && fg_rx_bytes(b, &r)[34] == 7);
    EXPECT_EQ(fg_take_rx(b, &r), 0);
    /* checked bytes are delivered bytes: a rewrite after the check is late */
    unsigned slot = a->txf.req_prod_pvt & (KEEL_NET_RING_SIZE - 1);
    toctou_frame = a->mem[3 + slot / 2] + slot % 2 * FG_SLOT;
    copy_hook = rewrite_source;
    len = mk_g2g(fr, a, b, 60, 8);
    fg_send(a, fr, len, 8);
    run_switch();
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.status == len && memcmp(fg_rx_bytes(b, &r), fr, len) == 0);
}

KTEST(frames_from_the_uplink)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    static uint8_t buf[3][KEEL_PAGE_SIZE * 2] __attribute__((aligned(4096)));
    struct nb_frame f[6];
    struct keel_net_rx_rsp r = { 0 };
    struct nb_arp ans;
    uint8_t *cross = buf[2] + KEEL_PAGE_SIZE - 100;

    fg_post_rx(b, 8);
    f[0] = (struct nb_frame){ buf[0], mk_ipv4(buf[0], b->set.mac, stranger, 0x01020304,
                                              b->set.ipv4_addr, 200, 5) };
    f[1] = (struct nb_frame){ buf[1], mk_ipv4(buf[1], stranger, stranger, 1, 2, 20, 1) };
    f[2] = (struct nb_frame){ buf[1] + 2048, mk_ipv4(buf[1] + 2048, bcast, stranger, 1,
                                                     0xffffffffu, 20, 1) };
    f[3] = (struct nb_frame){ cross, mk_ipv4(cross, b->set.mac, stranger, 0x01020304,
                                             b->set.ipv4_addr, 500, 9) };
    f[4] = (struct nb_frame){ buf[0] + 2048, mk_arp(buf[0] + 2048, 1, bcast, stranger,
                                                    0x01020304, a->set.ipv4_addr) };
    f[5] = (struct nb_frame){ buf[2], mk_ipv4(buf[2], b->set.mac, a->set.mac, 1, 2, 20, 1) };
    EXPECT(nb_switch_from_uplink(&sw, f, 6) >= 0);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.status == f[0].len && memcmp(fg_rx_bytes(b, &r), f[0].data, f[0].len) == 0);
    EXPECT_EQ(fg_take_rx(b, &r), 1);
    EXPECT(r.status == f[3].len && memcmp(fg_rx_bytes(b, &r), cross, f[3].len) == 0);
    EXPECT_EQ(fg_take_rx(b, &r), 0);
    EXPECT_EQ(sw.st.uplink_rx_dropped, 3);  /* stranger, broadcast, a guest's MAC */
    EXPECT_EQ(up_count, 1);                 /* the ARP answer */
    EXPECT(nb_parse_arp(up_frames[0], up_len[0], &ans) && ans.op == 2 &&
           memcmp(ans.sha, a->set.mac, 6) == 0 && memcmp(up_frames[0], stranger, 6) == 0);
    EXPECT_EQ(notified[fg_port(b)], 1);
    EXPECT_EQ(notified[fg_port(a)], 0);
}

KTEST(uplink_bursts_fill_copy_calls)
{
    world(&ops_uplink, 16);
    struct fguest *b = fg_new(1);
    static uint8_t buf[300][2048] __attribute__((aligned(4096)));
    static struct nb_frame f[300];

    fg_post_rx(b, 250);
    for (int i = 0; i < 300; i++)
        f[i] = (struct nb_frame){ buf[i], mk_ipv4(buf[i], b->set.mac, stranger, 1,
                                                  b->set.ipv4_addr, 1000, (uint8_t)i) };
    nb_switch_from_uplink(&sw, f, 300);
    EXPECT_EQ(fg_rx_count(b), 250);
    EXPECT_EQ(b->vif.hq->n, 50);               /* waiting for buffers */
    EXPECT_EQ(copy_calls, 2);
    EXPECT_EQ(copy_segs, 250);
    printf("    # 300 frames from the uplink, 250 buffers: %u grant copy calls\n",
           copy_calls);
}

/* One event each way for a burst, when each side asked for one. */
KTEST(a_burst_costs_one_event)
{
    world(&ops_uplink, 16);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    int16_t st[KEEL_NET_RING_SIZE];

    fg_post_rx(b, 200);
    EXPECT_EQ(keel_net_tx_front_final_check(&a->txf), 0);   /* a asks */
    EXPECT_EQ(keel_net_rx_front_final_check(&b->rxf), 0);   /* b asks */
    guest_events = 0;
    for (unsigned i = 0; i < 200; i++)
        fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), (uint16_t)i);
    EXPECT_EQ(guest_events, 1);
    EXPECT_EQ(run_switch(), 2);
    EXPECT_EQ(notified[fg_port(a)], 1);
    EXPECT_EQ(notified[fg_port(b)], 1);
    EXPECT_EQ(fg_tx_statuses(a, st, KEEL_NET_RING_SIZE), 200);
    EXPECT_EQ(fg_rx_count(b), 200);
    /* the backend drained the ring and asked again: the next frame sends an
     * event; a did not ask again (no final check), so it gets none */
    fg_post_rx(b, 1);
    fg_send(a, fr, mk_g2g(fr, a, b, 60, 1), 1);
    EXPECT_EQ(guest_events, 2);
    run_switch();
    EXPECT_EQ(notified[fg_port(a)], 1);
}

KTEST_MAIN(KTEST_CASE(guest_to_guest_never_touches_the_uplink),
           KTEST_CASE(strangers_go_to_the_uplink_in_one_call),
           KTEST_CASE(arp_for_a_guest_is_answered_by_the_switch),
           KTEST_CASE(broadcasts_do_not_fan_out),
           KTEST_CASE(spoofed_senders_are_dropped_and_counted),
           KTEST_CASE(frames_from_the_uplink),
           KTEST_CASE(uplink_bursts_fill_copy_calls),
           KTEST_CASE(a_burst_costs_one_event))

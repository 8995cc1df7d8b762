/*
 * sdk/netback at 4000 interfaces: what each costs, lookups that stay one
 * chain step, and work that follows the frames, never the interface count
 * (the idle interfaces' rings are corrupt: touching one would cut it off
 * and log).  Also adding, removing and the settings an interface needs.
 */
#include "netback_fake.h"

#define N_IFS 4000u

static uint8_t fr[KEEL_PAGE_SIZE];
static struct nb_if idle[N_IFS];
static struct keel_net_settings idle_set[N_IFS];
static _Alignas(4096) uint8_t bad_pages[3][KEEL_PAGE_SIZE];

static unsigned chain_len(struct nb_if *v, size_t link)
{
    unsigned n = 0;

    for (; v; v = *(struct nb_if **)((char *)v + link))
        n++;
    return n;
}

static int add_idle(unsigned n)
{
    struct nb_if_conf conf = { (keel_domid_t)(100 + n), 1000 + n, &idle_set[n],
                               { bad_pages[0], bad_pages[1], bad_pages[2] } };

    fg_settings(&idle_set[n], n);
    nb_if_init(&idle[n], &conf);
    return nb_switch_add(&sw, &idle[n]);
}

KTEST(four_thousand_interfaces)
{
    world(&ops_uplink, N_IFS);
    struct fguest *a = fg_new(N_IFS), *b = fg_new(N_IFS + 1);
    unsigned buckets, max_chain = 0, steps = 0;
    double per_if;

    keel_net_tx_sring_init((struct keel_net_tx_sring *)bad_pages[1]);
    for (unsigned n = 0; n < N_IFS - 2; n++)
        add_idle(n);
    ((struct keel_net_tx_sring *)bad_pages[1])->h.req_prod = 100000;
    EXPECT_EQ(sw.nifs, N_IFS);
    buckets = 1u << sw.bits;
    for (unsigned i = 0; i < buckets; i++) {
        unsigned m = chain_len(sw.mac_tab[i], offsetof(struct nb_if, mac_next));
        unsigned p = chain_len(sw.ip_tab[i], offsetof(struct nb_if, ip_next));
        max_chain = m > max_chain ? m : max_chain;
        max_chain = p > max_chain ? p : max_chain;
        steps += m * (m + 1) / 2 + p * (p + 1) / 2;     /* to find each */
    }
    EXPECT(max_chain <= 4);
    EXPECT(steps <= 2 * N_IFS * 3 / 2);                 /* 1.5 steps a lookup */
    for (unsigned n = 0; n < N_IFS - 2; n += 97)
        EXPECT(nb_switch_find_mac(&sw, idle_set[n].mac) == &idle[n] &&
               nb_switch_find_ipv4(&sw, idle_set[n].ipv4_addr) == &idle[n]);
    per_if = sizeof(struct nb_if) + 2.0 * sizeof(void *) * buckets / N_IFS;
    printf("    # %u interfaces: %zu bytes each + %.1f of hash buckets = %.0f bytes; "
           "longest chain %u, %.2f steps a lookup\n", N_IFS, sizeof(struct nb_if),
           per_if - sizeof(struct nb_if), per_if, max_chain, steps / (2.0 * N_IFS));
    EXPECT(per_if <= 192);
    /* two of them talk; none of the 3998 idle ones is looked at */
    fg_post_rx(b, 8);
    for (int i = 0; i < 8; i++)
        fg_send(a, fr, mk_g2g(fr, a, b, 100, (uint8_t)i), (uint16_t)i);
    EXPECT(run_switch() <= 2);
    EXPECT_EQ(fg_rx_count(b), 8);
    EXPECT_EQ(log_lines, 0);
    /* and the trap works: a kicked idle interface is cut off */
    nb_switch_kick(&sw, &idle[7]);
    run_switch();
    EXPECT_EQ(log_lines, 1);
    EXPECT_EQ(idle[7].state, NB_CUT);
}

KTEST(add_and_remove)
{
    world(&ops_uplink, 4);
    struct fguest *a = fg_new(0), *b = fg_new(1);
    struct nb_if twin;
    struct nb_if_conf conf = { 7, 7, &a->set, { a->mem[0], a->mem[1], a->mem[2] } };

    EXPECT_EQ(nb_if_init(&twin, &conf), 0);
    EXPECT_EQ(nb_switch_add(&sw, &twin), -KEEL_EEXIST);     /* a's MAC and address */
    fg_new(2);
    fg_new(3);
    EXPECT_EQ(add_idle(4), -KEEL_ENOSPC);
    EXPECT_EQ(sw.nifs, 4);
    /* b goes while queued: the switch forgets it */
    fg_send(b, fr, mk_g2g(fr, b, a, 60, 1), 1);
    nb_switch_remove(&sw, &b->vif);
    EXPECT(nb_switch_find_mac(&sw, b->set.mac) == NULL);
    EXPECT(nb_switch_find_ipv4(&sw, b->set.ipv4_addr) == NULL);
    EXPECT(nb_switch_find_mac(&sw, a->set.mac) == &a->vif);
    memset(&b->vif, 0xee, sizeof(b->vif));
    EXPECT_EQ(run_switch(), 1);
    EXPECT_EQ(sw.st.tx_frames, 0);
    EXPECT_EQ(add_idle(5), 0);
}

KTEST(settings_an_interface_needs)
{
    world(&ops_uplink, 4);
    struct fguest *a = fg_new(0);
    struct keel_net_settings s;
    struct nb_if v;
    struct nb_if_conf conf = { 7, 7, &s, { a->mem[0], a->mem[1], a->mem[2] } };

    fg_settings(&s, 9);
    EXPECT_EQ(nb_if_init(&v, &conf), 0);
    s.version = 2;
    EXPECT_EQ(nb_if_init(&v, &conf), -KEEL_EINVAL);
    fg_settings(&s, 9);
    s.mtu = 100;
    EXPECT_EQ(nb_if_init(&v, &conf), -KEEL_EINVAL);
    s.mtu = KEEL_NET_MTU_MAX + 1;
    EXPECT_EQ(nb_if_init(&v, &conf), -KEEL_EINVAL);
    fg_settings(&s, 9);
    s.mac[0] |= 1;                                          /* multicast */
    EXPECT_EQ(nb_if_init(&v, &conf), -KEEL_EINVAL);
    fg_settings(&s, 9);
    s.ipv4_addr = 0;
    EXPECT_EQ(nb_if_init(&v, &conf), -KEEL_EINVAL);
    fg_settings(&s, 9);
    conf.page[2] = NULL;
    EXPECT_EQ(nb_if_init(&v, &conf), -KEEL_EINVAL);
}

KTEST_MAIN(KTEST_CASE(four_thousand_interfaces), KTEST_CASE(add_and_remove),
           KTEST_CASE(settings_an_interface_needs))

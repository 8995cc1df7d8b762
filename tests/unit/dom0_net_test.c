/*
 * dom0/net.c: the addresses every guest gets from keel/launch.h's plan,
 * the NIC entry only for images that ask (their devices note), and the
 * budget: 4000 interfaces accepted (each one's pages beside a console's in
 * dom0's grant window, one port per guest), the next refused before
 * anything is allocated for it.  libos's connection helper and netback are
 * stubbed: what is tested is the toolstack's arithmetic.
 */
#include "ktest.h"
#include "dom0_fakehv.h"
#include "../../dom0/ctl.c"
#include "../../dom0/devpage.c"
#include "../../dom0/net.c"
#include "../../dom0/backend_conn.c"

/* a.b.c.d in network order */
static uint32_t inet_addr4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return __builtin_bswap32(a << 24 | b << 16 | c << 8 | d);
}

struct nb_switch net_sw;
static int inits;

void net_wake(void) {}
void nb_switch_kick(struct nb_switch *sw, struct nb_if *v) { (void)sw, (void)v; }
int nb_if_init(struct nb_if *v, const struct nb_if_conf *c) { (void)v, (void)c; return 0; }
int nb_switch_add(struct nb_switch *sw, struct nb_if *v) { (void)sw, (void)v; return 0; }
void nb_switch_remove(struct nb_switch *sw, struct nb_if *v) { (void)sw, (void)v; }
int libos_conn_init(struct libos_conn *c, const struct keel_device *d, uint8_t **page,
                    keel_grant_handle_t *handle, libos_evtchn_handler_t fn, void *arg)
{
    (void)c, (void)d, (void)page, (void)handle, (void)fn, (void)arg;
    inits++;
    return 0;
}
long libos_conn_map(struct libos_conn *c, uint32_t n) { (void)c, (void)n; return -KEEL_ENOENT; }
long libos_conn_peer_state(const struct libos_conn *c) { (void)c; return 0; }
void libos_conn_connect(struct libos_conn *c) { (void)c; }
void libos_conn_release(struct libos_conn *c) { (void)c; }

KTEST(settings_follow_the_plan)
{
    struct keel_net_settings s;
    static const uint8_t mac0[6] = { 0x02, 0x4b, 10, 0, 1, 1 };
    static const uint8_t mac_last[6] = { 0x02, 0x4b, 10, 0, 47, 224 };

    fake_reset();
    net_settings(0, &s);
    EXPECT(memcmp(s.mac, mac0, 6) == 0);
    EXPECT_EQ(s.ipv4_addr, inet_addr4(10, 0, 1, 1));
    EXPECT_EQ(s.ipv4_netmask, inet_addr4(255, 255, 0, 0));
    EXPECT_EQ(s.ipv4_gateway, inet_addr4(10, 0, 0, 2));
    EXPECT_EQ(s.mtu, 1500);
    EXPECT_EQ(s.version, KEEL_NET_VERSION);
    net_settings(KEEL_LAUNCH_MAX_GUESTS - 1, &s);
    EXPECT(memcmp(s.mac, mac_last, 6) == 0);
    EXPECT_EQ(s.ipv4_addr, inet_addr4(10, 0, 47, 224));
    EXPECT(!(s.mac[0] & 1) && (s.mac[0] & 2));        /* unicast, local */
}

KTEST(a_nic_only_for_images_that_ask)
{
    static struct devpage dp;
    struct guest g = { .idx = 7, .dev = &dp };
    struct keel_net_settings s;

    devpage_init(&dp);
    EXPECT_EQ(net_plan(&g), 0);
    EXPECT_EQ(dp.page.nr_devices, 0);                 /* hello: none */
    g.info.devices = KEEL_NOTE_DEV_NET;
    EXPECT_EQ(net_plan(&g), 0);
    EXPECT_EQ(dp.page.nr_devices, 1);
    EXPECT_EQ(dp.page.dev[0].type, KEEL_DEV_NET);
    EXPECT_EQ(dp.page.dev[0].role, KEEL_DEV_GRANTER);
    EXPECT_EQ(dp.page.dev[0].ring_pages, KEEL_NET_RING_PAGES);
    EXPECT_EQ(dp.page.dev[0].peer_domid, 0);
    memcpy(&s, dp.page.dev[0].settings, sizeof(s));
    EXPECT_EQ(s.ipv4_addr, inet_addr4(10, 0, 1, 8));
}

/* dom0's budgets for 4000 guests with a NIC each (keel/launch.h). */
KTEST(four_thousand_interfaces_fit_and_no_more)
{
    static struct devpage dp;
    struct guest g = { .dev = &dp, .port = 5 };
    long rc = 0;

    EXPECT(KEEL_LAUNCH_MAX_GUESTS * (1 + KEEL_NET_RING_PAGES) <= KEEL_GRANT_MAX_MAPS);
    EXPECT(KEEL_LAUNCH_MAX_GUESTS + 3 <= KEEL_EVTCHN_PORTS - 1);   /* + 2 VIRQs, the NIC */
    devpage_init(&dp);
    g.info.devices = KEEL_NOTE_DEV_NET;
    EXPECT_EQ(net_plan(&g), 0);
    for (uint32_t i = 0; i < KEEL_LAUNCH_MAX_GUESTS && rc == 0; i++) {
        g.idx = (int)i;
        g.domid = i + 1;
        rc = net_connect(&g);
    }
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(nvifs, KEEL_LAUNCH_MAX_GUESTS);
    g.domid = KEEL_LAUNCH_MAX_GUESTS + 1;
    inits = 0;
    EXPECT_EQ(net_connect(&g), -KEEL_ENOSPC);
    EXPECT_EQ(inits, 0);                              /* refused first */
    net_detach(1);
    EXPECT_EQ(net_connect(&g), 0);                    /* a slot again */
    for (uint32_t d = 2; d <= KEEL_LAUNCH_MAX_GUESTS + 1; d++)
        net_detach(d);
    EXPECT_EQ(nvifs, 0);
    EXPECT(waiting == NULL);
}

KTEST_MAIN(KTEST_CASE(settings_follow_the_plan), KTEST_CASE(a_nic_only_for_images_that_ask),
           KTEST_CASE(four_thousand_interfaces_fit_and_no_more))

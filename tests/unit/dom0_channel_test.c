/*
 * dom0/channel.c: which guests are held, the entries each end gets, the
 * wiring once both exist, and a channel whose peer failed disappearing
 * from the survivor's device page.
 */
#include "ktest.h"
#include "dom0_fakehv.h"
#include "../../dom0/ctl.c"
#include "../../dom0/devpage.c"
#include "../../dom0/channel.c"

static struct mf_connect conns[2] = { { 0, 1, "chan" }, { 2, 1, "side" } };
static struct manifest man = { 4, NULL, 2, conns, 1, 0, NULL, false, 0 };
static struct guest g[4];
static struct devpage dp[4];

static void plan_all(int *ktest_failed)
{
    fake_reset();
    for (int i = 0; i < 4; i++) {
        g[i] = (struct guest){ .idx = i, .status = -1, .dev = &dp[i],
                               .domid = 10 + (uint32_t)i };
        devpage_init(&dp[i]);
        devpage_add_granter(&dp[i], KEEL_DEV_CONSOLE, "console", 0, 2);
        EXPECT_EQ(chan_plan(&g[i]), 0);
    }
}

KTEST(held_and_planned)
{
    EXPECT_EQ(chan_setup(&man), 0);
    EXPECT(chan_held(0) && chan_held(1) && chan_held(2) && !chan_held(3));
    plan_all(ktest_failed);
    EXPECT_EQ(dp[0].page.nr_devices, 2);
    EXPECT_EQ(dp[1].page.nr_devices, 3);
    EXPECT_EQ(dp[3].page.nr_devices, 1);
    const struct keel_device *a = &dp[0].page.dev[1];
    EXPECT(a->type == KEEL_DEV_CHANNEL && a->role == KEEL_DEV_GRANTER &&
           a->ring_ref == 2 && a->ring_pages == KEEL_CHANNEL_RING_PAGES(KEEL_CHANNEL_DATA_PAGES));
    EXPECT_EQ(dp[0].ring_pages, 2 + a->ring_pages);
    const struct keel_channel_settings *s = (const void *)a->settings;
    EXPECT(s->version == KEEL_CHANNEL_VERSION && s->data_pages == KEEL_CHANNEL_DATA_PAGES);
}

KTEST(wired)
{
    chan_setup(&man);
    plan_all(ktest_failed);
    chan_wire(g, 4);
    const struct keel_device *a = &dp[0].page.dev[1], *b = &dp[1].page.dev[1];
    const struct keel_device *c = &dp[2].page.dev[1], *d = &dp[1].page.dev[2];
    EXPECT(a->peer_domid == 11 && b->peer_domid == 10);
    EXPECT(a->port == b->port && a->port > 0);
    EXPECT(b->role == KEEL_DEV_MAPPER && b->ring_ref == a->ring_ref);
    EXPECT(!strcmp(d->name, "side") && d->peer_domid == 12 && c->peer_domid == 11);
    EXPECT(c->port == d->port && c->port != a->port);
}

KTEST(failed_peer_removes_entry)
{
    chan_setup(&man);
    plan_all(ktest_failed);
    g[0].status = 126;          /* granter of "chan" was rejected */
    g[0].dev = NULL;
    chan_wire(g, 4);
    EXPECT_EQ(dp[1].page.dev[1].type, 0);            /* mapper's "chan" gone */
    EXPECT_EQ(dp[1].page.dev[2].type, KEEL_DEV_CHANNEL);   /* "side" fine */
}

KTEST(full_device_page)
{
    static struct mf_connect many[8];
    struct manifest mm = { 2, NULL, 8, many, 1, 0, NULL, false, 0 };
    for (int i = 0; i < 8; i++)
        many[i] = (struct mf_connect){ 0, 1, "c" };
    many[0].name[0] = 'a';      /* names need not be unique here */
    chan_setup(&mm);
    devpage_init(&dp[0]);
    g[0] = (struct guest){ .idx = 0, .status = -1, .dev = &dp[0] };
    EXPECT_EQ(chan_plan(&g[0]), -1);   /* 8 x 33 refs > DEVPAGE_MAX_REFS */
}

KTEST_MAIN(KTEST_CASE(held_and_planned), KTEST_CASE(wired),
           KTEST_CASE(failed_peer_removes_entry), KTEST_CASE(full_device_page))

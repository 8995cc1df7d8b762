/* Assembling device pages (dom0/devpage.c): references, placement, limits. */
#include "ktest.h"
#include "../../dom0/devpage.c"

static struct devpage dp;

KTEST(empty_page_is_valid)
{
    devpage_init(&dp);
    EXPECT(memcmp(dp.page.magic, KEEL_DEVPAGE_MAGIC, 8) == 0);
    EXPECT_EQ(dp.page.version, KEEL_DEVPAGE_VERSION);
    EXPECT_EQ(dp.page.nr_devices, 0);
    EXPECT_EQ(dp.ring_pages, 0);
}

KTEST(granters_get_refs_and_rings_in_order)
{
    devpage_init(&dp);
    struct keel_device *a = devpage_add_granter(&dp, KEEL_DEV_CONSOLE, "console", 0, 11);
    struct keel_device *m = devpage_add_mapper(&dp, KEEL_DEV_CHANNEL, "in", 3, 40, 4, 9);
    struct keel_device *b = devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "out", 2, 5);
    EXPECT(a && m && b);
    EXPECT_EQ(a->ring_ref, 0);
    EXPECT_EQ(b->ring_ref, 11);
    EXPECT_EQ(m->ring_ref, 40);
    EXPECT_EQ(m->port, 9);
    EXPECT_EQ(dp.ring_pages, 16);
    devpage_place(&dp, 0x500000);
    EXPECT_EQ(a->ring_va, 0x500000);
    EXPECT_EQ(b->ring_va, 0x500000 + 11 * 4096);
    EXPECT_EQ(m->ring_va, 0);                 /* mappers own no pages */
    EXPECT_EQ(dp.page.nr_devices, 3);
}

KTEST(limits)
{
    char name[KEEL_DEV_NAME_MAX + 1];

    devpage_init(&dp);
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    EXPECT(!devpage_add_granter(&dp, KEEL_DEV_CHANNEL, name, 0, 1));   /* no NUL room */
    EXPECT(!devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "z", 0, 0));    /* no pages */
    EXPECT(!devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "big", 0, DEVPAGE_MAX_REFS + 1));
    EXPECT(!devpage_add_mapper(&dp, KEEL_DEV_CHANNEL, "m", 1, DEVPAGE_MAX_REFS, 1, 1));
    EXPECT(devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "all", 0, DEVPAGE_MAX_REFS));
    EXPECT(!devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "more", 0, 1)); /* refs used up */
    devpage_init(&dp);
    for (unsigned i = 0; i < KEEL_DEVPAGE_MAX; i++)
        EXPECT(devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "c", 0, 1));
    EXPECT(!devpage_add_granter(&dp, KEEL_DEV_CHANNEL, "c", 0, 1));    /* page full */
    EXPECT_EQ(dp.page.nr_devices, KEEL_DEVPAGE_MAX);
}

KTEST_MAIN(KTEST_CASE(empty_page_is_valid),
           KTEST_CASE(granters_get_refs_and_rings_in_order), KTEST_CASE(limits))

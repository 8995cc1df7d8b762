/* Host tests for hv/common/foreign.c (the foreign window allocator). */
#include "ktest.h"
#include "../../hv/common/foreign.c"

static struct fwindow w;
#define B 0x200000000000ull

KTEST(first_fit_and_reuse)
{
    fwin_init(&w, B, 100);
    EXPECT_EQ(fwin_alloc(&w, 10, NULL), 0);
    EXPECT_EQ(fwin_alloc(&w, 20, NULL), 1);
    EXPECT_EQ(w.r[1].va, B + 10 * 4096);
    EXPECT_EQ(fwin_find(&w, B, 10), 0);
    fwin_remove(&w, 0);
    EXPECT_EQ(fwin_alloc(&w, 5, NULL), 0);            /* into the hole */
    EXPECT_EQ(w.r[0].va, B);
    EXPECT_EQ(fwin_alloc(&w, 6, NULL), 2);            /* hole too small: after */
    EXPECT_EQ(w.r[2].va, B + 30 * 4096);
    EXPECT_EQ(fwin_alloc(&w, 64, NULL), 3);
    EXPECT_EQ(fwin_alloc(&w, 2, NULL), 1);            /* the 5-page gap */
    EXPECT_EQ(fwin_alloc(&w, 100, NULL), -KEEL_ENOSPC);
}

KTEST(bad_requests)
{
    fwin_init(&w, B, 100);
    EXPECT_EQ(fwin_alloc(&w, 0, NULL), -KEEL_ENOSPC);
    EXPECT_EQ(fwin_alloc(&w, 101, NULL), -KEEL_ENOSPC);
    EXPECT_EQ(fwin_alloc(&w, ~0ull, NULL), -KEEL_ENOSPC);
    EXPECT_EQ(fwin_alloc(&w, 100, NULL), 0);
    EXPECT_EQ(fwin_find(&w, B, 99), -KEEL_EINVAL);    /* only whole regions */
    EXPECT_EQ(fwin_find(&w, B + 4096, 99), -KEEL_EINVAL);
    EXPECT_EQ(fwin_find(&w, B, 100), 0);
}

KTEST(region_limit)
{
    fwin_init(&w, B, 1ull << 20);
    for (unsigned i = 0; i < FWIN_MAX_REGIONS; i++)
        fwin_alloc(&w, 1, NULL);
    EXPECT_EQ(w.n, FWIN_MAX_REGIONS);
    EXPECT_EQ(fwin_alloc(&w, 1, NULL), -KEEL_ENOSPC);
    for (unsigned i = 0; i + 1 < FWIN_MAX_REGIONS; i++)
        EXPECT(w.r[i].va < w.r[i + 1].va);
}

KTEST_MAIN(KTEST_CASE(first_fit_and_reuse), KTEST_CASE(bad_requests), KTEST_CASE(region_limit))

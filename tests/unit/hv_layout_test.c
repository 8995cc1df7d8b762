/* Host tests for hv/common/layout.c: dom0's memory layout (start_info.h). */
#include "ktest.h"
#include "../../lib/image/layout.c"
#include "../../hv/common/layout.c"

KTEST(dom0_like)
{
    struct guest_layout l; const char *why;
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE + 0x5123, 1 << 20, 64 << 10, 3, 5, &l, &why), 0);
    EXPECT_EQ(l.info_va, KEEL_GUEST_BASE + 0x6000);
    EXPECT_EQ(l.modules_va % 16, 0);
    EXPECT_EQ(l.args_va, l.modules_va + 3 * sizeof(struct keel_module));
    EXPECT_EQ(l.heap_start % 4096, 0);
    EXPECT(l.heap_start >= l.args_va + 5);
    EXPECT_EQ(l.stack_top, KEEL_GUEST_BASE + (1 << 20));
    EXPECT_EQ(l.heap_end, l.stack_top - (64 << 10) - 4096);
    EXPECT_EQ(l.stack_top % 16, 0);
}

KTEST(too_small)
{
    struct guest_layout l; const char *why;
    /* image + info page + guard + stack do not fit */
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE + 0x3000, 0x6000, 0x2000, 0, 5, &l, &why),
              -KEEL_EINVAL);
    /* exactly fits: the heap is empty */
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE + 0x3000, 0x7000, 0x2000, 0, 5, &l, &why), 0);
    EXPECT_EQ(l.heap_start, l.heap_end);
}

KTEST(bad_inputs)
{
    struct guest_layout l; const char *why;
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE, 0, 0, 0, 0, &l, &why), -KEEL_EINVAL);
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE, 1 << 20, 1 << 20, 0, 0, &l, &why), -KEEL_EINVAL);
    EXPECT_EQ(guest_layout_compute(~0ull, 1 << 20, 4096, 0, 0, &l, &why), -KEEL_EINVAL);
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE, 1 << 20, 4096, 0, ~0ull, &l, &why), -KEEL_EINVAL);
    EXPECT_EQ(guest_layout_compute(KEEL_GUEST_BASE, 1 << 20, 4096, ~0u, 0, &l, &why), -KEEL_EINVAL);
}

KTEST_MAIN(KTEST_CASE(dom0_like), KTEST_CASE(too_small), KTEST_CASE(bad_inputs))

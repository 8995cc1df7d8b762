/*
 * The libos program break (sdk/libos/heap.c): sbrk must hand out exactly
 * [start, end), fail cleanly (nothing changed) at both ends, and survive
 * increments chosen to wrap naive pointer arithmetic.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../sdk/libos/heap.c"

#define START 0x500000ul
#define END   0x580000ul

KTEST(grows_and_returns_old_break)
{
    struct libos_heap h;

    libos_heap_init(&h, START, END);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 0), START);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 4096), START);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 16), START + 4096);
    EXPECT_EQ(h.brk, START + 4096 + 16);
}

KTEST(fills_exactly_to_the_end)
{
    struct libos_heap h;

    libos_heap_init(&h, START, END);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, END - START), START);
    EXPECT(libos_heap_grow(&h, 1) == NULL);
    EXPECT_EQ(h.brk, END);
}

KTEST(refuses_past_end_without_change)
{
    struct libos_heap h;

    libos_heap_init(&h, START, END);
    libos_heap_grow(&h, 100);
    EXPECT(libos_heap_grow(&h, END - START) == NULL);
    EXPECT_EQ(h.brk, START + 100);
}

KTEST(shrinks_but_not_below_start)
{
    struct libos_heap h;

    libos_heap_init(&h, START, END);
    libos_heap_grow(&h, 8192);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, -4096), START + 8192);
    EXPECT_EQ(h.brk, START + 4096);
    EXPECT(libos_heap_grow(&h, -4097) == NULL);
    EXPECT_EQ(h.brk, START + 4096);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, -4096), START + 4096);
    EXPECT_EQ(h.brk, START);
}

KTEST(wrapping_increments_fail)
{
    struct libos_heap h;

    libos_heap_init(&h, START, END);
    EXPECT(libos_heap_grow(&h, INTPTR_MAX) == NULL);
    EXPECT(libos_heap_grow(&h, INTPTR_MIN) == NULL);
    EXPECT(libos_heap_grow(&h, -(intptr_t)START) == NULL);
    EXPECT_EQ(h.brk, START);
}

KTEST(empty_heap)
{
    struct libos_heap h;

    libos_heap_init(&h, START, START);
    EXPECT(libos_heap_grow(&h, 1) == NULL);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 0), START);
    libos_heap_init(&h, END, START);   /* inverted range: treated as empty */
    EXPECT(libos_heap_grow(&h, 1) == NULL);
}

KTEST_MAIN(KTEST_CASE(grows_and_returns_old_break), KTEST_CASE(fills_exactly_to_the_end),
           KTEST_CASE(refuses_past_end_without_change), KTEST_CASE(shrinks_but_not_below_start),
           KTEST_CASE(wrapping_increments_fail), KTEST_CASE(empty_heap))

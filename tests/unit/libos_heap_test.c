/*
 * The libos program break (sdk/libos/heap.c): sbrk must hand out exactly
 * [start, end), fail cleanly (nothing changed) at both ends, and survive
 * increments chosen to wrap naive pointer arithmetic.
 */
#include <stdint.h>
#include <string.h>
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

/* A fake hypervisor for memory on demand: pages backed one byte each,
 * refusing INCREASE beyond `limit` backed pages, or any call when told. */
#define BIG_END (START + (64ul << 20))
static uint8_t fake_backed[(BIG_END - START) / 4096];
static uint64_t fake_limit, fake_count, fake_calls;
static int fake_refuse_decrease;

static long fake_op(uint32_t cmd, uintptr_t va, uint64_t npages)
{
    uint64_t p0 = (va - START) / 4096;

    fake_calls++;
    if (va % 4096 || va < START || npages == 0 || npages > KEEL_MEMORY_OP_MAX_PAGES ||
        p0 + npages > sizeof(fake_backed))
        return -KEEL_EINVAL;
    for (uint64_t p = p0; p < p0 + npages; p++)
        if (fake_backed[p] != (cmd == KEEL_MEMORY_DECREASE))
            return -KEEL_EINVAL;
    if (cmd == KEEL_MEMORY_INCREASE && fake_count + npages > fake_limit)
        return -KEEL_ENOMEM;
    if (cmd == KEEL_MEMORY_DECREASE && fake_refuse_decrease)
        return -KEEL_EBUSY;
    memset(fake_backed + p0, cmd == KEEL_MEMORY_INCREASE, npages);
    fake_count = cmd == KEEL_MEMORY_INCREASE ? fake_count + npages : fake_count - npages;
    return 0;
}

static void on_demand(struct libos_heap *h, uint64_t backed_pages, uint64_t limit)
{
    memset(fake_backed, 0, sizeof(fake_backed));
    memset(fake_backed, 1, backed_pages);
    fake_count = backed_pages;
    fake_limit = limit;
    fake_calls = 0;
    fake_refuse_decrease = 0;
    libos_heap_init(h, START, BIG_END);
    libos_heap_on_demand(h, START + backed_pages * 4096, fake_op);
}

/* Small breaks inside what is backed ask nothing; a break past it asks
 * for a chunk more (one call: as much as was backed, 64 KiB here), and
 * the pages are exactly the break's. */
KTEST(grows_by_chunks_on_demand)
{
    struct libos_heap h;

    on_demand(&h, 16, 1u << 20);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 16 * 4096), START);
    EXPECT_EQ(fake_calls, 0);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 1), START + 16 * 4096);
    EXPECT_EQ(fake_calls, 1);
    EXPECT_EQ(h.backed, START + 17 * 4096 + 16 * 4096);
    EXPECT_EQ(fake_count, (h.backed - START) / 4096);
    /* 40 MiB at once: several calls, none larger than the ABI allows */
    EXPECT(libos_heap_grow(&h, 40 << 20) != NULL);
    EXPECT(h.backed >= h.brk);
    EXPECT_EQ(fake_count, (h.backed - START) / 4096);
}

/* A small heap stays small: each growth asks for as much as is backed
 * (at least LIBOS_HEAP_MIN_CHUNK), never more than LIBOS_HEAP_CHUNK. */
KTEST(small_heap_grows_by_doubling)
{
    struct libos_heap h;
    uintptr_t was;

    on_demand(&h, 1, 1u << 20);
    EXPECT((uintptr_t)libos_heap_grow(&h, 4096 + 1) == START);
    EXPECT_EQ(h.backed, START + 2 * 4096 + LIBOS_HEAP_MIN_CHUNK);
    for (int i = 0; i < 12; i++) {
        was = h.backed;
        libos_heap_grow(&h, (intptr_t)(h.backed - h.brk) + 1);
        uintptr_t had = was - START, more = had > LIBOS_HEAP_CHUNK ? LIBOS_HEAP_CHUNK : had;
        EXPECT_EQ(h.backed, was + 4096 + more);
    }
    EXPECT_EQ(fake_count, (h.backed - START) / 4096);
}

/* Refused (the guest's maximum, or a full machine): NULL and the break
 * unchanged; with room for what the break needs but not the chunk more,
 * just that. */
KTEST(refusal_fails_cleanly_and_needs_no_chunk)
{
    struct libos_heap h;

    on_demand(&h, 16, 100);
    EXPECT(libos_heap_grow(&h, 101 * 4096) == NULL);
    EXPECT_EQ(h.brk, START);
    EXPECT(h.backed <= START + 100 * 4096);
    EXPECT_EQ((uintptr_t)libos_heap_grow(&h, 99 * 4096), START);   /* chunk refused, need fits */
    EXPECT(h.backed >= START + 99 * 4096);
    EXPECT(libos_heap_grow(&h, 2 * 4096) == NULL);
    EXPECT_EQ(h.brk, START + 99 * 4096);
}

/* A break that falls far below what is backed gives the pages above it
 * plus one chunk back; a refused DECREASE keeps them. */
KTEST(trims_what_the_break_left)
{
    struct libos_heap h;

    on_demand(&h, 16, 1u << 20);
    libos_heap_grow(&h, 32 << 20);
    libos_heap_grow(&h, -(intptr_t)(32 << 20));
    EXPECT_EQ(h.brk, START);
    EXPECT_EQ(h.backed, START + LIBOS_HEAP_CHUNK);
    EXPECT_EQ(fake_count, LIBOS_HEAP_CHUNK / 4096);
    libos_heap_grow(&h, 8 << 20);
    fake_refuse_decrease = 1;
    uintptr_t backed = h.backed;
    libos_heap_grow(&h, -(intptr_t)(8 << 20));
    EXPECT_EQ(h.backed, backed);
    EXPECT_EQ(fake_count, (h.backed - START) / 4096);
}

/* The libos sets it up only from a sane start info: a backed end outside
 * the heap or unaligned leaves the heap as it was (all backed). */
KTEST(bad_backed_end_is_ignored)
{
    struct libos_heap h;

    libos_heap_init(&h, START, END);
    libos_heap_on_demand(&h, END + 4096, fake_op);
    EXPECT(h.memory_op == NULL);
    libos_heap_on_demand(&h, START + 1, fake_op);
    EXPECT(h.memory_op == NULL);
    EXPECT_EQ(h.backed, END);
}

KTEST_MAIN(KTEST_CASE(grows_and_returns_old_break), KTEST_CASE(grows_by_chunks_on_demand),
           KTEST_CASE(small_heap_grows_by_doubling),
           KTEST_CASE(refusal_fails_cleanly_and_needs_no_chunk),
           KTEST_CASE(trims_what_the_break_left), KTEST_CASE(bad_backed_end_is_ignored), KTEST_CASE(fills_exactly_to_the_end),
           KTEST_CASE(refuses_past_end_without_change), KTEST_CASE(shrinks_but_not_below_start),
           KTEST_CASE(wrapping_increments_fail), KTEST_CASE(empty_heap))

/* Host unit test of the frame allocator (hv/mm/frame.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include "ktest.h"
#include "../../hv/mm/frame.c"

#define MiB (1ull << 20)
#define RAM_END (64 * MiB)

static uint8_t *ram_mem;          /* host memory standing for RAM */
static jmp_buf panic_jmp;
static int panics;

void panic(const char *fmt, ...)
{
    (void)fmt;
    panics++;
    longjmp(panic_jmp, 1);
}

static void *to_virt(uint64_t pa) { return ram_mem + pa; }

static const struct phys_range ram[] = {
    { 0, 0x9fc00 }, { MiB, RAM_END - 0x800 },   /* unaligned end */
};
static const struct phys_range rsv[] = {
    { MiB, 2 * MiB },                          /* "the image" */
    { 3 * MiB + 100, 3 * MiB + 5000 },         /* an unaligned module */
};

static void setup(void)
{
    if (!ram_mem)
        ram_mem = calloc(1, RAM_END);
    frames_init(ram, 2, rsv, 2, to_virt);
}

static bool in_rsv(uint64_t pa)
{
    return pa < 2 * MiB || (pa >= 3 * MiB && pa < 3 * MiB + 2 * 4096) ||
           pa >= RAM_END - 4096;
}

KTEST(counts_exclude_reserved)
{
    setup();
    /* 64 MiB - 2 MiB (low + image) - 2 module pages - 1 partial page -
     * 1 bitmap page (2 KiB of bits rounded up) */
    EXPECT_EQ(frames_total_count(), (RAM_END - 2 * MiB) / 4096 - 2 - 1 - 1);
    EXPECT_EQ(frames_free_count(), frames_total_count());
}

KTEST(alloc_all_unique_and_outside_reserved)
{
    setup();
    uint64_t n = frames_free_count(), got = 0, pa;
    uint8_t *seen = calloc(RAM_END / 4096, 1);
    while ((pa = frame_alloc()) != 0) {
        EXPECT(!(pa & 4095));
        EXPECT(!in_rsv(pa));
        EXPECT(!seen[pa / 4096]);
        EXPECT(pa != (uint64_t)((uint8_t *)bitmap - ram_mem));
        seen[pa / 4096] = 1;
        got++;
    }
    EXPECT_EQ(got, n);
    EXPECT_EQ(frames_free_count(), 0);
    for (uint64_t f = 0; f < RAM_END / 4096; f++)
        if (seen[f])
            frame_free(f * 4096);
    EXPECT_EQ(frames_free_count(), n);
    free(seen);
}

KTEST(range_is_contiguous_and_free)
{
    setup();
    uint64_t before = frames_free_count();
    uint64_t a = frames_alloc_range(300);
    EXPECT(a != 0);
    for (uint64_t i = 0; i < 300; i++)
        EXPECT(!in_rsv(a + i * 4096));
    uint64_t b = frames_alloc_range(300);
    EXPECT(b >= a + 300 * 4096 || b + 300 * 4096 <= a);
    EXPECT_EQ(frames_free_count(), before - 600);
    EXPECT_EQ(frames_alloc_range(1ull << 40), 0);
    EXPECT_EQ(frames_alloc_range(0), 0);
    frames_free_range(a, 300);
    frames_free_range(b, 300);
    EXPECT_EQ(frames_free_count(), before);
}

KTEST(double_and_bad_free_panic)
{
    setup();
    uint64_t pa = frame_alloc();
    frame_free(pa);
    panics = 0;
    if (!setjmp(panic_jmp))
        frame_free(pa);
    EXPECT_EQ(panics, 1);
    if (!setjmp(panic_jmp))
        frame_free(pa + 12);
    if (!setjmp(panic_jmp))
        frame_free(0);
    if (!setjmp(panic_jmp))
        frame_free(1ull << 50);
    EXPECT_EQ(panics, 4);
}

KTEST(no_ram_fails)
{
    struct phys_range tiny[] = { { 0, 0x9fc00 } };
    EXPECT_EQ(frames_init(tiny, 1, NULL, 0, to_virt), -1);
    EXPECT_EQ(frames_init(NULL, 0, NULL, 0, to_virt), -1);
}

KTEST_MAIN(KTEST_CASE(counts_exclude_reserved),
           KTEST_CASE(alloc_all_unique_and_outside_reserved),
           KTEST_CASE(range_is_contiguous_and_free),
           KTEST_CASE(double_and_bad_free_panic),
           KTEST_CASE(no_ram_fails))

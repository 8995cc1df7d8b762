/* Host unit test of the frame allocator (hv/mm/frame.c) and of the domain
 * charges built on its reserves (hv/mm/charge.c). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include "ktest.h"
#include "../../hv/mm/frame.c"
#include "../../hv/mm/charge.c"

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

/* free every frame marked in seen[] */
static void free_seen(const uint8_t *seen)
{
    for (uint64_t f = 0; f < RAM_END / 4096; f++)
        if (seen[f])
            frame_free(f * 4096);
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
    free_seen(seen);
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

/* fill the pool to its cap; returns the frames it holds */
static uint64_t fill_pool(void)
{
    while (frames_prezero_some(FRAME_PREZERO_MAX))
        ;
    return frames_pool_count();
}

/* every free frame's contents to 0xa5 */
static void dirty_free_frames(void)
{
    uint64_t pa, n = 0;
    uint64_t *all = calloc(RAM_END / 4096, sizeof(*all));
    while ((pa = frame_alloc()) != 0) {
        memset(ram_mem + pa, 0xa5, 4096);
        all[n++] = pa;
    }
    while (n)
        frame_free(all[--n]);
    free(all);
}

static bool page_is_zero(uint64_t pa)
{
    for (uint64_t i = 0; i < 4096; i++)
        if (ram_mem[pa + i])
            return false;
    return true;
}

KTEST(pool_fills_to_cap_and_keeps_counts)
{
    setup();
    dirty_free_frames();
    uint64_t free0 = frames_free_count();
    EXPECT(frames_prezero_some(5));
    EXPECT_EQ(frames_pool_count(), 5);
    EXPECT_EQ(frames_free_count(), free0);
    uint64_t n = fill_pool();
    EXPECT_EQ(n, frames_total_count() / 8);
    EXPECT(n <= FRAME_POOL_MAX);
    EXPECT(!frames_prezero_some(FRAME_PREZERO_MAX));      /* full: no work */
    EXPECT_EQ(frames_free_count(), free0);
    for (unsigned i = 0; i < n; i++) {                   /* pool frames only */
        uint64_t pa = frame_alloc_zeroed();
        EXPECT(pa && !in_rsv(pa) && page_is_zero(pa));
        memset(ram_mem + pa, 0x5a, 4096);
        frame_free(pa);                                   /* back dirty */
    }
    EXPECT_EQ(frames_pool_count(), 0);
    EXPECT_EQ(frames_free_count(), free0);
    /* an empty pool falls back to allocate and zero */
    uint64_t pa = frame_alloc_zeroed();
    EXPECT(pa && page_is_zero(pa));
    frame_free(pa);
    EXPECT_EQ(frames_free_count(), free0);
}

/* frame_alloc takes the bitmap's frames first, then the pool's: every free
 * frame can be had, each once, and the pool's come back zeroed. */
KTEST(exhaustion_takes_pool_frames_once)
{
    setup();
    dirty_free_frames();
    uint64_t n = frames_free_count(), got = 0, pooled = fill_pool(), pa;
    uint8_t *seen = calloc(RAM_END / 4096, 1);
    EXPECT(pooled > 0);
    while ((pa = frame_alloc()) != 0) {
        EXPECT(!in_rsv(pa));
        EXPECT(!seen[pa / 4096]);
        seen[pa / 4096] = 1;
        got++;
        if (got > n - pooled)
            EXPECT(page_is_zero(pa));                     /* a pool frame */
    }
    EXPECT_EQ(got, n);
    EXPECT_EQ(frames_free_count(), 0);
    EXPECT_EQ(frames_pool_count(), 0);
    EXPECT_EQ(frame_alloc_zeroed(), 0);
    EXPECT(!frames_prezero_some(FRAME_PREZERO_MAX));      /* nothing free */
    free_seen(seen);
    EXPECT_EQ(frames_free_count(), n);
    free(seen);
}

/* Mixed: the bitmap's frames and the pool's are never the same frame. */
KTEST(no_double_hand_out)
{
    setup();
    uint8_t *seen = calloc(RAM_END / 4096, 1);
    uint64_t pa;
    unsigned i = 0;
    fill_pool();
    while ((pa = (i++ % 3) ? frame_alloc() : frame_alloc_zeroed()) != 0) {
        EXPECT(!seen[pa / 4096]);
        seen[pa / 4096] = 1;
        if (i % 64 == 0)
            frames_prezero_some(FRAME_PREZERO_MAX);
    }
    EXPECT_EQ(frames_free_count(), 0);
    free_seen(seen);
    EXPECT_EQ(frames_free_count(), frames_total_count());
    free(seen);
}

/* a frame in the pool is free: freeing it is a double free */
KTEST(free_of_pool_frame_panics)
{
    setup();
    uint64_t pa = frame_alloc();
    frame_free(pa);
    fill_pool();                  /* next-fit: pa is among the pool's now */
    EXPECT(in_pool(pa / 4096));
    panics = 0;
    if (!setjmp(panic_jmp))
        frame_free(pa);
    EXPECT_EQ(panics, 1);
    EXPECT_EQ(frames_free_count(), frames_total_count());
}

/* contiguous allocations drain the pool when they find no run */
KTEST(range_drains_pool)
{
    setup();
    uint64_t free0 = frames_free_count();
    fill_pool();
    /* the biggest run there is: RAM above the module, pool frames included */
    uint64_t big = (RAM_END - 0x1000 - (3 * MiB + 2 * 4096)) / 4096;
    uint64_t a = frames_alloc_range(big);
    EXPECT(a != 0);
    EXPECT_EQ(frames_pool_count(), 0);
    EXPECT_EQ(frames_free_count(), free0 - big);
    frames_free_range(a, big);
    EXPECT_EQ(frames_free_count(), free0);
}

/* Reserved frames stay free but only frame_alloc_reserved takes them:
 * every other allocation fails first, pool or no pool. */
KTEST(reserve_is_kept_from_everyone_else)
{
    setup();
    uint64_t n = frames_free_count(), got = 0, pa;
    uint8_t *seen = calloc(RAM_END / 4096, 1);
    fill_pool();
    EXPECT(frames_reserve(10));
    EXPECT_EQ(frames_reserved_count(), 10);
    EXPECT_EQ(frames_free_count(), n);               /* still free */
    while ((pa = (got % 2) ? frame_alloc() : frame_alloc_zeroed()) != 0) {
        seen[pa / 4096] = 1;
        got++;
    }
    EXPECT_EQ(got, n - 10);
    EXPECT_EQ(frames_alloc_range(1), 0);
    EXPECT(!frames_reserve(1));                      /* none unreserved */
    dirty_free_frames();                             /* takes none */
    for (int i = 0; i < 10; i++) {
        pa = frame_alloc_reserved();
        EXPECT(pa && !seen[pa / 4096] && !in_rsv(pa) && page_is_zero(pa));
        seen[pa / 4096] = 1;
    }
    EXPECT_EQ(frames_reserved_count(), 0);
    EXPECT_EQ(frame_alloc_reserved(), 0);            /* none reserved */
    EXPECT_EQ(frames_free_count(), 0);
    free_seen(seen);
    EXPECT_EQ(frames_free_count(), n);
    free(seen);
}

KTEST(reserve_is_all_or_nothing)
{
    setup();
    uint64_t n = frames_free_count();
    EXPECT(!frames_reserve(n + 1));
    EXPECT_EQ(frames_reserved_count(), 0);
    EXPECT(frames_reserve(n - 5));
    EXPECT(!frames_reserve(6));
    EXPECT(frames_reserve(5));
    EXPECT_EQ(frame_alloc(), 0);
    frames_unreserve(n);
    EXPECT_EQ(frames_reserved_count(), 0);
    panics = 0;
    if (!setjmp(panic_jmp))
        frames_unreserve(1);                          /* more than held */
    EXPECT_EQ(panics, 1);
}

/* A charge hands out at most its reserve, zeroed; closing it gives back
 * what was not taken, and the frames taken come back when freed. */
KTEST(charge_takes_its_reserve_only)
{
    setup();
    uint64_t n = frames_free_count(), pa[6];
    struct hv_charge a, b;
    EXPECT_EQ(charge_open(&a, 5), 0);
    EXPECT_EQ(charge_open(&b, n - 5), 0);
    EXPECT_EQ(charge_open(&(struct hv_charge){ 0 }, 1), -KEEL_ENOMEM);
    EXPECT_EQ(frame_alloc(), 0);                     /* everything is held */
    for (int i = 0; i < 5; i++) {
        memset(ram_mem + (pa[i] = charge_frame(&a)), 0x77, 4096);
        EXPECT(pa[i] != 0);
    }
    EXPECT_EQ(charge_frame(&a), 0);                  /* a's reserve is used up */
    EXPECT_EQ(a.used, 5);
    EXPECT_EQ(frames_reserved_count(), n - 5);       /* b's is whole */
    pa[5] = charge_frame(&b);
    EXPECT(pa[5] != 0 && page_is_zero(pa[5]));
    charge_close(&b);
    EXPECT_EQ(frames_reserved_count(), 0);
    EXPECT_EQ(charge_frame(&b), 0);                  /* closed */
    charge_close(&a);
    charge_close(&b);                                /* twice: nothing more */
    EXPECT_EQ(frames_free_count(), n - 6);
    for (int i = 0; i < 6; i++)
        frame_free(pa[i]);
    EXPECT_EQ(frames_free_count(), n);
    EXPECT_EQ(frames_reserved_count(), 0);
}

/* A run out of a charge is all n units or none: one longer than what is
 * left, or than any free run, takes nothing (and what it gave back goes
 * to the allocator if the charge closed meanwhile). */
KTEST(charge_takes_runs_whole_or_not_at_all)
{
    setup();
    uint64_t n = frames_free_count(), pa, f;
    uint8_t *seen = calloc(RAM_END / 4096, 1);
    struct hv_charge c;
    EXPECT_EQ(charge_open(&c, 8), 0);
    pa = charge_frames_range(&c, 5);
    EXPECT(pa != 0 && !in_rsv(pa) && !in_rsv(pa + 4 * 4096));
    EXPECT(c.used == 5 && c.left == 3 && frames_reserved_count() == 3);
    EXPECT_EQ(charge_frames_range(&c, 4), 0);       /* 3 left */
    EXPECT_EQ(charge_frames_range(&c, 0), 0);
    EXPECT(c.used == 5 && c.left == 3 && frames_reserved_count() == 3);
    charge_close(&c);
    frames_free_range(pa, 5);
    EXPECT(frames_free_count() == n && frames_reserved_count() == 0);
    /* only frames f, f + 2, f + 4 free: reserved, but no run of two */
    while ((pa = frame_alloc()) != 0)
        seen[pa / 4096] = 1;
    f = 16 * MiB / 4096;
    for (int i = 0; i < 3; i++) {
        seen[f + 2 * i] = 0;
        frame_free((f + 2 * i) * 4096);
    }
    EXPECT_EQ(charge_open(&c, 3), 0);
    EXPECT_EQ(charge_frames_range(&c, 2), 0);
    EXPECT(c.used == 0 && c.left == 3 && frames_reserved_count() == 3);
    EXPECT_EQ(charge_frames_range(&c, 1), f * 4096);
    c.closed = true;                                 /* as if charge_close had begun */
    EXPECT_EQ(charge_frames_range(&c, 2), 0);
    EXPECT(c.left == 0 && frames_reserved_count() == 0);
    charge_close(&c);
    EXPECT_EQ(frames_reserved_count(), 0);
    frame_free(f * 4096);
    free_seen(seen);
    EXPECT(frames_free_count() == n && frames_reserved_count() == 0);
    free(seen);
}

/* A reservation that must leave a floor: exact at the edge, and the
 * floor is anyone's but such reservations' (frames_reserve takes it). */
KTEST(reserve_keeping_leaves_the_floor)
{
    setup();
    uint64_t n = frames_free_count();
    EXPECT(!frames_reserve_keeping(n - 255, 256));
    EXPECT(!frames_reserve_keeping(~0ull, 1));          /* no sum that wraps */
    EXPECT_EQ(frames_reserved_count(), 0);
    EXPECT(frames_reserve_keeping(n - 256, 256));
    EXPECT(!frames_reserve_keeping(1, 256));
    EXPECT(frames_reserve_keeping(0, 256));
    EXPECT(frames_reserve(256));
    EXPECT_EQ(frames_reserved_count(), n);
    frames_unreserve(n);
    struct hv_charge c;
    EXPECT_EQ(charge_open_keeping(&c, n - 10, 11), -KEEL_ENOMEM);
    EXPECT_EQ(charge_open_keeping(&c, n - 10, 10), 0);
    EXPECT(charge_frame(&c) != 0);
    charge_count(&c, 3);                    /* tables taken through another */
    EXPECT(c.used == 4 && c.max == n - 7 && c.left == n - 11);
    charge_close(&c);
    EXPECT_EQ(frames_reserved_count(), 0);
}

/* Growers on several threads, as INCREASE on several CPUs: each reserves a
 * chunk above the floor, takes it frame by frame (zeroing each), and asks
 * again until refused.  Together they never dip into the floor, and every
 * frame is accounted for. */
#define GROW_THREADS 4
#define GROW_CHUNK   64
#define GROW_FLOOR   256

struct grower {
    pthread_t t;
    uint64_t taken, *pa;
};

static void *grow(void *arg)
{
    struct grower *g = arg;
    struct hv_charge c;

    while (!charge_open_keeping(&c, GROW_CHUNK, GROW_FLOOR)) {
        for (int i = 0; i < GROW_CHUNK; i++)
            g->pa[g->taken++] = charge_frame(&c);
        charge_close(&c);
    }
    return NULL;
}

KTEST(racing_growers_keep_the_floor)
{
    setup();
    uint64_t n = frames_free_count(), taken = 0, zero = 0;
    struct grower g[GROW_THREADS];
    for (int i = 0; i < GROW_THREADS; i++) {
        g[i].taken = 0;
        g[i].pa = calloc(n, sizeof(uint64_t));
        EXPECT_EQ(pthread_create(&g[i].t, NULL, grow, &g[i]), 0);
    }
    for (int i = 0; i < GROW_THREADS; i++) {
        pthread_join(g[i].t, NULL);
        taken += g[i].taken;
        for (uint64_t k = 0; k < g[i].taken; k++)
            zero += g[i].pa[k] == 0;
    }
    EXPECT_EQ(zero, 0);                                  /* no reserved frame missing */
    EXPECT_EQ(frames_reserved_count(), 0);
    EXPECT_EQ(frames_free_count(), n - taken);
    EXPECT(n - taken >= GROW_FLOOR && n - taken < GROW_FLOOR + GROW_CHUNK);
    uint64_t extra = frame_alloc();                      /* the floor is there */
    EXPECT(extra != 0);
    frame_free(extra);
    for (int i = 0; i < GROW_THREADS; i++) {
        for (uint64_t k = 0; k < g[i].taken; k++)
            frame_free(g[i].pa[k]);
        free(g[i].pa);
    }
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
           KTEST_CASE(pool_fills_to_cap_and_keeps_counts),
           KTEST_CASE(exhaustion_takes_pool_frames_once),
           KTEST_CASE(no_double_hand_out),
           KTEST_CASE(free_of_pool_frame_panics),
           KTEST_CASE(range_drains_pool),
           KTEST_CASE(reserve_is_kept_from_everyone_else),
           KTEST_CASE(reserve_is_all_or_nothing),
           KTEST_CASE(charge_takes_its_reserve_only),
           KTEST_CASE(charge_takes_runs_whole_or_not_at_all),
           KTEST_CASE(reserve_keeping_leaves_the_floor),
           KTEST_CASE(racing_growers_keep_the_floor),
           KTEST_CASE(no_ram_fails))

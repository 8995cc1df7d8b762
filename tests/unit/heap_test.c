/* Host unit test of the hypervisor heap (hv/mm/heap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include "ktest.h"
#include "../../hv/mm/heap.c"

static long pages_out;            /* pages the heap holds right now */
static jmp_buf panic_jmp;
static int panics;

void panic(const char *fmt, ...)
{
    (void)fmt;
    panics++;
    longjmp(panic_jmp, 1);
}

void *heap_pages_get(uint64_t n)
{
    void *p = aligned_alloc(4096, n * 4096);
    if (p) {
        memset(p, 0xa5, n * 4096);    /* the heap must zero what it hands out */
        pages_out += (long)n;
    }
    return p;
}

void heap_pages_put(void *p, uint64_t n)
{
    pages_out -= (long)n;
    free(p);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

KTEST(sizes_zeroed_aligned_and_returned)
{
    static const size_t sizes[] = { 0, 1, 15, 16, 17, 63, 64, 100, 128, 640,
                                    832, 1344, 1984, 1985, 4032, 4033, 10000, 100000 };
    void *p[ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = kzalloc(sizes[i]);
        EXPECT(p[i] != NULL);
        EXPECT(all_zero(p[i], sizes[i]));
        if (sizes[i] && sizes[i] % 64 == 0)
            EXPECT_EQ((uintptr_t)p[i] % 64, 0);
        memset(p[i], 0xff, sizes[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        kfree(p[i]);
    EXPECT_EQ(pages_out, 0);
}

KTEST(many_objects_never_overlap)
{
    enum { N = 5000 };
    static uint8_t *p[N];
    static size_t sz[N];
    srand(7);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            if (p[i] && rand() % 2) {
                for (size_t k = 0; k < sz[i]; k++)
                    EXPECT(p[i][k] == (uint8_t)i);
                kfree(p[i]);
                p[i] = NULL;
            }
            if (!p[i]) {
                sz[i] = 1 + (size_t)rand() % (rand() % 8 ? 300 : 6000);
                p[i] = kzalloc(sz[i]);
                EXPECT(all_zero(p[i], sz[i]));
                memset(p[i], (uint8_t)i, sz[i]);
            }
        }
    }
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < sz[i]; k++)
            EXPECT(p[i][k] == (uint8_t)i);
        kfree(p[i]);
        p[i] = NULL;
    }
    EXPECT_EQ(pages_out, 0);
}

KTEST(bad_frees_panic)
{
    uint8_t *a = kzalloc(100), *b = kzalloc(10000);
    panics = 0;
    if (!setjmp(panic_jmp))
        kfree(a + 8);                  /* not an object start */
    spin_unlock(&heap_lock);           /* panic left it held */
    if (!setjmp(panic_jmp))
        kfree(b + 64);                 /* inside a big block */
    spin_unlock(&heap_lock);
    EXPECT_EQ(panics, 2);
    kfree(NULL);                       /* fine */
    kfree(a);
    kfree(b);
    EXPECT_EQ(pages_out, 0);
}

KTEST(huge_request_fails_cleanly)
{
    EXPECT(kzalloc((size_t)1 << 62) == NULL);
    EXPECT(kzalloc((size_t)-1) == NULL);
    EXPECT_EQ(pages_out, 0);
}

KTEST_MAIN(KTEST_CASE(sizes_zeroed_aligned_and_returned),
           KTEST_CASE(many_objects_never_overlap),
           KTEST_CASE(bad_frees_panic),
           KTEST_CASE(huge_request_fails_cleanly))

/*
 * A tiny KTAP producer for host unit tests.
 *
 * A test file includes this header (and, usually, the .c file under test),
 * defines its cases with KTEST(name) { ... } and registers them in one
 * KTEST_MAIN(case, case, ...).  Each case runs in order; EXPECT failures are
 * reported as diagnostics and make the case "not ok".  The program exits 1 if
 * any case failed.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ktest_case { const char *name; void (*fn)(int *failed); };

#define KTEST(name) static void ktest_##name(int *ktest_failed)
#define KTEST_CASE(name) { #name, ktest_##name }

#define EXPECT(cond) do { if (!(cond)) { \
    printf("    # %s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
    *ktest_failed = 1; } } while (0)
#define EXPECT_EQ(a, b) do { long long ka_ = (long long)(a), kb_ = (long long)(b); \
    if (ka_ != kb_) { \
    printf("    # %s:%d: expected %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, \
           #a, #b, ka_, kb_); *ktest_failed = 1; } } while (0)

static inline int ktest_run(const char *suite, const struct ktest_case *c, int n)
{
    int bad = 0;
    printf("KTAP version 1\n# Subtest: %s\n1..%d\n", suite, n);
    for (int i = 0; i < n; i++) {
        int failed = 0;
        c[i].fn(&failed);
        printf("%sok %d %s\n", failed ? "not " : "", i + 1, c[i].name);
        bad += failed;
    }
    printf("# %s: %d passed, %d failed\n", suite, n - bad, bad);
    return bad ? 1 : 0;
}

#define KTEST_MAIN(...) int main(void) { \
    static const struct ktest_case cases[] = { __VA_ARGS__ }; \
    return ktest_run(__FILE__, cases, (int)(sizeof(cases) / sizeof(cases[0]))); }

#endif /* KTEST_H */

/*
 * A benign tenant beside hostile ones (test_limits.py): a fixed piece of
 * work, timed with the monotonic clock, then its result and how long it
 * took, and status 0.  Whatever its neighbours do to the hypervisor, it
 * must start, print this and end as it does alone, in about the same time.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    double t0 = now_ms();
    uint64_t x = 88172645463325252ull;      /* xorshift64: cheap, fixed */

    for (unsigned i = 0; i < 20000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    printf("%s: %016llx in %.0f ms (%d args)\n", argc > 0 ? argv[0] : "?",
           (unsigned long long)x, now_ms() - t0, argc);
    return 0;
}

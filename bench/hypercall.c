/*
 * The cost of a null hypercall (syscall into the hypervisor and back)
 * beside its floor, a plain non-inlined function call, measured in the same
 * guest with rdtsc and the monotonic clock over many iterations.  Prints
 * "name cycles=C ns=N" rows for bench/bench.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#include <libos/hypercall.h>
#include <libos/time.h>

static __attribute__((noinline)) long plain_call(long x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

struct cost { double cycles, ns; };

static struct cost time_loop(int hypercall, long n)
{
    long sink = 0;
    uint64_t t0 = libos_monotonic_ns(), c0 = __rdtsc();
    for (long i = 0; i < n; i++)
        sink += hypercall ? keel_hc_null() : plain_call(i);
    uint64_t c1 = __rdtsc(), t1 = libos_monotonic_ns();
    __asm__ volatile("" : : "r"(sink));
    return (struct cost){ (double)(c1 - c0) / (double)n, (double)(t1 - t0) / (double)n };
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    time_loop(1, n / 10);   /* warm up */
    time_loop(0, n / 10);
    struct cost hc = time_loop(1, n), fn = time_loop(0, n);
    printf("null_hypercall cycles=%.1f ns=%.1f\n", hc.cycles, hc.ns);
    printf("function_call cycles=%.1f ns=%.1f\n", fn.cycles, fn.ns);
    printf("iterations=%ld\n", n);
    return 0;
}

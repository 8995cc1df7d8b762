/*
 * Burns the CPU for argv[1] seconds (monotonic clock, read without any
 * hypercall) without ever yielding or blocking, then exits.  Beside it,
 * another guest must still make progress: the hypervisor has to preempt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 5.0;
    double end = now() + secs;
    volatile unsigned long spins = 0;
    while (now() < end)
        spins++;
    printf("spin done after %.1f s\n", secs);
    return 0;
}

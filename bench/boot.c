/*
 * The boot-cost guest: its first statement reads the monotonic clock (the
 * hypervisor's, shared by every domain), so bench/bench.py can subtract
 * dom0's create_ns (keel run --timings) from it.
 */
#include <inttypes.h>
#include <stdio.h>

#include <libos/time.h>

int main(void)
{
    uint64_t now = libos_monotonic_ns();
    printf("main_ns=%" PRIu64 "\n", now);
    return 0;
}

/*
 * The boot-cost guest: its first statement reads the monotonic clock (the
 * hypervisor's, shared by every domain), so bench/bench.py can subtract
 * dom0's create_ns (keel run --timings) from it.  start_ns is when the
 * libos began its start of day (libos_start_ns): the guest's first moments
 * on a CPU, which split create -> main into dom0's part, the dispatch and
 * the libos's part.
 */
#include <inttypes.h>
#include <stdio.h>

#include <libos/time.h>

int main(void)
{
    uint64_t now = libos_monotonic_ns();
    printf("main_ns=%" PRIu64 " start_ns=%" PRIu64 "\n", now, libos_start_ns());
    return 0;
}

/*
 * A guest that only sleeps (blocked in the hypervisor) for argv[1] seconds:
 * bench/bench.py runs many of them to measure boot cost and memory while
 * other guests are alive.  The guest whose name (argv[0]) is argv[2], if
 * any, first prints the monotonic clock as boot.c does, so that a run of
 * identical guests can time its last one's main.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libos/time.h>

int main(int argc, char **argv)
{
    uint64_t now = libos_monotonic_ns();

    if (argc > 2 && strcmp(argv[0], argv[2]) == 0)
        printf("main_ns=%" PRIu64 "\n", now);
    fflush(stdout);
    sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 1);
    return 0;
}

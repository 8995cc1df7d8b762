/*
 * A guest that only sleeps (blocked in the hypervisor) for argv[1] seconds:
 * bench/bench.py runs many of them to measure boot cost while other guests
 * are alive.
 */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 1);
    return 0;
}

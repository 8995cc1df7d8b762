/*
 * Polling before blocking (libos/thread.h libos_thread_wait_spin,
 * docs/threads.md): a waiter whose deadline comes inside its spin window
 * wakes without the vCPU blocking; a plain wait blocks; a spin window that
 * ends before the deadline blocks after it; a thread that can run runs
 * before anyone spins.  KTAP lines; the exit status is the failures.
 */
#include <libos/thread.h>
#include <libos/time.h>
#include "ktap_check.h"

#define MS 1000000ull

static int never(void *arg)
{
    (void)arg;
    return 0;
}

static int flag_set(void *arg)
{
    return *(volatile int *)arg;
}

static volatile int flag;

static void *setter(void *arg)
{
    (void)arg;
    flag = 1;
    return NULL;
}

int main(void)
{
    uint64_t b, t0;
    libos_thread_t *t;

    printf("KTAP version 1\n");
    b = libos_thread_blocks();
    t0 = libos_monotonic_ns();
    libos_thread_wait_spin(never, NULL, t0 + 3 * MS, 50 * MS);
    check(libos_monotonic_ns() >= t0 + 3 * MS, "a spinning waiter wakes at its deadline");
    check(libos_thread_blocks() == b, "inside its spin window the vCPU never blocks");

    b = libos_thread_blocks();
    t0 = libos_monotonic_ns();
    libos_thread_wait(never, NULL, t0 + 3 * MS);
    check(libos_thread_blocks() > b, "a plain wait blocks the vCPU");

    b = libos_thread_blocks();
    t0 = libos_monotonic_ns();
    libos_thread_wait_spin(never, NULL, t0 + 20 * MS, 1 * MS);
    check(libos_monotonic_ns() >= t0 + 20 * MS, "a short spin still waits for the deadline");
    check(libos_thread_blocks() > b, "after its spin window the vCPU blocks");

    b = libos_thread_blocks();
    libos_thread_create(&t, setter, NULL, 0);
    libos_thread_wait_spin(flag_set, (void *)&flag, LIBOS_FOREVER, 50 * MS);
    check(flag == 1 && libos_thread_blocks() == b, "a ready thread runs before anyone spins");
    libos_thread_join(t, NULL);

    printf("1..%d\n# spin: %d failed\n", tests, failures);
    return failures;
}

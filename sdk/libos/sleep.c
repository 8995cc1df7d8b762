/*
 * Sleeping: nanosleep, clock_nanosleep, sleep, usleep; and sched_yield.
 * All block in the hypervisor through libos_sleep_until() (wait.c) and
 * never spin.  There are no signals to interrupt a sleep, so the remaining
 * time reported is always 0 and EINTR never happens.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "internal.h"

/* now + delta without wrapping past "forever" */
static uint64_t deadline_after(uint64_t delta_ns)
{
    uint64_t now = libos_monotonic_ns();

    return delta_ns > LIBOS_FOREVER - now ? LIBOS_FOREVER : now + delta_ns;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    uint64_t ns;

    if (!req || libos_ts_to_ns(req->tv_sec, req->tv_nsec, &ns) != 0) {
        errno = EINVAL;
        return -1;
    }
    libos_sleep_until(deadline_after(ns));
    if (rem) {
        rem->tv_sec = 0;
        rem->tv_nsec = 0;
    }
    return 0;
}

uint64_t libos_abs_deadline(int id, uint64_t ns)
{
    if (id == CLOCK_MONOTONIC)
        return ns;
    /* wall clock: the distance from now to ns on the wall clock */
    uint64_t wall = libos_wallclock_ns();
    return ns <= wall ? 0 : deadline_after(ns - wall);
}

/* Returns an error number, not -1 + errno, as POSIX specifies. */
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req,
                    struct timespec *rem)
{
    uint64_t ns;

    if (id != CLOCK_MONOTONIC && id != CLOCK_REALTIME)
        return EINVAL;
    if (!req || libos_ts_to_ns(req->tv_sec, req->tv_nsec, &ns) != 0)
        return EINVAL;
    if (flags & TIMER_ABSTIME) {
        libos_sleep_until(libos_abs_deadline(id, ns));
        return 0;
    }
    libos_sleep_until(deadline_after(ns));
    if (rem) {
        rem->tv_sec = 0;
        rem->tv_nsec = 0;
    }
    return 0;
}

unsigned sleep(unsigned seconds)
{
    libos_sleep_until(deadline_after((uint64_t)seconds * LIBOS_NS_PER_SEC));
    return 0;
}

int usleep(useconds_t usec)
{
    libos_sleep_until(deadline_after((uint64_t)usec * 1000u));
    return 0;
}

/* Lets every other ready thread run once (docs/threads.md). */
int sched_yield(void)
{
    libos_thread_yield();
    return 0;
}

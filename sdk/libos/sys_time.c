/*
 * Clock system calls: gettimeofday (newlib's time() uses it),
 * clock_gettime, clock_getres and times (newlib's clock() uses it).
 * Newlib declares clock_* only for platforms that define _POSIX_TIMERS and
 * _POSIX_MONOTONIC_CLOCK; the toolchain defines them for Keel.
 */
#define _GNU_SOURCE   /* for the _COARSE and _RAW clock ids */
#include <errno.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <libos/time.h>
#include "internal.h"

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
    uint64_t sec;
    uint32_t nsec;

    libos_ns_split(ns, &sec, &nsec);
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = (long)nsec;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    if (tv) {
        struct timespec ts;

        ns_to_timespec(libos_wallclock_ns(), &ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    }
    if (tz) {
        struct timezone *z = tz;

        z->tz_minuteswest = 0;   /* the wall clock is UTC */
        z->tz_dsttime = 0;
    }
    return 0;
}

/* Returns 1 for a wall clock, 0 for a monotonic one, -1 if unknown. */
static int clock_kind(clockid_t id)
{
    switch (id) {
    case CLOCK_REALTIME:
        return 1;
    case CLOCK_MONOTONIC:
        return 0;
    /* Linux's variants (_GNU_SOURCE): the same clocks here */
    case CLOCK_REALTIME_COARSE:
        return 1;
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
        return 0;
    default:
        return -1;
    }
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int kind = clock_kind(id);

    if (kind < 0) {
        errno = EINVAL;
        return -1;
    }
    ns_to_timespec(kind ? libos_wallclock_ns() : libos_monotonic_ns(), ts);
    return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
    if (clock_kind(id) < 0) {
        errno = EINVAL;
        return -1;
    }
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = 1;   /* the TSC scaling yields whole nanoseconds */
    }
    return 0;
}

static clock_t ns_to_ticks(uint64_t ns)
{
    return (clock_t)(ns / (LIBOS_NS_PER_SEC / CLOCKS_PER_SEC));
}

/*
 * A unikernel's CPU time is the time since it started minus the time it
 * spent blocked (sleeping or waiting); time stolen by other domains is not
 * visible to it and counts as its own.  Returns monotonic time in ticks.
 */
clock_t times(struct tms *buf)
{
    uint64_t now = libos_monotonic_ns();
    uint64_t ran = now - libos_boot_mono_ns;

    ran = ran > libos_blocked_ns ? ran - libos_blocked_ns : 0;
    if (buf) {
        buf->tms_utime = ns_to_ticks(ran);
        buf->tms_stime = 0;
        buf->tms_cutime = 0;
        buf->tms_cstime = 0;
    }
    return ns_to_ticks(now);
}

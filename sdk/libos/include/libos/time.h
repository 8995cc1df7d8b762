/*
 * Clocks, sleeping and waiting.
 *
 * The POSIX functions (clock_gettime, clock_getres, gettimeofday, time,
 * nanosleep, clock_nanosleep, sleep, usleep, times, clock) work as on a
 * hosted platform; this header is the layer below them, for code that
 * thinks in nanoseconds and deadlines (drivers, dom0's event loop).
 *
 * Time is read from the shared-info page without a hypercall
 * (keel/shared_info.h): monotonic nanoseconds since the hypervisor booted,
 * and the wall clock (UTC) as boot time + monotonic time.
 *
 * Waiting never spins: the vCPU blocks in the hypervisor until its one-shot
 * timer fires or a pending bit it waits for is set.  The libos owns both
 * the timer and shared_info->pending; applications use the functions below
 * instead of KEEL_HC_SET_TIMER/KEEL_HC_SCHED_BLOCK directly.
 */
#ifndef LIBOS_TIME_H
#define LIBOS_TIME_H

#include <stdint.h>
#include <keel/shared_info.h>

#define LIBOS_NS_PER_SEC 1000000000ull
#define LIBOS_FOREVER    UINT64_MAX   /* a deadline that never comes */

/* Monotonic time in ns; never goes backwards within a domain. */
uint64_t libos_monotonic_ns(void);

/* Monotonic time when start of day began: the first thing crt0's
 * libos_start does once the start-info page proved to be one.  main's
 * first reading minus this is what the libos costs before main (bench/). */
uint64_t libos_start_ns(void);

/* Wall-clock time (UTC) in ns since 1970-01-01. */
uint64_t libos_wallclock_ns(void);

/* Blocks until libos_monotonic_ns() >= deadline_ns.  Returns at once for a
 * deadline in the past. */
void libos_sleep_until(uint64_t deadline_ns);

/*
 * Blocks until any KEEL_PENDING_* bit in mask is pending or the deadline
 * passes, whichever comes first (LIBOS_FOREVER: no deadline).  Returns the
 * pending bits of mask (0 means the deadline passed) WITHOUT clearing them:
 * take them with libos_pending_take() once handled, or the next wait
 * returns at once.  Bits outside mask that arrive meanwhile are set aside,
 * not lost: libos_pending_take() still reports them.  KEEL_PENDING_TIMER is
 * the libos's own and may not be in mask.
 */
uint64_t libos_wait(uint64_t mask, uint64_t deadline_ns);

/* Atomically clears the KEEL_PENDING_* bits of mask and returns which of
 * them were pending. */
uint64_t libos_pending_take(uint64_t mask);

#endif /* LIBOS_TIME_H */

/*
 * Blocking on the pending word and on time, through the thread scheduler
 * (thread.c), so that a sleeping or waiting thread lets the others run and
 * the vCPU blocks only when none can.
 *
 * KEEL_HC_SCHED_BLOCK returns at once while ANY bit of shared_info->pending
 * is set.  A sleeper that ignores, say, dom0's KEEL_PENDING_DOMAIN would
 * therefore spin.  So the libos owns the word: before the vCPU blocks, the
 * scheduler moves every bit into `set_aside` (a private copy that waiters
 * and libos_pending_take() still see) and drops the timer bit, which
 * belongs to the libos alone.  It does so with upcalls masked and after its
 * last look at the waiters, and SCHED_BLOCK returns at once for anything
 * that arrives after that: no wake-up is lost.  Upcalls never touch
 * set_aside (only thread context does), so it needs no atomics of its own.
 */
#include <libos/hypercall.h>
#include <libos/time.h>
#include "internal.h"

static uint64_t set_aside;

static uint64_t pending_word_and(uint64_t keep)
{
    return __atomic_fetch_and(&libos_shinfo->pending, keep, __ATOMIC_SEQ_CST);
}

uint64_t libos_pending_take(uint64_t mask)
{
    uint64_t got = (pending_word_and(~mask) | set_aside) & mask;

    set_aside &= ~mask;
    return got;
}

uint64_t libos_pending_now(uint64_t mask)
{
    return (__atomic_load_n(&libos_shinfo->pending, __ATOMIC_SEQ_CST) | set_aside) & mask;
}

void libos_pending_set_aside(void)
{
    set_aside |= pending_word_and(0) & ~KEEL_PENDING_TIMER;
}

static int mask_pending(void *mask)
{
    return libos_pending_now(*(uint64_t *)mask) != 0;
}

uint64_t libos_wait(uint64_t mask, uint64_t deadline_ns)
{
    mask &= ~KEEL_PENDING_TIMER;
    for (;;) {
        uint64_t got = libos_pending_now(mask);

        if (got)
            return got;
        if (libos_monotonic_ns() >= deadline_ns)
            return 0;
        libos_sched_wait(mask ? mask_pending : 0, &mask, deadline_ns);
    }
}

void libos_sleep_until(uint64_t deadline_ns)
{
    libos_wait(0, deadline_ns);
}

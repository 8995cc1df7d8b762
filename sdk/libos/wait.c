/*
 * Blocking: sleeping until a deadline and waiting for pending bits.
 *
 * KEEL_HC_SCHED_BLOCK returns at once while ANY bit of shared_info->pending
 * is set.  A sleeper that ignores, say, dom0's KEEL_PENDING_DOMAIN would
 * therefore spin until its deadline.  So the libos owns the word: before it
 * blocks it moves every bit nobody is waiting for into `set_aside` (a
 * private copy that libos_pending_take() still reports), and clears the
 * timer bit, which belongs to the libos alone.
 *
 * No wake-up is lost: bits are cleared BEFORE the timer is armed and the
 * vCPU blocks, so a bit set or a timer fired after that point makes the
 * block return at once.  Wake-ups may be spurious; the loop re-checks.
 *
 * One vCPU and no upcalls yet: set_aside needs no atomics of its own.
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

static uint64_t pending_now(uint64_t mask)
{
    return (libos_shinfo->pending | set_aside) & mask;
}

uint64_t libos_wait(uint64_t mask, uint64_t deadline_ns)
{
    mask &= ~KEEL_PENDING_TIMER;
    for (;;) {
        uint64_t got = pending_now(mask), now = libos_monotonic_ns();

        if (got)
            return got;
        if (now >= deadline_ns)
            return 0;
        set_aside |= pending_word_and(mask) & ~mask & ~KEEL_PENDING_TIMER;
        if (deadline_ns != LIBOS_FOREVER)
            keel_hc_set_timer(deadline_ns);
        keel_hc_sched_block();
        libos_blocked_ns += libos_monotonic_ns() - now;
    }
}

void libos_sleep_until(uint64_t deadline_ns)
{
    libos_wait(0, deadline_ns);
}

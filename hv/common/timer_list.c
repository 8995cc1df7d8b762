/*
 * The pure half of guest timers (timer.c): one CPU's list of armed vCPU
 * timers, sorted by deadline, and the rate bound.  No locks and no clock:
 * the caller holds the list's lock and passes the time, so that a host
 * unit test runs this (tests/unit/hv_timer_list_test.c).
 *
 * Invariant: a timer is in a list exactly while deadline_ns != 0.
 *
 * The rate bound (KEEL_TIMER_MIN_INTERVAL_NS, keel/hypercall.h) counts
 * from when the timer last fired, not from its deadline: what it bounds is
 * how often the timer interrupts a CPU, and a firing that came late must
 * not let the next one catch up.
 */
#include <hv/sched.h>
#include <hv/lib.h>
#include <keel/hypercall.h>

/* After the equal deadlines already there: those fire in arming order. */
void timer_list_insert(struct vcpu_timer **head, struct vcpu_timer *t,
                       uint64_t deadline_ns)
{
    struct vcpu_timer **pp = head;

    while (*pp && (*pp)->deadline_ns <= deadline_ns)
        pp = &(*pp)->next;
    t->deadline_ns = deadline_ns;
    t->next = *pp;
    *pp = t;
}

void timer_list_remove(struct vcpu_timer **head, struct vcpu_timer *t)
{
    if (!t->deadline_ns)
        return;
    for (struct vcpu_timer **pp = head; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    t->deadline_ns = 0;
    t->next = NULL;
}

struct vcpu_timer *timer_list_expired(struct vcpu_timer **head, uint64_t now_ns)
{
    struct vcpu_timer *t = *head;

    if (!t || t->deadline_ns > now_ns)
        return NULL;
    *head = t->next;
    t->deadline_ns = 0;
    t->next = NULL;
    t->last_fire_ns = now_ns;
    return t;
}

uint64_t timer_bounded_deadline(const struct vcpu_timer *t, uint64_t deadline_ns)
{
    if (!deadline_ns)
        return 0;
    return MAX(deadline_ns, t->last_fire_ns + KEEL_TIMER_MIN_INTERVAL_NS);
}

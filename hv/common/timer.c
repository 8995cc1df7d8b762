/*
 * One-shot guest timers: one per vCPU, in a single list sorted by deadline
 * under timer_lock.  Any CPU's timer interrupt fires what has expired, and
 * every CPU arms its hardware timer for the earliest deadline each time it
 * schedules (sched.c), so the CPU that last scheduled always covers the
 * head of the list.
 *
 * Firing sets KEEL_PENDING_TIMER in the domain's shared info, raises
 * VIRQ_TIMER and wakes the vCPU while timer_lock is held (lock order
 * timer_lock -> evtchn lock -> rq_lock), so a concurrent timer_cancel()
 * from domain destruction either removes the timer first or waits until
 * the vCPU is no longer touched.
 */
#include <hv/sched.h>
#include <hv/domain.h>
#include <hv/evtchn.h>
#include <hv/lib.h>

static spinlock_t timer_lock = SPINLOCK_INIT;
static struct vcpu *timer_head;          /* sorted by timer_deadline_ns */

static void unlink_timer(struct vcpu *v)
{
    if (!v->timer_deadline_ns)
        return;
    for (struct vcpu **pp = &timer_head; *pp; pp = &(*pp)->timer_next)
        if (*pp == v) {
            *pp = v->timer_next;
            break;
        }
    v->timer_deadline_ns = 0;
    v->timer_next = NULL;
}

static void insert_timer(struct vcpu *v, uint64_t deadline)
{
    struct vcpu **pp = &timer_head;

    while (*pp && (*pp)->timer_deadline_ns <= deadline)
        pp = &(*pp)->timer_next;
    v->timer_deadline_ns = deadline;
    v->timer_next = *pp;
    *pp = v;
}

static void fire(struct vcpu *v)
{
    domain_set_pending(v->domain, KEEL_PENDING_TIMER);
    evtchn_send_virq(v->domain, KEEL_VIRQ_TIMER);
}

void timer_set(struct vcpu *v, uint64_t deadline_ns)
{
    spin_lock(&timer_lock);
    unlink_timer(v);
    if (deadline_ns && deadline_ns <= hv_now_ns())
        fire(v);
    else if (deadline_ns)
        insert_timer(v, deadline_ns);
    spin_unlock(&timer_lock);
}

void timer_cancel(struct vcpu *v)
{
    spin_lock(&timer_lock);
    unlink_timer(v);
    spin_unlock(&timer_lock);
}

void timers_run(uint64_t now_ns)
{
    spin_lock(&timer_lock);
    while (timer_head && timer_head->timer_deadline_ns <= now_ns) {
        struct vcpu *v = timer_head;
        timer_head = v->timer_next;
        v->timer_deadline_ns = 0;
        v->timer_next = NULL;
        fire(v);
    }
    spin_unlock(&timer_lock);
}

uint64_t timers_earliest(void)
{
    uint64_t dl;

    spin_lock(&timer_lock);
    dl = timer_head ? timer_head->timer_deadline_ns : 0;
    spin_unlock(&timer_lock);
    return dl;
}

/*
 * One-shot guest timers, one per vCPU, kept per CPU as Xen keeps them: an
 * armed timer is in the sorted list of the CPU its vCPU runs on or last
 * ran on, and moves with the vCPU when another CPU picks it
 * (timer_follow, from the scheduler).  Each CPU fires only its own list
 * and arms its hardware timer only for its own list's head and its own
 * slice end (sched.c), so a guest's timers interrupt the CPU it runs on
 * or left, never the other tenants' CPUs.  The list logic and the rate
 * bound are in timer_list.c.
 *
 * Only the vCPU's own SET_TIMER and the CPU about to run it insert into a
 * list, and both insert into their own CPU's list, which they reprogram
 * on their way out of the hypervisor; removals from another CPU (cancel,
 * follow) only leave that CPU a spurious interrupt.
 *
 * Locks: one per CPU list; a timer's `cpu` changes only with both the old
 * and the new list's locks held (lower CPU first), so holding the lock of
 * the list it names keeps it there.  Firing sets KEEL_PENDING_TIMER,
 * raises VIRQ_TIMER and wakes the vCPU under the list's lock (lock order
 * timer lists -> evtchn lock -> rq_lock), so a concurrent timer_cancel()
 * from domain destruction either removes the timer first or waits until
 * the vCPU is no longer touched.
 */
#include <hv/sched.h>
#include <hv/domain.h>
#include <hv/evtchn.h>
#include <hv/lib.h>

struct timer_cpu {
    spinlock_t lock;
    struct vcpu_timer *head;
};

static struct timer_cpu timer_cpus[HV_MAX_CPUS];

static void lock_two(unsigned a, unsigned b)
{
    spin_lock(&timer_cpus[MIN(a, b)].lock);
    if (a != b)
        spin_lock(&timer_cpus[MAX(a, b)].lock);
}

static void unlock_two(unsigned a, unsigned b)
{
    if (a != b)
        spin_unlock(&timer_cpus[MAX(a, b)].lock);
    spin_unlock(&timer_cpus[MIN(a, b)].lock);
}

/* Lock v's timer's list and CPU me's; returns the former's CPU. */
static unsigned lock_with(struct vcpu *v, unsigned me)
{
    for (;;) {
        unsigned cpu = __atomic_load_n(&v->timer.cpu, __ATOMIC_RELAXED);

        lock_two(cpu, me);
        if (v->timer.cpu == cpu)
            return cpu;
        unlock_two(cpu, me);
    }
}

static void fire(struct vcpu *v)
{
    domain_set_pending(v->domain, KEEL_PENDING_TIMER);
    evtchn_send_virq(v->domain, KEEL_VIRQ_TIMER);
}

static struct vcpu *timer_vcpu(struct vcpu_timer *t)
{
    return (struct vcpu *)((char *)t - offsetof(struct vcpu, timer));
}

void timer_set(struct vcpu *v, uint64_t deadline_ns)
{
    unsigned me = this_cpu()->id, cpu = lock_with(v, me);
    uint64_t now = hv_now_ns();
    uint64_t dl = timer_bounded_deadline(&v->timer, deadline_ns);

    timer_list_remove(&timer_cpus[cpu].head, &v->timer);
    __atomic_store_n(&v->timer.cpu, me, __ATOMIC_RELAXED);
    if (dl && dl <= now) {
        v->timer.last_fire_ns = now;
        fire(v);
    } else if (dl) {
        timer_list_insert(&timer_cpus[me].head, &v->timer, dl);
    }
    unlock_two(cpu, me);
}

void timer_cancel(struct vcpu *v)
{
    unsigned me = this_cpu()->id, cpu = lock_with(v, me);

    timer_list_remove(&timer_cpus[cpu].head, &v->timer);
    unlock_two(cpu, me);
}

/* Nothing but this CPU moves v's timer now (v runs nowhere else), so the
 * unlocked look is exact. */
void timer_follow(struct vcpu *v)
{
    unsigned me = this_cpu()->id, cpu;
    uint64_t dl;

    if (__atomic_load_n(&v->timer.cpu, __ATOMIC_RELAXED) == me)
        return;
    cpu = lock_with(v, me);
    if ((dl = v->timer.deadline_ns)) {
        timer_list_remove(&timer_cpus[cpu].head, &v->timer);
        timer_list_insert(&timer_cpus[me].head, &v->timer, dl);
    }
    __atomic_store_n(&v->timer.cpu, me, __ATOMIC_RELAXED);
    unlock_two(cpu, me);
}

void timers_run(unsigned cpu, uint64_t now_ns)
{
    struct timer_cpu *tc = &timer_cpus[cpu];
    struct vcpu_timer *t;

    spin_lock(&tc->lock);
    while ((t = timer_list_expired(&tc->head, now_ns)))
        fire(timer_vcpu(t));
    spin_unlock(&tc->lock);
}

uint64_t timers_earliest(unsigned cpu)
{
    struct timer_cpu *tc = &timer_cpus[cpu];
    uint64_t dl;

    spin_lock(&tc->lock);
    dl = tc->head ? tc->head->deadline_ns : 0;
    spin_unlock(&tc->lock);
    return dl;
}

/*
 * The run queue of sched.c: one FIFO of RUNNABLE vCPUs under rq_lock, the
 * per-CPU state that says who to kick, and the kicks.  A pinned vCPU stays
 * in the one FIFO; each CPU takes the first vCPU it may run, so pinning
 * never reorders the others.
 */
#include "sched_rq.h"
#include <hv/domctl.h>

spinlock_t rq_lock = SPINLOCK_INIT;
struct vcpu *rq_head, *rq_tail;

struct sched_cpu sc[HV_MAX_CPUS];

void rq_push(struct vcpu *v)
{
    v->rq_next = NULL;
    if (rq_tail)
        rq_tail->rq_next = v;
    else
        rq_head = v;
    rq_tail = v;
    v->state = VCPU_RUNNABLE;
}

bool may_run(const struct vcpu *v, unsigned cpu)
{
    return !v->pinned || v->pin_cpu == cpu;
}

/* Unlink v, whose predecessor in the queue is prev (NULL: v is the head). */
static void rq_unlink(struct vcpu *prev, struct vcpu *v)
{
    if (prev)
        prev->rq_next = v->rq_next;
    else
        rq_head = v->rq_next;
    if (rq_tail == v)
        rq_tail = prev;
    v->rq_next = NULL;
}

/* The first queued vCPU that may run on cpu, taken out of the queue. */
struct vcpu *rq_pop(unsigned cpu)
{
    struct vcpu *prev = NULL;

    for (struct vcpu *p = rq_head; p; prev = p, p = p->rq_next)
        if (may_run(p, cpu)) {
            rq_unlink(prev, p);
            return p;
        }
    return NULL;
}

/* Is anything queued that cpu could run (so its current vCPU's slice
 * matters)? */
bool rq_waiting_for(unsigned cpu)
{
    for (struct vcpu *p = rq_head; p; p = p->rq_next)
        if (may_run(p, cpu))
            return true;
    return false;
}

void rq_remove(struct vcpu *v)
{
    struct vcpu *prev = NULL;

    for (struct vcpu *p = rq_head; p; prev = p, p = p->rq_next)
        if (p == v) {
            rq_unlink(prev, v);
            return;
        }
}

/* Make CPU i look at the run queue if it would not soon by itself: it idles,
 * or it runs something without an armed slice end.  Under rq_lock. */
static bool kick_cpu_if_needed(unsigned i)
{
    if (sc[i].idle) {
        sc[i].idle = false;
        arch_kick_cpu(i);
        return true;
    }
    if (!sc[i].slice_armed) {
        sc[i].slice_armed = true;
        arch_kick_cpu(i);
        return true;
    }
    return false;
}

/* v was queued: make some other CPU that may run it look at it (this CPU
 * will anyway, on its way out of the hypervisor).  Idle CPUs first, then
 * busy CPUs whose slice end is not armed.  Under rq_lock. */
void kick_for(const struct vcpu *v)
{
    unsigned me = this_cpu()->id;

    if (v->pinned) {
        if (v->pin_cpu != me)
            kick_cpu_if_needed(v->pin_cpu);
        return;
    }
    for (unsigned i = 0; i < hv_nr_cpus; i++)
        if (i != me && sc[i].idle && kick_cpu_if_needed(i))
            return;
    for (unsigned i = 0; i < hv_nr_cpus; i++)
        if (i != me && kick_cpu_if_needed(i))
            return;
}

/* KEEL_DOMCTL_CPU_INFO.  Each count is written by its own CPU only; read
 * from here it may be an interrupt old. */
long domctl_cpu_info(struct vcpu *v, struct keel_domctl *op)
{
    struct keel_cpu_info *ci = &op->u.cpu_info;
    unsigned cpu;

    (void)v;
    if (ci->pad != 0 || ci->cpu >= hv_nr_cpus)
        return -KEEL_EINVAL;
    cpu = (unsigned)index_nospec(ci->cpu, hv_nr_cpus);
    ci->timer_irqs = __atomic_load_n(&sc[cpu].timer_irqs, __ATOMIC_RELAXED);
    ci->kicks = __atomic_load_n(&sc[cpu].kicks, __ATOMIC_RELAXED);
    return 0;
}

/*
 * Between sched.c and sched_rq.c only: the run queue and per-CPU state,
 * all under rq_lock (sc[].programmed and the counters: written only by
 * their own CPU).
 */
#ifndef HV_COMMON_SCHED_RQ_H
#define HV_COMMON_SCHED_RQ_H

#include <hv/sched.h>
#include <hv/domain.h>
#include <hv/lib.h>

struct sched_cpu {
    bool idle;              /* running the idle loop */
    bool slice_armed;       /* timer covers the slice end */
    uint64_t programmed;    /* deadline last given to arch_timer_program */
    uint64_t timer_irqs;    /* KEEL_DOMCTL_CPU_INFO */
    uint64_t kicks;
};

extern spinlock_t rq_lock;
extern struct vcpu *rq_head, *rq_tail;
extern struct sched_cpu sc[HV_MAX_CPUS];

void rq_push(struct vcpu *v);                 /* to the tail, RUNNABLE */
bool may_run(const struct vcpu *v, unsigned cpu);
struct vcpu *rq_pop(unsigned cpu);            /* first v may_run on cpu */
bool rq_waiting_for(unsigned cpu);            /* is there one? */
void rq_remove(struct vcpu *v);
/* v was queued: kick a CPU that may run it and would not look soon. */
void kick_for(const struct vcpu *v);

#endif

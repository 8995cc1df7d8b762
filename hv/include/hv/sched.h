/*
 * vCPUs and the scheduler (hv/common/sched.c).  Arch code relies only on
 * `arch` being the first member and on `domain`.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "arch.h"

enum vcpu_state {
    VCPU_PAUSED,     /* not eligible: domain paused, or never started */
    VCPU_RUNNABLE,   /* in the run queue */
    VCPU_RUNNING,    /* on a CPU */
    VCPU_BLOCKED,    /* waiting for its timer or a pending bit */
    VCPU_DEAD,       /* domain shut down or crashed */
};

struct vcpu {
    struct arch_vcpu arch;      /* must stay first */
    struct domain *domain;
    enum vcpu_state state;
    /* the rest belongs to hv/common */
    struct vcpu *rq_next;       /* run queue link */
    uint64_t timer_deadline_ns; /* 0 = none */
    struct vcpu *timer_next;
    uint64_t run_start_ns;
    uint64_t cpu_time_ns;
    bool paused;
};

#endif /* HV_SCHED_H */

/*
 * vCPUs and the scheduler (hv/common/sched.c, timer.c).  Arch code relies
 * only on `arch` being the first member and on `domain`.
 *
 * Scheduling is one global FIFO run queue under rq_lock, round-robin with
 * SCHED_SLICE_NS slices.  A vCPU's `state` changes only under rq_lock.
 * `paused` and `dying` are requests that the owning CPU honours the next
 * time the vCPU passes through the scheduler (they are set under rq_lock).
 *
 * Lock order: domain table lock -> timer_lock -> evtchn locks -> rq_lock.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "arch.h"

#define SCHED_SLICE_NS 10000000ull   /* 10 ms */

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
    bool paused;                /* domain paused by dom0 */
    bool dying;                 /* domain being destroyed: never run again */
    bool has_context;           /* arch_vcpu_init done (SET_VCPU) */
    bool started;               /* has been unpaused once */
    unsigned cpu;               /* CPU it runs / last ran on */
    bool pinned;                /* runs only on pin_cpu (zeroed: anywhere) */
    unsigned pin_cpu;
};

/* ---- sched.c ---- */
void sched_init(void);
/* BLOCKED -> RUNNABLE (or PAUSED if paused); no-op in any other state. */
void vcpu_wake(struct vcpu *v);
/* An event channel fired for v: wake it, or kick its CPU if it runs
 * elsewhere (so it takes its upcall soon). */
void vcpu_notify(struct vcpu *v);
/* The current vCPU blocks unless a pending bit or upcall_pending is set. */
void vcpu_block(struct vcpu *v);
void vcpu_pause(struct vcpu *v);
void vcpu_unpause(struct vcpu *v);
/* Make v DEAD.  v is the caller's own current vCPU (shutdown, crash). */
void vcpu_kill_current(struct vcpu *v);
/* Make v DEAD from another vCPU and wait until it has left every CPU
 * (arch.running == 0).  After this nothing in the scheduler refers to v. */
void vcpu_kill_and_wait(struct vcpu *v);
/* The current vCPU goes to the tail of the run queue at the next schedule. */
void sched_yield_current(void);
/* Restrict v to one CPU (or KEEL_CPU_ANY); it moves when it next schedules. */
void vcpu_set_affinity(struct vcpu *v, unsigned cpu);
/* The idle CPU's background work, one small batch a call (the arch idle
 * loop, interrupts off, opening them between calls): zero free frames for
 * the zero pool (hv/mm/frame.c).  False when there is none, or this CPU was
 * kicked or its timer is due, and it must take that now. */
bool sched_idle_work(void);

/* ---- timer.c: one-shot guest timers ---- */
void timer_set(struct vcpu *v, uint64_t deadline_ns);   /* 0 disarms */
void timer_cancel(struct vcpu *v);
void timers_run(uint64_t now_ns);      /* fire every expired timer */
uint64_t timers_earliest(void);        /* 0 = none armed */

#endif /* HV_SCHED_H */

/*
 * vCPUs and the scheduler (hv/common/sched.c, timer.c).  Arch code relies
 * only on `arch` being the first member and on `domain`.
 *
 * Scheduling is one global FIFO run queue under rq_lock, round-robin with
 * SCHED_SLICE_NS slices.  A vCPU's `state` changes only under rq_lock.
 * `paused` and `dying` are requests that the owning CPU honours the next
 * time the vCPU passes through the scheduler (they are set under rq_lock).
 *
 * Lock order: domain table lock -> timer list locks -> evtchn locks ->
 * rq_lock.  The timer list locks are one per CPU (timer.c), and two of them
 * are taken in CPU order.
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

/* A vCPU's one-shot timer (timer.c).  Armed, it is in the list of CPU
 * `cpu`, sorted by deadline. */
/* A node of one CPU's timer heap (timer_list.c): a pairing heap, so that
 * arming costs the same with 10,000 sleeping guests as with one. */
struct vcpu_timer {
    uint64_t deadline_ns;       /* 0 = not armed */
    uint64_t last_fire_ns;      /* when it last fired: the rate bound */
    uint64_t seq;               /* arming order: equal deadlines fire in it */
    struct vcpu_timer *child, *sibling;
    struct vcpu_timer *prev;    /* the parent if first child, else the left sibling */
    unsigned cpu;               /* changes only with both lists locked */
};

struct vcpu {
    struct arch_vcpu arch;      /* must stay first */
    struct domain *domain;
    enum vcpu_state state;
    /* the rest belongs to hv/common */
    struct vcpu *rq_next;       /* run queue link */
    struct vcpu_timer timer;
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

/* ---- timer.c: one-shot guest timers, one list per CPU ---- */
/* v is this CPU's current vCPU (its own SET_TIMER); 0 disarms. */
void timer_set(struct vcpu *v, uint64_t deadline_ns);
void timer_cancel(struct vcpu *v);
/* v is about to run on this CPU: its armed timer moves to this CPU's list. */
void timer_follow(struct vcpu *v);
void timers_run(unsigned cpu, uint64_t now_ns);  /* cpu's expired timers */
uint64_t timers_earliest(unsigned cpu);          /* 0 = none armed */

/* ---- timer_list.c: pure, under the list's lock ---- */
void timer_list_insert(struct vcpu_timer **head, struct vcpu_timer *t,
                       uint64_t deadline_ns);
void timer_list_remove(struct vcpu_timer **head, struct vcpu_timer *t);
/* The head, taken out and disarmed if it has expired at now_ns (it fires
 * now: last_fire_ns = now_ns); else NULL. */
struct vcpu_timer *timer_list_expired(struct vcpu_timer **head, uint64_t now_ns);
/* deadline_ns deferred to KEEL_TIMER_MIN_INTERVAL_NS after t last fired. */
uint64_t timer_bounded_deadline(const struct vcpu_timer *t, uint64_t deadline_ns);

#endif /* HV_SCHED_H */

/*
 * The vCPU scheduler: one global FIFO run queue, round-robin, 10 ms slices.
 *
 * Every entry from ring 3 (hypercall, exception, timer or kick interrupt)
 * ends in schedule_and_return(), which decides what this CPU runs next:
 * the current vCPU keeps the CPU while nothing else is runnable or its slice
 * lasts; otherwise it goes to the tail of the queue and the head runs.
 * Preemption comes from the per-CPU one-shot timer, which is armed for the
 * slice end only while something else waits (so an uncontended guest takes
 * no timer interrupts), and for the earliest guest timer of this CPU's own
 * list (timer.c: the timers of the vCPUs it runs or ran last, which follow
 * their vCPU here when it is picked).  When work appears
 * and every CPU is busy without an armed slice, one CPU is kicked so that it
 * arms its slice: a guest that never yields cannot starve the others.
 *
 * A vCPU may be pinned to one CPU (KEEL_DOMCTL_SET_AFFINITY): the queue
 * stays one FIFO, and each CPU takes the first vCPU it may run (the queue
 * and the kicks are in sched_rq.c).
 *
 * A vCPU may be picked on one CPU while another CPU is still leaving it
 * (its FPU state not yet saved): arch.running tells, and the new CPU waits
 * for it to drop to 0 before resuming it.
 */
#include "sched_rq.h"

void sched_init(void)
{
    rq_head = rq_tail = NULL;
}

/* Under rq_lock: a blocked vCPU becomes runnable (or paused, if its domain
 * was paused while it slept). */
static void wake_locked(struct vcpu *v)
{
    if (v->state != VCPU_BLOCKED)
        return;
    if (v->paused) {
        v->state = VCPU_PAUSED;
    } else {
        rq_push(v);
        kick_for(v);
    }
}

void vcpu_wake(struct vcpu *v)
{
    spin_lock(&rq_lock);
    wake_locked(v);
    spin_unlock(&rq_lock);
}

/* An event for v: wake it if it is blocked; if it runs on another CPU,
 * make that CPU leave the guest so that its way back to ring 3 enters the
 * upcall promptly.  Runnable, paused or running here: it will pass the
 * upcall check by itself. */
void vcpu_notify(struct vcpu *v)
{
    spin_lock(&rq_lock);
    if (v->state == VCPU_BLOCKED)
        wake_locked(v);
    else if (v->state == VCPU_RUNNING && v->cpu != this_cpu()->id)
        arch_kick_cpu(v->cpu);
    spin_unlock(&rq_lock);
}

/* Anything that should end a block: a pending-word bit, or an event
 * (upcall_pending, whatever upcall_mask says: a guest masks, checks for
 * work, then blocks, and must not sleep through an event in between). */
static bool wake_reason(const struct keel_shared_info *si)
{
    return __atomic_load_n(&si->pending, __ATOMIC_SEQ_CST) != 0 ||
           __atomic_load_n(&si->vcpu_info[0].upcall_pending, __ATOMIC_SEQ_CST);
}

/* The check is under rq_lock and wakers set their bit before they take it
 * (domain_set_pending, vcpu_notify), so a wake-up cannot fall between the
 * check and the state change.
 *
 * A block that returns at once (a reason is set) yields when another vCPU
 * waits for this CPU: the caller said it has nothing to do, and a guest
 * that loops on block with a pending bit it never clears would otherwise
 * hold the CPU for its whole slice while the vCPU it just woke (the other
 * end of an event round trip) waits.  This was most of the 1.2-1.6 ms
 * round trips of hv-evtchn: dom0 never cleared KEEL_PENDING_DOMAIN. */
void vcpu_block(struct vcpu *v)
{
    spin_lock(&rq_lock);
    if (v->dying)
        v->state = VCPU_DEAD;
    else if (!wake_reason(v->domain->shared_info))
        v->state = VCPU_BLOCKED;
    else if (rq_waiting_for(this_cpu()->id))
        this_cpu()->need_resched = true;
    spin_unlock(&rq_lock);
}

void vcpu_pause(struct vcpu *v)
{
    spin_lock(&rq_lock);
    v->paused = true;
    if (v->state == VCPU_RUNNABLE) {
        rq_remove(v);
        v->state = VCPU_PAUSED;
    } else if (v->state == VCPU_RUNNING && v->cpu != this_cpu()->id) {
        arch_kick_cpu(v->cpu);       /* it pauses when it passes schedule */
    }
    spin_unlock(&rq_lock);
}

void vcpu_unpause(struct vcpu *v)
{
    spin_lock(&rq_lock);
    v->paused = false;
    if (v->state == VCPU_PAUSED && !v->dying) {
        rq_push(v);
        kick_for(v);
    }
    spin_unlock(&rq_lock);
}

void vcpu_kill_current(struct vcpu *v)
{
    spin_lock(&rq_lock);
    v->state = VCPU_DEAD;
    spin_unlock(&rq_lock);
    timer_cancel(v);
}

void vcpu_kill_and_wait(struct vcpu *v)
{
    bool on_cpu;

    spin_lock(&rq_lock);
    v->dying = true;
    if (v->state == VCPU_RUNNABLE)
        rq_remove(v);
    if (v->state == VCPU_RUNNING)
        arch_kick_cpu(v->cpu);       /* it dies when it passes schedule */
    else
        v->state = VCPU_DEAD;
    spin_unlock(&rq_lock);
    /* Bounded: the other CPU takes the kick as soon as it is back in ring 3
     * or idle, and holds no lock we hold. */
    do {
        spin_lock(&rq_lock);
        on_cpu = v->state == VCPU_RUNNING;
        spin_unlock(&rq_lock);
        if (!on_cpu && !__atomic_load_n(&v->arch.running, __ATOMIC_ACQUIRE))
            break;
        cpu_relax();
    } while (1);
    /* Only now: until it left its CPU, v could still arm its timer (a
     * SET_TIMER under way there) or have it follow it to a new CPU. */
    timer_cancel(v);
}

void sched_yield_current(void)
{
    this_cpu()->need_resched = true;
}

void vcpu_set_affinity(struct vcpu *v, unsigned cpu)
{
    spin_lock(&rq_lock);
    v->pinned = cpu != KEEL_CPU_ANY;
    v->pin_cpu = v->pinned ? cpu : 0;
    if (v->state == VCPU_RUNNABLE)
        kick_for(v);
    else if (v->state == VCPU_RUNNING && !may_run(v, v->cpu) &&
             v->cpu != this_cpu()->id)
        arch_kick_cpu(v->cpu);       /* it moves when it passes schedule */
    spin_unlock(&rq_lock);
}

/* Choose what this CPU runs next; under rq_lock. */
static struct vcpu *pick_next(struct percpu *c, struct vcpu *prev, uint64_t now)
{
    if (prev && prev->state == VCPU_RUNNING && prev->cpu == c->id) {
        if (prev->dying) {
            prev->state = VCPU_DEAD;
        } else if (prev->paused) {
            prev->state = VCPU_PAUSED;
        } else if (!may_run(prev, c->id)) {
            rq_push(prev);               /* re-pinned elsewhere: move it */
            kick_for(prev);
        } else if (!rq_waiting_for(c->id)) {
            c->slice_end_ns = now + SCHED_SLICE_NS;   /* uncontended */
            return prev;
        } else if (!c->need_resched && now < c->slice_end_ns) {
            return prev;
        } else {
            rq_push(prev);
        }
    }
    struct vcpu *next = rq_pop(c->id);
    if (next) {
        c->slice_end_ns = now + SCHED_SLICE_NS;
        next->run_start_ns = now;
    }
    return next;
}

static void program_timer(struct percpu *c, bool slice_matters)
{
    uint64_t dl = timers_earliest(c->id);

    if (slice_matters)
        dl = dl ? MIN(dl, c->slice_end_ns) : c->slice_end_ns;
    if (dl != sc[c->id].programmed) {
        sc[c->id].programmed = dl;
        arch_timer_program(dl);
    }
}

__noreturn void schedule_and_return(void)
{
    struct percpu *c = this_cpu();
    struct vcpu *prev = c->current, *next;
    uint64_t now = hv_now_ns();
    bool contended;

    spin_lock(&rq_lock);
    if (prev && !(prev->state == VCPU_RUNNING && prev->cpu != c->id)) {
        prev->cpu_time_ns += now - prev->run_start_ns;
        prev->run_start_ns = now;
    }
    next = pick_next(c, prev, now);
    if (next) {
        next->cpu = c->id;
        next->state = VCPU_RUNNING;
    }
    contended = rq_waiting_for(c->id);
    sc[c->id].idle = next == NULL;
    sc[c->id].slice_armed = next && contended;
    c->need_resched = false;
    spin_unlock(&rq_lock);

    if (next)
        timer_follow(next);
    program_timer(c, next && contended);
    /* If next is still being left by another CPU, arch_switch_to() waits
     * for its FPU state -- after releasing this CPU's previous vCPU.  Waiting
     * here, before that release, deadlocks two CPUs that swap vCPUs. */
    arch_switch_to(next);
}

/* The counts are this CPU's own: a plain add, read racily by CPU_INFO. */
static void count(uint64_t *n)
{
    __atomic_store_n(n, *n + 1, __ATOMIC_RELAXED);
}

__noreturn void hv_timer_interrupt(void)
{
    sc[this_cpu()->id].programmed = 0;      /* one-shot: it has fired */
    count(&sc[this_cpu()->id].timer_irqs);
    timers_run(this_cpu()->id, hv_now_ns());
    schedule_and_return();
}

/* Pages zeroed between two looks at the kick flag: a few tens of
 * microseconds under TCG, where the kick is then taken. */
#define IDLE_ZERO_BATCH 8

/* Stops for a kick or a timer that is due even if the window the idle loop
 * opens between batches let neither in (whether it does under TCG is not
 * established: docs/boot-time.md). */
bool sched_idle_work(void)
{
    struct sched_cpu *s = &sc[this_cpu()->id];
    uint64_t due = s->programmed;       /* this CPU's own field */

    /* kick_cpu_if_needed clears idle before it sends the kick */
    if (!__atomic_load_n(&s->idle, __ATOMIC_RELAXED))
        return false;
    if (due && hv_now_ns() >= due)
        return false;
    return frames_prezero_some(IDLE_ZERO_BATCH);
}

__noreturn void hv_kick_interrupt(void)
{
    count(&sc[this_cpu()->id].kicks);
    schedule_and_return();
}

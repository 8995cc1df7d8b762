/*
 * Cooperative threads and the one scheduler every blocking call in the
 * libos goes through.
 *
 * All threads sit in one ring; the running one is `current`.  A thread
 * that waits records a condition (a ready() predicate and a deadline) and
 * the scheduler looks for the next thread, round-robin, whose condition
 * holds.  Conditions are re-evaluated rather than signalled, so event
 * upcalls never touch thread state: they only set bits the predicates
 * read.  With a handful of threads the scan costs less than a hypercall.
 *
 * When no thread is ready the vCPU blocks (idle_block): upcalls masked,
 * look once more, park unwanted pending-word bits, arm the timer for the
 * earliest deadline, SCHED_BLOCK (which returns at once if an event came
 * after the mask), then deliver what arrived.  No wake-up is lost.
 */
#include <stdlib.h>
#include <libos/thread.h>
#include <libos/event.h>
#include <libos/time.h>
#include <libos/hypercall.h>
#include "internal.h"
#include "thread_impl.h"

/* main_thread and current are thread_impl.h's, shared with
 * thread_posix.c */
struct libos_thread main_thread = { .next = &main_thread };
struct libos_thread *current = &main_thread;
/* A detached thread that has ended: its stack is still in use until the
 * switch away from it, so the thread that runs next frees it. */
static struct libos_thread *dead;

static void reap_dead(void)
{
    if (dead) {
        libos_thread_free(dead);
        dead = NULL;
    }
}

static int is_ready(struct libos_thread *t, uint64_t now)
{
    if (t->state == T_RUNNING)
        return 1;
    if (t->state != T_WAITING)
        return 0;
    return now >= t->deadline || (t->ready && t->ready(t->ready_arg));
}

/* The next ready thread after current (current itself last), or NULL. */
static struct libos_thread *pick(void)
{
    uint64_t now = libos_monotonic_ns();
    struct libos_thread *t = current->next;

    for (;;) {
        if (is_ready(t, now))
            return t;
        if (t == current)
            return NULL;
        t = t->next;
    }
}

static uint64_t earliest_deadline(void)
{
    uint64_t dl = LIBOS_FOREVER;
    struct libos_thread *t = current;

    do {
        if (t->state == T_WAITING && t->deadline < dl)
            dl = t->deadline;
        t = t->next;
    } while (t != current);
    return dl;
}

static void idle_block(void)
{
    int old = libos_events_mask();
    uint64_t dl, t0;

    libos_events_poll();
    if (!pick()) {
        libos_pending_set_aside();
        dl = earliest_deadline();
        if (dl != LIBOS_FOREVER)
            keel_hc_set_timer(dl);    /* a stale one only wakes us early */
        t0 = libos_monotonic_ns();
        if (!pick())
            keel_hc_sched_block();
        libos_blocked_ns += libos_monotonic_ns() - t0;
    }
    libos_events_restore(old);
}

static void run(struct libos_thread *next)
{
    struct libos_thread *prev = current;

    next->state = T_RUNNING;
    if (next == prev)
        return;
    current = next;
    libos_ctx_switch(&prev->rsp, next->rsp);
    reap_dead();                    /* back in prev, on its own stack */
}

/* current has stopped being ready (waiting or done): run someone who is. */
static void switch_away(void)
{
    struct libos_thread *next;

    while (!(next = pick()))
        idle_block();
    run(next);
}

void libos_sched_wait(int (*ready)(void *), void *arg, uint64_t deadline_ns)
{
    current->state = T_WAITING;
    current->ready = ready;
    current->ready_arg = arg;
    current->deadline = deadline_ns;
    switch_away();
}

void libos_thread_yield(void)
{
    run(pick());                    /* current is ready: never NULL */
}

libos_thread_t *libos_thread_self(void)
{
    return current;
}

_Noreturn void libos_thread_exit(void *result)
{
    if (current == &main_thread)
        exit((int)(intptr_t)result);
    current->result = result;
    current->state = T_DONE;         /* never ready again */
    if (current->detached)
        dead = current;
    switch_away();
    libos_fatal("a finished thread was resumed");
}

static _Noreturn void thread_start(void)
{
    reap_dead();
    libos_thread_exit(current->fn(current->arg));
}

/* The new stack looks as if thread_start's caller had called
 * libos_ctx_switch: six callee-saved registers, MXCSR and FCW at their
 * reset values, the return address, and an odd 8 so that thread_start
 * starts with rsp % 16 == 8 like any function. */
static void prepare_stack(struct libos_thread *t, size_t bytes)
{
    uint64_t *sp = (uint64_t *)(((uintptr_t)t->stack + bytes) & ~(uintptr_t)15);

    *--sp = 0;
    *--sp = (uint64_t)(uintptr_t)thread_start;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    *--sp = 0x1f80ull | (0x37full << 32);
    t->rsp = (uint64_t)(uintptr_t)sp;
}

int libos_thread_create(libos_thread_t **out, void *(*fn)(void *), void *arg,
                        size_t stack_bytes)
{
    struct libos_thread *t = calloc(1, sizeof(*t));

    if (!stack_bytes)
        stack_bytes = LIBOS_THREAD_STACK_DEFAULT;
    if (!t || stack_bytes < 8192 || !(t->stack = malloc(stack_bytes))) {
        free(t);
        return -KEEL_ENOMEM;
    }
    t->fn = fn;
    t->arg = arg;
    t->state = T_RUNNING;               /* ready to run */
    prepare_stack(t, stack_bytes);
    t->next = current->next;
    current->next = t;
    *out = t;
    return 0;
}

static int is_done(void *t)
{
    return ((struct libos_thread *)t)->state == T_DONE;
}

static void ring_remove(struct libos_thread *t)
{
    struct libos_thread *p = current;

    while (p->next != t)
        p = p->next;
    p->next = t->next;
}

void libos_thread_free(struct libos_thread *t)
{
    ring_remove(t);
    free(t->stack);
    free(t);
}

int libos_thread_join(libos_thread_t *t, void **result)
{
    if (!t || t == current || t == &main_thread || t->joined || t->detached)
        return -KEEL_EINVAL;
    t->joined = 1;
    while (t->state != T_DONE)
        libos_sched_wait(is_done, t, LIBOS_FOREVER);
    if (result)
        *result = t->result;
    libos_thread_free(t);
    return 0;
}

void libos_thread_wait(int (*ready)(void *), void *arg, uint64_t deadline_ns)
{
    libos_sched_wait(ready, arg, deadline_ns);
}

/*
 * What POSIX threads (pthread_thread.c) need of the libos's threads
 * besides create, join and exit: detach, one pointer per thread, whether
 * main is the last one, and a wait with a deadline for locks.
 */
#include <libos/thread.h>
#include <libos/time.h>
#include "internal.h"
#include "thread_impl.h"

int libos_thread_detach(libos_thread_t *t)
{
    if (!t || t == &main_thread || t->joined || t->detached)
        return -KEEL_EINVAL;
    if (t->state == T_DONE)
        libos_thread_free(t);
    else
        t->detached = 1;
    return 0;
}

void libos_thread_set_local(void *p)
{
    current->local = p;
}

void *libos_thread_local(void)
{
    return current->local;
}

int libos_thread_is_main(void)
{
    return current == &main_thread;
}

/* Not "but current": it runs as a ready() predicate, on whichever
 * thread's stack the scheduler is. */
int libos_thread_others_alive(void)
{
    for (struct libos_thread *t = main_thread.next; t != &main_thread; t = t->next)
        if (t->state != T_DONE)
            return 1;
    return 0;
}

int libos_wait_for(int (*ok)(void *), void *arg, uint64_t deadline_ns)
{
    while (!ok(arg)) {
        if (libos_monotonic_ns() >= deadline_ns)
            return 0;
        libos_sched_wait(ok, arg, deadline_ns);
    }
    return 1;
}

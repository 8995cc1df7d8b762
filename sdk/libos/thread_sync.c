/*
 * Mutexes and condition variables for cooperative threads.  Threads switch
 * only when they call in here, so the state changes need no atomics; a
 * waiter sleeps in the scheduler on a predicate over that state.
 */
#include <libos/thread.h>
#include <libos/time.h>
#include "internal.h"

static int mutex_free(void *m)
{
    return ((libos_mutex_t *)m)->owner == NULL;
}

int libos_mutex_lock(libos_mutex_t *m)
{
    if (m->owner == libos_thread_self())
        return -KEEL_EBUSY;
    while (m->owner)
        libos_sched_wait(mutex_free, m, LIBOS_FOREVER);
    m->owner = libos_thread_self();
    return 0;
}

int libos_mutex_trylock(libos_mutex_t *m)
{
    if (m->owner)
        return -KEEL_EBUSY;
    m->owner = libos_thread_self();
    return 0;
}

int libos_mutex_unlock(libos_mutex_t *m)
{
    if (m->owner != libos_thread_self())
        return -KEEL_EPERM;
    m->owner = NULL;
    return 0;
}

void libos_rmutex_lock(libos_rmutex_t *r)
{
    if (r->m.owner != libos_thread_self())
        libos_mutex_lock(&r->m);
    r->depth++;
}

int libos_rmutex_trylock(libos_rmutex_t *r)
{
    if (r->m.owner != libos_thread_self() && libos_mutex_trylock(&r->m))
        return -KEEL_EBUSY;
    r->depth++;
    return 0;
}

int libos_rmutex_unlock(libos_rmutex_t *r)
{
    if (r->m.owner != libos_thread_self() || !r->depth)
        return -KEEL_EPERM;
    if (--r->depth == 0)
        libos_mutex_unlock(&r->m);
    return 0;
}

struct libos_cond_waiter {
    struct libos_cond_waiter *next;
    int signalled;
};

static int signalled(void *w)
{
    return ((struct libos_cond_waiter *)w)->signalled;
}

static void remove_waiter(libos_cond_t *c, struct libos_cond_waiter *w)
{
    struct libos_cond_waiter **pp = &c->head, *prev = NULL;

    for (; *pp; prev = *pp, pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            if (c->tail == w)
                c->tail = prev;
            return;
        }
}

int libos_cond_wait(libos_cond_t *c, libos_mutex_t *m, uint64_t deadline_ns)
{
    struct libos_cond_waiter w = { 0, 0 };
    int rc;

    if (m->owner != libos_thread_self())
        return -KEEL_EPERM;
    if (c->tail)
        c->tail->next = &w;
    else
        c->head = &w;
    c->tail = &w;
    libos_mutex_unlock(m);
    while (!w.signalled && libos_monotonic_ns() < deadline_ns)
        libos_sched_wait(signalled, &w, deadline_ns);
    rc = w.signalled ? 0 : -KEEL_EAGAIN;
    if (!w.signalled)
        remove_waiter(c, &w);
    libos_mutex_lock(m);
    return rc;
}

void libos_cond_signal(libos_cond_t *c)
{
    struct libos_cond_waiter *w = c->head;

    if (!w)
        return;
    c->head = w->next;
    if (!c->head)
        c->tail = NULL;
    w->signalled = 1;
}

void libos_cond_broadcast(libos_cond_t *c)
{
    while (c->head)
        libos_cond_signal(c);
}

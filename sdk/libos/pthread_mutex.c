/*
 * POSIX mutexes and their attributes (docs/threads.md).  Threads switch
 * only in the scheduler, so owner and count need no atomics.
 *
 *   NORMAL      relocking by the owner deadlocks it, as POSIX says;
 *   ERRORCHECK  relocking is EDEADLK, unlocking another's is EPERM;
 *   RECURSIVE   the owner may lock again, and unlocks as often;
 *   DEFAULT     (newlib's default, what PTHREAD_MUTEX_INITIALIZER and a
 *               zeroed mutex get) checks errors like ERRORCHECK: POSIX
 *               leaves these cases undefined, an error code is kindest.
 */
#include <errno.h>
#include <stdlib.h>
#include <libos/time.h>
#include "internal.h"
#include "pthread_impl.h"

struct px_mutex {
    struct px_head head;
    int type;
    unsigned count;                 /* RECURSIVE: locks held by owner */
    libos_thread_t *owner;
};

static struct px_head *make_default(void)
{
    struct px_mutex *m = calloc(1, sizeof(*m));

    if (m) {
        m->head.kind = PX_MUTEX;
        m->type = PTHREAD_MUTEX_DEFAULT;
    }
    return m ? &m->head : NULL;
}

static struct px_mutex *get(pthread_mutex_t *h, int *err)
{
    return px_handle_lazy(h, PX_MUTEX, make_default, err);
}

int pthread_mutex_init(pthread_mutex_t *h, const pthread_mutexattr_t *attr)
{
    struct px_mutex *m;

    if (!h || (attr && !attr->is_initialized))
        return EINVAL;
    if (!(m = (struct px_mutex *)make_default()))
        return ENOMEM;
    if (attr)
        m->type = attr->type;
    return px_handle_publish(h, &m->head);
}

int pthread_mutex_destroy(pthread_mutex_t *h)
{
    struct px_mutex *m;
    int err;

    if (px_handle_unused(h))
        return 0;                    /* never used: nothing to free */
    if (!(m = get(h, &err)))
        return err;
    if (m->owner)
        return EBUSY;
    px_handle_free(*h);
    free(m);
    *h = PX_UNSET;
    return 0;
}

static int is_free(void *m)
{
    return ((struct px_mutex *)m)->owner == NULL;
}

static int never(void *unused)
{
    (void)unused;
    return 0;
}

/* Relocking by the owner: what the mutex's type says. */
static int relock(struct px_mutex *m)
{
    if (m->type == PTHREAD_MUTEX_RECURSIVE) {
        if (m->count == UINT32_MAX)
            return EAGAIN;
        m->count++;
        return 0;
    }
    if (m->type != PTHREAD_MUTEX_NORMAL)
        return EDEADLK;
    for (;;)                         /* POSIX: a NORMAL mutex deadlocks */
        libos_sched_wait(never, NULL, LIBOS_FOREVER);
}

static int lock_until(pthread_mutex_t *h, uint64_t deadline)
{
    int err;
    struct px_mutex *m = get(h, &err);

    if (!m)
        return err;
    if (m->owner == libos_thread_self())
        return relock(m);
    if (!libos_wait_for(is_free, m, deadline))
        return ETIMEDOUT;
    m->owner = libos_thread_self();
    m->count = 1;
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t *h)
{
    return lock_until(h, LIBOS_FOREVER);
}

int pthread_mutex_timedlock(pthread_mutex_t *h, const struct timespec *abstime)
{
    uint64_t deadline;

    if (!abstime || px_deadline(CLOCK_REALTIME, abstime, &deadline))
        return EINVAL;
    return lock_until(h, deadline);
}

int pthread_mutex_trylock(pthread_mutex_t *h)
{
    int err;
    struct px_mutex *m = get(h, &err);

    if (!m)
        return err;
    if (m->owner == libos_thread_self() && m->type == PTHREAD_MUTEX_RECURSIVE)
        return relock(m);
    if (m->owner)
        return EBUSY;
    m->owner = libos_thread_self();
    m->count = 1;
    return 0;
}

/* h's mutex if the caller holds it; else NULL and *err. */
static struct px_mutex *held(pthread_mutex_t *h, int *err)
{
    struct px_mutex *m = get(h, err);

    if (m && m->owner != libos_thread_self()) {
        *err = EPERM;
        return NULL;
    }
    return m;
}

int pthread_mutex_unlock(pthread_mutex_t *h)
{
    int err;
    struct px_mutex *m = held(h, &err);

    if (!m)
        return err;
    if (--m->count == 0)
        m->owner = NULL;
    return 0;
}

/* For pthread_cond_wait: releases the mutex whatever its count, which
 * *count saves; px_mutex_restore takes it back. */
int px_mutex_release(pthread_mutex_t *h, unsigned *count)
{
    int err;
    struct px_mutex *m = held(h, &err);

    if (!m)
        return err;
    *count = m->count;
    m->owner = NULL;
    m->count = 0;
    return 0;
}

int px_mutex_restore(pthread_mutex_t *h, unsigned count)
{
    struct px_mutex *m = px_handle_get(*h, PX_MUTEX);

    if (!m)
        return EINVAL;
    libos_wait_for(is_free, m, LIBOS_FOREVER);
    m->owner = libos_thread_self();
    m->count = count;
    return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
    if (!a)
        return EINVAL;
    a->is_initialized = 1;
    a->type = PTHREAD_MUTEX_DEFAULT;
    a->recursive = 0;
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
    if (!a || !a->is_initialized)
        return EINVAL;
    a->is_initialized = 0;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
    if (!a || !a->is_initialized ||
        (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
         type != PTHREAD_MUTEX_ERRORCHECK && type != PTHREAD_MUTEX_DEFAULT))
        return EINVAL;
    a->type = type;
    a->recursive = type == PTHREAD_MUTEX_RECURSIVE;
    return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
    if (!a || !a->is_initialized || !type)
        return EINVAL;
    *type = a->type;
    return 0;
}

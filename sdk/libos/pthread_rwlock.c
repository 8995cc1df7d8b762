/*
 * POSIX read-write locks.  Readers go first: a thread that holds a read
 * lock may take another while a writer waits (POSIX allows it, and it
 * cannot deadlock); a writer waits until no reader is left.
 */
#include <errno.h>
#include <stdlib.h>
#include <libos/time.h>
#include "internal.h"
#include "pthread_impl.h"

struct px_rwlock {
    struct px_head head;
    unsigned readers;
    libos_thread_t *writer;
};

static struct px_head *make_default(void)
{
    struct px_rwlock *l = calloc(1, sizeof(*l));

    if (l)
        l->head.kind = PX_RWLOCK;
    return l ? &l->head : NULL;
}

static struct px_rwlock *get(pthread_rwlock_t *h, int *err)
{
    return px_handle_lazy(h, PX_RWLOCK, make_default, err);
}

int pthread_rwlock_init(pthread_rwlock_t *h, const pthread_rwlockattr_t *attr)
{
    struct px_head *l;

    if (!h || (attr && !attr->is_initialized))
        return EINVAL;
    if (!(l = make_default()))
        return ENOMEM;
    return px_handle_publish(h, l);
}

int pthread_rwlock_destroy(pthread_rwlock_t *h)
{
    struct px_rwlock *l;
    int err;

    if (px_handle_unused(h))
        return 0;
    if (!(l = get(h, &err)))
        return err;
    if (l->readers || l->writer)
        return EBUSY;
    px_handle_free(*h);
    free(l);
    *h = PX_UNSET;
    return 0;
}

static int can_read(void *l)
{
    return !((struct px_rwlock *)l)->writer;
}

static int can_write(void *l)
{
    struct px_rwlock *r = l;

    return !r->writer && !r->readers;
}

/* A read lock (write 0) or the write lock, waiting until the deadline. */
static int lock_until(pthread_rwlock_t *h, int write, uint64_t deadline)
{
    int err;
    struct px_rwlock *l = get(h, &err);

    if (!l)
        return err;
    if (l->writer == libos_thread_self())
        return EDEADLK;
    if (!write && l->readers == UINT32_MAX)
        return EAGAIN;
    if (!libos_wait_for(write ? can_write : can_read, l, deadline))
        return ETIMEDOUT;
    if (write)
        l->writer = libos_thread_self();
    else
        l->readers++;
    return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *h)
{
    return lock_until(h, 0, LIBOS_FOREVER);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *h)
{
    return lock_until(h, 1, LIBOS_FOREVER);
}

/* A deadline that has passed: the try variants fail at once. */
int pthread_rwlock_tryrdlock(pthread_rwlock_t *h)
{
    int err = lock_until(h, 0, 0);

    return err == ETIMEDOUT ? EBUSY : err;
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *h)
{
    int err = lock_until(h, 1, 0);

    return err == ETIMEDOUT ? EBUSY : err;
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *h, const struct timespec *abstime)
{
    uint64_t deadline;

    if (!abstime || px_deadline(CLOCK_REALTIME, abstime, &deadline))
        return EINVAL;
    return lock_until(h, 0, deadline);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *h, const struct timespec *abstime)
{
    uint64_t deadline;

    if (!abstime || px_deadline(CLOCK_REALTIME, abstime, &deadline))
        return EINVAL;
    return lock_until(h, 1, deadline);
}

/* Readers are not recorded one by one: an unlock by a thread that holds
 * nothing while others read is taken as a reader's (POSIX: undefined). */
int pthread_rwlock_unlock(pthread_rwlock_t *h)
{
    int err;
    struct px_rwlock *l = get(h, &err);

    if (!l)
        return err;
    if (l->writer == libos_thread_self())
        l->writer = NULL;
    else if (l->readers)
        l->readers--;
    else
        return EPERM;
    return 0;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
    if (!a)
        return EINVAL;
    a->is_initialized = 1;
    return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
    if (!a || !a->is_initialized)
        return EINVAL;
    a->is_initialized = 0;
    return 0;
}

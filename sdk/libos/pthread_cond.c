/*
 * POSIX condition variables (on the libos's, FIFO and without spurious
 * wake-ups), their attributes (the clock of timed waits: CLOCK_REALTIME
 * by default, CLOCK_MONOTONIC by pthread_condattr_setclock), and
 * pthread_once.
 */
#include <errno.h>
#include <stdlib.h>
#include <libos/time.h>
#include "internal.h"
#include "pthread_impl.h"

struct px_cond {
    struct px_head head;
    clockid_t clock;
    libos_cond_t c;
};

static struct px_cond *cond_new(clockid_t clock)
{
    struct px_cond *c = calloc(1, sizeof(*c));

    if (c) {
        c->head.kind = PX_COND;
        c->clock = clock;
    }
    return c;
}

static struct px_head *make_default(void)
{
    struct px_cond *c = cond_new(CLOCK_REALTIME);

    return c ? &c->head : NULL;
}

static struct px_cond *get(pthread_cond_t *h, int *err)
{
    return px_handle_lazy(h, PX_COND, make_default, err);
}

int pthread_cond_init(pthread_cond_t *h, const pthread_condattr_t *attr)
{
    struct px_cond *c;

    if (!h || (attr && !attr->is_initialized))
        return EINVAL;
    if (!(c = cond_new(attr ? (clockid_t)attr->clock : CLOCK_REALTIME)))
        return ENOMEM;
    return px_handle_publish(h, &c->head);
}

int pthread_cond_destroy(pthread_cond_t *h)
{
    struct px_cond *c;
    int err;

    if (px_handle_unused(h))
        return 0;
    if (!(c = get(h, &err)))
        return err;
    if (c->c.head)
        return EBUSY;
    px_handle_free(*h);
    free(c);
    *h = PX_UNSET;
    return 0;
}

/* The libos's wait releases and retakes a libos mutex; the POSIX mutex is
 * released before and retaken after, so the libos one is a private one
 * the caller holds.  No thread runs between the release and the queueing
 * (threads switch only when the libos's wait sleeps): no lost signal. */
static int wait_until(struct px_cond *c, pthread_mutex_t *m, uint64_t deadline)
{
    libos_mutex_t private = { libos_thread_self() };
    unsigned count;
    int err;

    if (!m)
        return EINVAL;
    if ((err = px_mutex_release(m, &count)))
        return err;
    err = libos_cond_wait(&c->c, &private, deadline) ? ETIMEDOUT : 0;
    return px_mutex_restore(m, count) ? EINVAL : err;
}

int pthread_cond_wait(pthread_cond_t *h, pthread_mutex_t *m)
{
    int err;
    struct px_cond *c = get(h, &err);

    return c ? wait_until(c, m, LIBOS_FOREVER) : err;
}

int pthread_cond_timedwait(pthread_cond_t *h, pthread_mutex_t *m,
                           const struct timespec *abstime)
{
    int err;
    struct px_cond *c = get(h, &err);
    uint64_t deadline;

    if (!c)
        return err;
    if (!abstime || px_deadline(c->clock, abstime, &deadline))
        return EINVAL;
    return wait_until(c, m, deadline);
}

int pthread_cond_signal(pthread_cond_t *h)
{
    int err;
    struct px_cond *c = get(h, &err);

    if (c)
        libos_cond_signal(&c->c);
    return err;
}

int pthread_cond_broadcast(pthread_cond_t *h)
{
    int err;
    struct px_cond *c = get(h, &err);

    if (c)
        libos_cond_broadcast(&c->c);
    return err;
}

int pthread_condattr_init(pthread_condattr_t *a)
{
    if (!a)
        return EINVAL;
    a->is_initialized = 1;
    a->clock = CLOCK_REALTIME;
    return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
    if (!a || !a->is_initialized)
        return EINVAL;
    a->is_initialized = 0;
    return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
    if (!a || !a->is_initialized ||
        (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
        return EINVAL;
    a->clock = (clock_t)clock;
    return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
    if (!a || !a->is_initialized || !clock)
        return EINVAL;
    *clock = (clockid_t)a->clock;
    return 0;
}

enum { ONCE_NOT_RUN, ONCE_DONE, ONCE_RUNNING };

static int once_settled(void *o)
{
    return ((pthread_once_t *)o)->init_executed != ONCE_RUNNING;
}

/* A routine that blocks lets other threads in: they wait for it to end. */
int pthread_once(pthread_once_t *o, void (*routine)(void))
{
    if (!o || !routine)
        return EINVAL;
    while (o->init_executed == ONCE_RUNNING)
        libos_sched_wait(once_settled, o, LIBOS_FOREVER);
    if (o->init_executed == ONCE_NOT_RUN) {
        o->init_executed = ONCE_RUNNING;
        routine();
        o->init_executed = ONCE_DONE;
    }
    return 0;
}

/*
 * POSIX threads on the libos's cooperative threads (docs/threads.md):
 * create, join, detach, self, equal, exit, and thread attributes.
 *
 * Each thread has a record (struct px_thread) under a handle, its
 * pthread_t; the libos thread points back to it (libos_thread_local).  A
 * joinable thread's record lives until it is joined; a detached one's
 * until it ends.  Threads the libos made without pthread_create (main,
 * lwIP's) get a record the first time they ask for one.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libos/time.h>
#include "internal.h"
#include "pthread_impl.h"

#define PX_STACK_MIN (16u << 10)   /* 8 KiB the libos needs + room for upcalls */

struct px_thread {
    struct px_head head;
    libos_thread_t *lt;
    pthread_t id;
    int detached, exited;
    void *(*fn)(void *);
    void *arg;
    void **keys;                    /* pthread_key.c's values */
};

static struct px_thread *record_new(void)
{
    struct px_thread *p = calloc(1, sizeof(*p));

    if (p) {
        p->head.kind = PX_THREAD;
        if (!(p->id = px_handle_new(&p->head))) {
            free(p);
            return NULL;
        }
    }
    return p;
}

static void record_free(struct px_thread *p)
{
    px_handle_free(p->id);
    free(p);
}

struct px_thread *px_self(void)
{
    struct px_thread *p = libos_thread_local();

    if (!p) {
        if (!(p = record_new()))
            libos_fatal("pthread: no memory for the calling thread's record");
        p->lt = libos_thread_self();
        libos_thread_set_local(p);
    }
    return p;
}

void ***px_self_keys(void)
{
    return &px_self()->keys;
}

static void *thread_main(void *arg)
{
    struct px_thread *p = arg;

    libos_thread_set_local(p);
    pthread_exit(p->fn(p->arg));
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr,
                   void *(*fn)(void *), void *arg)
{
    size_t stack = 0;
    struct px_thread *p;

    if (!out || !fn || (attr && !attr->is_initialized))
        return EINVAL;
    if (attr)
        stack = (size_t)attr->stacksize;
    if (!(p = record_new()))
        return EAGAIN;
    p->fn = fn;
    p->arg = arg;
    if (libos_thread_create(&p->lt, thread_main, p, stack) != 0) {
        record_free(p);
        return EAGAIN;
    }
    if (attr && attr->detachstate == PTHREAD_CREATE_DETACHED) {
        p->detached = 1;
        libos_thread_detach(p->lt);
    }
    *out = p->id;
    return 0;
}

static int main_alone(void *unused)
{
    (void)unused;
    return !libos_thread_others_alive();
}

void pthread_exit(void *result)
{
    struct px_thread *p = px_self();

    px_keys_exit(p->keys);
    p->keys = NULL;
    if (libos_thread_is_main()) {
        /* POSIX: the process goes on until its last thread ends */
        while (libos_thread_others_alive())
            libos_sched_wait(main_alone, NULL, LIBOS_FOREVER);
        exit(0);
    }
    p->exited = 1;
    if (p->detached)
        record_free(p);
    libos_thread_exit(result);
}

int pthread_join(pthread_t id, void **result)
{
    struct px_thread *p = px_handle_get(id, PX_THREAD);

    if (!p)
        return ESRCH;
    if (p == px_self())
        return EDEADLK;
    if (p->detached || libos_thread_join(p->lt, result) != 0)
        return EINVAL;               /* detached, main, or joined already */
    record_free(p);
    return 0;
}

int pthread_detach(pthread_t id)
{
    struct px_thread *p = px_handle_get(id, PX_THREAD);

    if (!p)
        return ESRCH;
    if (p->detached || libos_thread_detach(p->lt) != 0)
        return EINVAL;
    p->detached = 1;
    if (p->exited)
        record_free(p);              /* the libos freed the thread itself */
    return 0;
}

pthread_t pthread_self(void)
{
    return px_self()->id;
}

int pthread_equal(pthread_t a, pthread_t b)
{
    return a == b;
}

int pthread_attr_init(pthread_attr_t *a)
{
    if (!a)
        return EINVAL;
    memset(a, 0, sizeof(*a));
    a->is_initialized = 1;
    a->stacksize = LIBOS_THREAD_STACK_DEFAULT;
    a->detachstate = PTHREAD_CREATE_JOINABLE;
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
    if (!a || !a->is_initialized)
        return EINVAL;
    a->is_initialized = 0;
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
    if (!a || !a->is_initialized ||
        (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED))
        return EINVAL;
    a->detachstate = state;
    return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
    if (!a || !a->is_initialized || !state)
        return EINVAL;
    *state = a->detachstate;
    return 0;
}

/* newlib keeps the size in an int */
int pthread_attr_setstacksize(pthread_attr_t *a, size_t bytes)
{
    if (!a || !a->is_initialized || bytes < PX_STACK_MIN || bytes > INT_MAX)
        return EINVAL;
    a->stacksize = (int)bytes;
    return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *bytes)
{
    if (!a || !a->is_initialized || !bytes)
        return EINVAL;
    *bytes = (size_t)a->stacksize;
    return 0;
}

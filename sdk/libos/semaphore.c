/*
 * POSIX unnamed semaphores (posix/semaphore.h).  A waiter sleeps in the
 * scheduler on "value > 0"; threads switch only there, so the value needs
 * no atomics.  Errors as POSIX says: -1 and errno.
 */
#include <errno.h>
#include <semaphore.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "internal.h"

#define SEM_MAGIC 0x53454d31u    /* "SEM1" */

static int fail(int err)
{
    errno = err;
    return -1;
}

static int valid(const sem_t *s)
{
    return s && s->magic == SEM_MAGIC;
}

int sem_init(sem_t *s, int pshared, unsigned int value)
{
    if (!s || value > SEM_VALUE_MAX)
        return fail(EINVAL);
    if (pshared)
        return fail(ENOSYS);          /* one process: nothing to share with */
    s->value = value;
    s->magic = SEM_MAGIC;
    return 0;
}

int sem_destroy(sem_t *s)
{
    if (!valid(s))
        return fail(EINVAL);
    s->magic = 0;
    return 0;
}

static int positive(void *s)
{
    return ((sem_t *)s)->value > 0;
}

static int wait_until(sem_t *s, uint64_t deadline)
{
    if (!valid(s))
        return fail(EINVAL);
    if (!libos_wait_for(positive, s, deadline))
        return fail(deadline ? ETIMEDOUT : EAGAIN);
    s->value--;
    return 0;
}

int sem_wait(sem_t *s)
{
    return wait_until(s, LIBOS_FOREVER);
}

int sem_trywait(sem_t *s)
{
    return wait_until(s, 0);
}

int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    uint64_t ns;

    if (!valid(s))
        return fail(EINVAL);
    if (s->value) {                  /* POSIX: no timeout check if it can go */
        s->value--;
        return 0;
    }
    if (!abstime || libos_ts_to_ns(abstime->tv_sec, abstime->tv_nsec, &ns))
        return fail(EINVAL);
    ns = libos_abs_deadline(CLOCK_REALTIME, ns);
    return wait_until(s, ns ? ns : 1);   /* 0 means "try": a passed time is 1 */
}

int sem_post(sem_t *s)
{
    if (!valid(s))
        return fail(EINVAL);
    if (s->value >= SEM_VALUE_MAX)
        return fail(EOVERFLOW);
    s->value++;
    return 0;
}

int sem_getvalue(sem_t *s, int *value)
{
    if (!valid(s) || !value)
        return fail(EINVAL);
    *value = (int)s->value;
    return 0;
}

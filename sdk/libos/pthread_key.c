/*
 * Thread-specific data: PTHREAD_KEYS_MAX keys, each with a destructor run
 * at a thread's pthread_exit (or the return of its start routine) for a
 * value that is not NULL, in up to PTHREAD_DESTRUCTOR_ITERATIONS rounds
 * as POSIX says.  A thread's values are one array made at its first
 * pthread_setspecific; each remembers its key's generation, so a value
 * set under a deleted key never shows through the key that reuses the slot.
 */
#include <errno.h>
#include <stdlib.h>
#include "internal.h"
#include "pthread_impl.h"

#define KEYS_MAX 128                     /* Linux's PTHREAD_KEYS_MAX */
#define DESTRUCTOR_ROUNDS 4              /* Linux's PTHREAD_DESTRUCTOR_ITERATIONS */

struct key {
    int used;
    uint32_t gen;
    void (*destructor)(void *);
};

struct value {
    void *v;
    uint32_t gen;
};

static struct key keys[KEYS_MAX];

int pthread_key_create(pthread_key_t *out, void (*destructor)(void *))
{
    if (!out)
        return EINVAL;
    for (uint32_t k = 0; k < KEYS_MAX; k++)
        if (!keys[k].used) {
            keys[k].used = 1;
            keys[k].gen++;
            keys[k].destructor = destructor;
            *out = k;
            return 0;
        }
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t k)
{
    if (k >= KEYS_MAX || !keys[k].used)
        return EINVAL;
    keys[k].used = 0;
    keys[k].gen++;
    return 0;
}

static struct value *values_of_self(int make)
{
    void ***slot = px_self_keys();

    if (!*slot && make)
        *slot = calloc(KEYS_MAX, sizeof(struct value));
    return (struct value *)*slot;
}

void *pthread_getspecific(pthread_key_t k)
{
    struct value *v;

    if (k >= KEYS_MAX || !keys[k].used || !(v = values_of_self(0)) ||
        v[k].gen != keys[k].gen)
        return NULL;
    return v[k].v;
}

int pthread_setspecific(pthread_key_t k, const void *p)
{
    struct value *v;

    if (k >= KEYS_MAX || !keys[k].used)
        return EINVAL;
    if (!(v = values_of_self(1)))
        return ENOMEM;
    v[k].v = (void *)p;
    v[k].gen = keys[k].gen;
    return 0;
}

/* One round: each live value's destructor, the value cleared first.
 * Returns whether any ran (a destructor may set values again). */
static int destructor_round(struct value *v)
{
    int ran = 0;

    for (uint32_t k = 0; k < KEYS_MAX; k++) {
        void *p = v[k].v;

        if (!p || !keys[k].used || v[k].gen != keys[k].gen || !keys[k].destructor)
            continue;
        v[k].v = NULL;
        keys[k].destructor(p);
        ran = 1;
    }
    return ran;
}

void px_keys_exit(void **values)
{
    struct value *v = (struct value *)values;

    if (!v)
        return;
    for (int round = 0; round < DESTRUCTOR_ROUNDS && destructor_round(v); round++)
        ;
    free(v);
}

/*
 * The handle table behind pthread_t and the lock types (pthread_impl.h).
 * Handles are indices + 1 into a table that grows by doubling; a freed
 * slot is reused lowest first (next_free is a hint: no slot below it is
 * free), so a program that makes and destroys locks in a loop keeps the
 * table small.
 */
#include <errno.h>
#include <stdlib.h>
#include <libos/time.h>
#include "internal.h"
#include "pthread_impl.h"

#define PX_HANDLES_MAX (1u << 24)       /* far below PX_UNSET */

static struct px_head **slots;
static uint32_t nslots, next_free;

static int grow(void)
{
    uint32_t n = nslots ? nslots * 2 : 64;
    struct px_head **s;

    if (n > PX_HANDLES_MAX || !(s = realloc(slots, n * sizeof(*s))))
        return -1;
    for (uint32_t i = nslots; i < n; i++)
        s[i] = NULL;
    slots = s;
    nslots = n;
    return 0;
}

uint32_t px_handle_new(struct px_head *obj)
{
    uint32_t i = next_free;

    while (i < nslots && slots[i])
        i++;
    if (i == nslots && grow() != 0)
        return 0;
    slots[i] = obj;
    next_free = i + 1;
    return i + 1;
}

int px_handle_publish(uint32_t *h, struct px_head *obj)
{
    uint32_t id = px_handle_new(obj);

    if (!id) {
        free(obj);
        return ENOMEM;
    }
    *h = id;
    return 0;
}

void *px_handle_get(uint32_t h, enum px_kind kind)
{
    if (h == 0 || h > nslots || !slots[h - 1] || slots[h - 1]->kind != kind)
        return NULL;
    return slots[h - 1];
}

void px_handle_free(uint32_t h)
{
    if (h == 0 || h > nslots)
        return;
    slots[h - 1] = NULL;
    if (h - 1 < next_free)
        next_free = h - 1;
}

void *px_handle_lazy(uint32_t *h, enum px_kind kind, struct px_head *(*make)(void),
                     int *err)
{
    struct px_head *obj;
    uint32_t nh;

    if (!h) {
        *err = EINVAL;
        return NULL;
    }
    if (*h != 0 && *h != PX_UNSET) {
        obj = px_handle_get(*h, kind);
        *err = obj ? 0 : EINVAL;
        return obj;
    }
    if (!(obj = make()) || !(nh = px_handle_new(obj))) {
        free(obj);
        *err = ENOMEM;
        return NULL;
    }
    *h = nh;
    *err = 0;
    return obj;
}

int px_deadline(clockid_t clock, const struct timespec *abstime, uint64_t *out)
{
    uint64_t ns;

    if (!abstime) {
        *out = LIBOS_FOREVER;
        return 0;
    }
    if ((clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) ||
        libos_ts_to_ns(abstime->tv_sec, abstime->tv_nsec, &ns) != 0)
        return EINVAL;
    *out = libos_abs_deadline(clock, ns);
    return 0;
}

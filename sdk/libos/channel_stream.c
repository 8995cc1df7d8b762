/*
 * One direction of a channel over an array of pages (pure: no hypercalls,
 * unit-tested on the host).
 *
 * Ordering (keel/stream.h): the producer's data stores happen before its
 * prod store (release), the consumer's prod load happens before its data
 * loads (acquire) and its data loads before its cons store (release).
 * After publishing a counter or an event index each side issues a full
 * fence before it reads the other side's words again, so that of two
 * racing ends at least one sees the other's update: no lost wake-up.
 */
#include <string.h>
#include "channel_impl.h"

#define PAGE KEEL_PAGE_SIZE

long chan_readable(const struct chan_dir *d)
{
    uint32_t used = __atomic_load_n(&d->s->prod, __ATOMIC_ACQUIRE) - d->mine;

    return used > d->size ? -KEEL_EIO : (long)used;
}

long chan_writable(const struct chan_dir *d)
{
    uint32_t used = d->mine - __atomic_load_n(&d->s->cons, __ATOMIC_ACQUIRE);

    return used > d->size ? -KEEL_EIO : (long)(d->size - used);
}

/* Bytes [off, off + n) of the data area never cross its end here: the
 * callers split at the wrap, and this splits at page boundaries. */
static void copy_area(struct chan_dir *d, uint32_t off, uint8_t *buf,
                      uint32_t n, int out)
{
    while (n) {
        uint32_t in_page = off % PAGE, chunk = PAGE - in_page;
        uint8_t *p = d->page[off / PAGE] + in_page;

        if (chunk > n)
            chunk = n;
        if (out)
            memcpy(buf, p, chunk);
        else
            memcpy(p, buf, chunk);
        buf += chunk;
        off += chunk;
        n -= chunk;
    }
}

static void copy_ring(struct chan_dir *d, uint8_t *buf, uint32_t n, int out)
{
    uint32_t off = d->mine & (d->size - 1), first = d->size - off;

    if (first > n)
        first = n;
    copy_area(d, off, buf, first, out);
    copy_area(d, 0, buf + first, n - first, out);
}

int chan_take(struct chan_dir *d, void *buf, uint32_t n)
{
    uint32_t old = d->mine;

    copy_ring(d, buf, n, 1);
    d->mine += n;
    __atomic_store_n(&d->s->cons, d->mine, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return keel_stream_need_notify(old, d->mine, d->s->cons_event);
}

int chan_put(struct chan_dir *d, const void *buf, uint32_t n)
{
    uint32_t old = d->mine;

    copy_ring(d, (uint8_t *)buf, n, 0);
    d->mine += n;
    __atomic_store_n(&d->s->prod, d->mine, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return keel_stream_need_notify(old, d->mine, d->s->prod_event);
}

long chan_arm_read(struct chan_dir *d)
{
    d->s->prod_event = d->mine + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return chan_readable(d);
}

/* Wake me as soon as the consumer frees anything: cons_event is the next
 * cons value, i.e. (what it read so far) + 1. */
long chan_arm_write(struct chan_dir *d)
{
    d->s->cons_event = __atomic_load_n(&d->s->cons, __ATOMIC_ACQUIRE) + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return chan_writable(d);
}

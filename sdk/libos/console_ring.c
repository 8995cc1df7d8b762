/*
 * The console frontend's data path (keel/console.h, keel/stream.h).
 *
 * Writers copy into the stream and notify only when the backend asked
 * (prod_event); a full stream blocks the calling thread in the scheduler
 * until the backend frees space.  The reader of stdin blocks until bytes,
 * end of input or a closed backend.  Counters the backend owns are read
 * once per step and checked: prod - cons > size is corruption, and the
 * console is then given up (EIO) rather than followed.
 */
#include <libos/event.h>
#include <libos/time.h>
#include "console_front.h"
#include "internal.h"

#define PG (libos_cf.pg)

static int backend_gone(void)
{
    return libos_cf.broken || PG->hdr.mapper_state == KEEL_CONN_CLOSED;
}

static void notify(void)
{
    libos_evtchn_send(libos_cf.port);
}

static uint32_t min32(uint32_t a, size_t b)
{
    return b < a ? (uint32_t)b : a;
}

static int has_space(void *arg)
{
    struct cf_stream *st = arg;
    return (uint32_t)(st->mine - st->s->cons) < st->size || backend_gone();
}

/* Full: ask for an event when cons moves, look again, then sleep. */
static void wait_space(struct cf_stream *st, uint32_t cons)
{
    st->s->cons_event = cons + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (st->s->cons == cons)
        libos_sched_wait(has_space, st, LIBOS_FOREVER);
}

static void put(struct cf_stream *st, const char *p, uint32_t n)
{
    uint32_t at = st->mine & (st->size - 1), first = min32(st->size - at, n);

    __builtin_memcpy(st->data + at, p, first);
    __builtin_memcpy(st->data, p + first, n - first);
    __atomic_thread_fence(__ATOMIC_RELEASE);   /* bytes before prod */
    uint32_t old = st->mine;
    st->mine += n;
    st->s->prod = st->mine;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* prod before prod_event */
    if (keel_stream_need_notify(old, st->mine, st->s->prod_event))
        notify();
}

long libos_cf_write(struct cf_stream *st, const char *p, size_t len)
{
    size_t done = 0;

    while (done < len) {
        if (backend_gone())
            return done ? (long)done : -KEEL_EPIPE;
        uint32_t cons = st->s->cons, used = st->mine - cons;
        if (used > st->size) {
            libos_cf.broken = 1;
            return -KEEL_EIO;
        }
        if (used == st->size) {
            wait_space(st, cons);
            continue;
        }
        uint32_t n = min32(st->size - used, len - done);
        put(st, p + done, n);
        done += n;
    }
    return (long)len;
}

static int input_ready(void *arg)
{
    (void)arg;
    return PG->in.prod != libos_cf.in.mine || PG->in_eof || backend_gone();
}

int libos_cf_input_ready(int arm)
{
    int ready = input_ready(0);

    if (ready || !arm)
        return ready;
    libos_cf.in.s->prod_event = libos_cf.in.mine + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the request before looking */
    return input_ready(0);
}

static long take(struct cf_stream *st, void *buf, size_t len, uint32_t avail)
{
    uint32_t n = min32(avail, len), at = st->mine & (st->size - 1);
    uint32_t first = min32(st->size - at, n);

    __atomic_thread_fence(__ATOMIC_ACQUIRE);   /* prod before the bytes */
    __builtin_memcpy(buf, st->data + at, first);
    __builtin_memcpy((char *)buf + first, st->data, n - first);
    uint32_t old = st->mine;
    st->mine += n;
    st->s->cons = st->mine;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* cons before cons_event */
    if (keel_stream_need_notify(old, st->mine, st->s->cons_event))
        notify();
    return n;
}

long libos_cf_read(void *buf, size_t len)
{
    struct cf_stream *st = &libos_cf.in;

    while (len) {
        uint32_t eof = PG->in_eof;   /* before prod: bytes precede the flag */
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t avail = st->s->prod - st->mine;
        if (avail > st->size) {
            libos_cf.broken = 1;
            return -KEEL_EIO;
        }
        if (avail)
            return take(st, buf, len, avail);
        if (eof || backend_gone())
            return 0;
        st->s->prod_event = st->mine + 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!input_ready(0))
            libos_sched_wait(input_ready, 0, LIBOS_FOREVER);
    }
    return 0;
}

/*
 * The console frontend's data path (keel/console.h, over the byte-stream
 * ring of stream/stream.h).
 *
 * Writers copy into the stream and notify only when the backend asked
 * (prod_event); a full stream blocks the calling thread in the scheduler
 * until the backend frees space.  The reader of stdin blocks until bytes,
 * end of input or a closed backend.  Counters the backend owns are checked
 * at every step: an impossible one is corruption, and the console is then
 * given up (EIO) rather than followed.
 */
#include <libos/time.h>
#include "console_front.h"
#include "internal.h"

#define PG (libos_cf.pg)

static int backend_gone(void)
{
    return libos_cf.broken ||
           libos_conn_peer_state(&libos_cf.conn) == KEEL_CONN_CLOSED;
}

static void notify(void)
{
    libos_conn_notify(&libos_cf.conn);
}

static uint32_t min32(long a, size_t b)
{
    return b < (size_t)a ? (uint32_t)b : (uint32_t)a;
}

static int has_space(void *arg)
{
    return stream_writable(arg) != 0 || backend_gone();
}

long libos_cf_write(struct stream *st, const char *p, size_t len)
{
    size_t done = 0;

    while (done < len) {
        if (backend_gone())
            return done ? (long)done : -KEEL_EPIPE;
        long room = stream_writable(st);
        if (room == 0)      /* full: ask for an event when cons moves */
            room = stream_arm_write(st);
        if (room < 0) {
            libos_cf.broken = 1;
            return -KEEL_EIO;
        }
        if (room == 0) {
            libos_sched_wait(has_space, st, LIBOS_FOREVER);
            continue;
        }
        uint32_t n = min32(room, len - done);
        if (stream_put(st, p + done, n))
            notify();
        done += n;
    }
    return (long)len;
}

static int input_ready(void *arg)
{
    (void)arg;
    return stream_readable(&libos_cf.in) != 0 || PG->in_eof || backend_gone();
}

/* For poll on stdin (console_fd.c): ready now, or (arm) ask the backend
 * for an event when bytes come and look once more. */
int libos_cf_input_ready(int arm)
{
    int ready = input_ready(0);

    if (ready || !arm)
        return ready;
    if (stream_arm_read(&libos_cf.in) < 0)
        libos_cf.broken = 1;
    return input_ready(0);
}

long libos_cf_read(void *buf, size_t len)
{
    struct stream *st = &libos_cf.in;

    while (len) {
        uint32_t eof = PG->in_eof;   /* before prod: bytes precede the flag */
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        long avail = stream_readable(st);
        if (avail < 0) {
            libos_cf.broken = 1;
            return -KEEL_EIO;
        }
        if (avail) {
            uint32_t n = min32(avail, len);
            if (stream_take(st, buf, n))
                notify();
            return n;
        }
        if (eof || backend_gone())
            return 0;
        if (stream_arm_read(st) == 0)
            libos_sched_wait(input_ready, 0, LIBOS_FOREVER);
    }
    return 0;
}

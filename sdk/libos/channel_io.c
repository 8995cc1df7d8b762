/*
 * Reading and writing a channel (libos/channel.h).
 *
 * Each loop looks at the stream first and at the peer's state only when
 * there is nothing to do, then arms the event index and looks once more
 * before sleeping (keel/stream.h).  The peer's state word is read before
 * the stream's counters are re-checked, so "peer CLOSING and stream empty"
 * means every byte it wrote has been read.
 */
#include <libos/channel.h>
#include <libos/time.h>
#include "internal.h"
#include "channel_impl.h"

static uint32_t min32(size_t a, long b)
{
    return (uint32_t)((size_t)b < a ? (size_t)b : a);
}

/* 1: bytes are there (n set), 0: none, < 0: error. */
static long read_some(struct libos_chan *c, void *buf, size_t len)
{
    long n = stream_readable(&c->rx);

    if (n < 0) {
        chan_fail(c, -KEEL_EIO);
        return -KEEL_EIO;
    }
    if (n == 0)
        return 0;
    n = min32(len, n);
    if (stream_take(&c->rx, buf, (uint32_t)n))
        chan_notify(c);
    return n;
}

long libos_chan_try_read(libos_chan_t *c, void *buf, size_t len)
{
    uint32_t st;
    long n;

    if (c->error)
        return c->error;
    if (len == 0)
        return 0;
    if ((n = read_some(c, buf, len)) != 0)
        return n;
    if (chan_peer_state(c, &st))
        return c->error;
    if (st >= KEEL_CONN_CLOSING) {
        n = read_some(c, buf, len);   /* its last bytes came before CLOSING */
        return n;
    }
    return -KEEL_EAGAIN;
}

long libos_chan_read(libos_chan_t *c, void *buf, size_t len)
{
    for (;;) {
        uint32_t seen = c->events;
        long n = libos_chan_try_read(c, buf, len);
        if (n != -KEEL_EAGAIN)
            return n;
        if ((n = stream_arm_read(&c->rx)) < 0) {
            chan_fail(c, -KEEL_EIO);
            return -KEEL_EIO;
        }
        if (n == 0)
            chan_sleep(c, seen, LIBOS_FOREVER);
    }
}

/* Bytes written (> 0), 0 if the stream is full, or an error. */
static long write_some(struct libos_chan *c, const void *buf, size_t len)
{
    long n = stream_writable(&c->tx);

    if (n < 0) {
        chan_fail(c, -KEEL_EIO);
        return -KEEL_EIO;
    }
    if (n == 0)
        return 0;
    n = min32(len, n);
    if (stream_put(&c->tx, buf, (uint32_t)n))
        chan_notify(c);
    return n;
}

/* The stream is full: is the peer still there to empty it? */
static long wait_space(struct libos_chan *c, uint32_t seen)
{
    uint32_t st;
    long n;

    if (chan_peer_state(c, &st))
        return c->error;
    if (st >= KEEL_CONN_CLOSING)
        return -KEEL_EPIPE;
    if ((n = stream_arm_write(&c->tx)) < 0) {
        chan_fail(c, -KEEL_EIO);
        return -KEEL_EIO;
    }
    if (n == 0)
        chan_sleep(c, seen, LIBOS_FOREVER);
    return 0;
}

long libos_chan_write(libos_chan_t *c, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    while (done < len) {
        uint32_t seen = c->events;
        long n;
        if (c->error)
            return c->error;
        long st = libos_conn_peer_state(&c->conn);
        if (c->peer_gone || st < 0 || st >= KEEL_CONN_CLOSING)
            return -KEEL_EPIPE;
        if ((n = write_some(c, p + done, len - done)) < 0)
            return n;
        if (n > 0)
            done += (size_t)n;
        else if ((n = wait_space(c, seen)) < 0)
            return n;
    }
    return (long)len;
}

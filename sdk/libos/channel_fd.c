/*
 * Channels as file descriptors: open("/dev/chan/NAME", O_RDWR) opens the
 * channel NAME (libos/channel.h) and installs a descriptor (libos/fd.h)
 * that read, write, close, poll and select use, so stdio and plain POSIX
 * code can talk to another guest.
 *
 * open() waits up to CHANFD_OPEN_NS for the peer; close() lingers up to
 * CHANFD_CLOSE_NS for the peer to read what was written.  poll arms both
 * directions' event indices and remembers the channel's event count: the
 * scheduler wakes the poller as soon as that count moves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libos/channel.h>
#include <libos/fd.h>
#include <libos/time.h>
#include "internal.h"
#include "channel_impl.h"

#define CHANFD_PREFIX   "/dev/chan/"
#define CHANFD_OPEN_NS  30000000000ull
#define CHANFD_CLOSE_NS 10000000000ull

struct chanfd {
    struct libos_chan *c;
    uint32_t seen;             /* c->events when poll last looked */
};

static long chanfd_read(void *obj, void *buf, size_t len, int flags)
{
    struct libos_chan *c = ((struct chanfd *)obj)->c;

    return flags & O_NONBLOCK ? libos_chan_try_read(c, buf, len)
                              : libos_chan_read(c, buf, len);
}

/* Non-blocking: what fits now, -EAGAIN if nothing does. */
static long chanfd_write(void *obj, const void *buf, size_t len, int flags)
{
    struct libos_chan *c = ((struct chanfd *)obj)->c;
    long room;

    if (!(flags & O_NONBLOCK) || c->error || c->peer_gone)
        return libos_chan_write(c, buf, len);
    if ((room = stream_writable(&c->tx)) < 0)
        return libos_chan_write(c, buf, len);   /* fails the channel */
    if (room == 0)
        return len ? -EAGAIN : 0;
    return libos_chan_write(c, buf, len < (size_t)room ? len : (size_t)room);
}

static int chanfd_close(void *obj)
{
    struct libos_chan *c = ((struct chanfd *)obj)->c;

    free(obj);
    return libos_chan_close(c, libos_monotonic_ns() + CHANFD_CLOSE_NS);
}

/* Readable with bytes or at end of file (the peer closing), writable with
 * room; a failed channel is readable and writable (the call returns the
 * error) and reports POLLERR. */
static int chanfd_poll(void *obj, int events)
{
    struct chanfd *f = obj;
    struct libos_chan *c = f->c;
    uint32_t st;
    long in, out;

    f->seen = c->events;
    if (c->error || chan_peer_state(c, &st))
        return POLLERR | (events & (POLLIN | POLLOUT));
    in = (events & POLLIN) ? stream_arm_read(&c->rx) : stream_readable(&c->rx);
    out = (events & POLLOUT) ? stream_arm_write(&c->tx) : stream_writable(&c->tx);
    if (in < 0 || out < 0)
        return POLLERR | (events & (POLLIN | POLLOUT));
    if (st >= KEEL_CONN_CLOSING)
        return POLLHUP | (events & POLLIN);
    return (in ? events & POLLIN : 0) | (out ? events & POLLOUT : 0);
}

static int chanfd_wake(void *obj, int events)
{
    const struct chanfd *f = obj;

    (void)events;
    return f->c->events != f->seen;
}

static const struct libos_fd_ops chanfd_ops = {
    .read = chanfd_read, .write = chanfd_write, .close = chanfd_close,
    .poll = chanfd_poll, .wake = chanfd_wake, .mode = S_IFCHR,
};

int libos_chanfd_open(const char *path)
{
    size_t n = strlen(CHANFD_PREFIX);
    struct chanfd *f;
    int rc, fd;

    if (strncmp(path, CHANFD_PREFIX, n) != 0)
        return -ENOENT;
    if (!(f = calloc(1, sizeof(*f))))
        return -ENOMEM;
    rc = libos_chan_open(path + n, libos_monotonic_ns() + CHANFD_OPEN_NS, &f->c);
    if (rc) {
        free(f);
        return rc == -EAGAIN ? -ETIMEDOUT : rc;
    }
    if ((fd = libos_fd_install(&chanfd_ops, f, O_RDWR)) < 0) {
        libos_chan_close(f->c, 0);     /* nothing written: no lingering */
        free(f);
    }
    return fd;
}

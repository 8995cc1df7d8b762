/*
 * poll() over every kind of descriptor (libos/fd.h), and the loop that
 * select() shares.
 *
 * Threads are cooperative (libos/thread.h): lwIP's tcpip thread, which
 * moves the loopback's packets, runs only when the caller blocks or yields.
 * So every call first yields to the threads that are ready: an event loop
 * whose poll always finds something ready still lets the stack move.
 *
 * A round asks each descriptor's poll operation in the calling thread (it
 * arms whatever wakes us: a peer's event index).  When nothing is ready
 * the thread sleeps in the scheduler with a predicate that asks each
 * descriptor's wake operation: the scheduler re-evaluates it whenever it
 * looks for a thread to run, i.e. after an event upcall, a timer, or
 * another thread (lwIP's, a socket's peer) blocked or yielded.  A yes
 * starts a new round; a deadline ends the loop.  Nothing spins.
 */
#include <errno.h>
#include <poll.h>
#include <libos/fd.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "internal.h"

#define POLL_MAX_FDS 1024      /* as Linux's default descriptor limit */
#define ALWAYS (POLLERR | POLLHUP | POLLNVAL)

struct poll_set {
    struct pollfd *fds;
    unsigned long n;
};

static short entry_revents(const struct pollfd *p)
{
    struct libos_fd *f;

    if (p->fd < 0)
        return 0;
    if (!(f = libos_fd_get(p->fd)))
        return POLLNVAL;
    return (short)(f->ops->poll(f->obj, p->events) & (p->events | ALWAYS));
}

static int round_ready(struct poll_set *s)
{
    int ready = 0;

    for (unsigned long i = 0; i < s->n; i++) {
        s->fds[i].revents = entry_revents(&s->fds[i]);
        ready += s->fds[i].revents != 0;
    }
    return ready;
}

/* The scheduler's predicate: reads only (libos/fd.h, wake). */
static int may_be_ready(void *arg)
{
    const struct poll_set *s = arg;

    for (unsigned long i = 0; i < s->n; i++) {
        const struct pollfd *p = &s->fds[i];
        struct libos_fd *f;
        if (p->fd < 0)
            continue;
        if (!(f = libos_fd_get(p->fd)) || f->ops->wake(f->obj, p->events))
            return 1;
    }
    return 0;
}

int libos_poll_until(struct pollfd *fds, unsigned long n, uint64_t deadline_ns)
{
    struct poll_set s = { fds, n };
    int ready;

    libos_thread_yield();
    while (!(ready = round_ready(&s)) && libos_monotonic_ns() < deadline_ns)
        libos_thread_wait(may_be_ready, &s, deadline_ns);
    return ready;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    uint64_t deadline = LIBOS_FOREVER;

    if (nfds > POLL_MAX_FDS || (!fds && nfds)) {
        errno = nfds > POLL_MAX_FDS ? EINVAL : EFAULT;
        return -1;
    }
    if (timeout >= 0)
        deadline = libos_monotonic_ns() + (uint64_t)timeout * 1000000ull;
    return libos_poll_until(fds, nfds, deadline);
}

/*
 * select() and pselect() (newlib's <sys/select.h>) on poll's loop
 * (poll.c): each descriptor in a set becomes one pollfd entry, the
 * results go back into the sets.  As on Linux: a descriptor is readable
 * for POLLIN, POLLHUP or POLLERR, writable for POLLOUT or POLLERR,
 * exceptional for POLLPRI; one that is not open is EBADF; select writes
 * the time left into *timeout.  pselect's signal mask is ignored: a Keel
 * guest gets no signals that interrupt a wait.
 */
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <libos/fd.h>
#include <libos/time.h>
#include "internal.h"

_Static_assert(LIBOS_FD_MAX <= FD_SETSIZE, "select can name every descriptor");

#define READ_BITS  (POLLIN | POLLHUP | POLLERR)
#define WRITE_BITS (POLLOUT | POLLERR)

static int in_set(fd_set *set, int fd)
{
    return set && FD_ISSET(fd, set);
}

/* One entry per descriptor named in any set; -EBADF for a closed one. */
static int gather(int n, fd_set *r, fd_set *w, fd_set *e, struct pollfd *p)
{
    int count = 0;

    for (int fd = 0; fd < n; fd++) {
        short ev = (in_set(r, fd) ? POLLIN : 0) | (in_set(w, fd) ? POLLOUT : 0) |
                   (in_set(e, fd) ? POLLPRI : 0);
        if (!ev)
            continue;
        if (!libos_fd_get(fd))
            return -EBADF;
        p[count++] = (struct pollfd){ .fd = fd, .events = ev };
    }
    return count;
}

static int mark(fd_set *set, int fd, int yes)
{
    if (!set)
        return 0;
    if (yes)
        FD_SET(fd, set);
    return yes;
}

static void clear(fd_set *set, int n)
{
    for (int fd = 0; set && fd < n; fd++)
        FD_CLR(fd, set);
}

static int scatter(int n, fd_set *r, fd_set *w, fd_set *e,
                   const struct pollfd *p, int count)
{
    int bits = 0;

    clear(r, n);
    clear(w, n);
    clear(e, n);
    for (int i = 0; i < count; i++) {
        short got = p[i].revents, asked = p[i].events;
        if (got & POLLNVAL)
            return -EBADF;             /* closed by another thread meanwhile */
        bits += mark(r, p[i].fd, (asked & POLLIN) && (got & READ_BITS));
        bits += mark(w, p[i].fd, (asked & POLLOUT) && (got & WRITE_BITS));
        bits += mark(e, p[i].fd, (asked & POLLPRI) && (got & POLLPRI));
    }
    return bits;
}

static int select_until(int n, fd_set *r, fd_set *w, fd_set *e, uint64_t deadline)
{
    int count, rc;

    if (n < 0 || n > FD_SETSIZE) {
        errno = EINVAL;
        return -1;
    }
    struct pollfd p[n ? n : 1];     /* 8 bytes a descriptor named, on the stack */
    if ((count = gather(n, r, w, e, p)) >= 0) {
        libos_poll_until(p, (unsigned long)count, deadline);
        count = scatter(n, r, w, e, p, count);
    }
    if ((rc = count) < 0) {
        errno = -rc;
        return -1;
    }
    return rc;
}

/* The monotonic deadline of a relative timeout; -1 if it is invalid. */
static int deadline_of(int64_t sec, long nsec, uint64_t *deadline)
{
    uint64_t ns, now = libos_monotonic_ns();

    if (libos_ts_to_ns(sec, nsec, &ns))
        return -1;
    *deadline = ns > LIBOS_FOREVER - now ? LIBOS_FOREVER : now + ns;
    return 0;
}

int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *timeout)
{
    uint64_t deadline = LIBOS_FOREVER, left;
    int rc;

    if (timeout && (timeout->tv_usec < 0 || timeout->tv_usec >= 1000000 ||
                    deadline_of(timeout->tv_sec, timeout->tv_usec * 1000, &deadline))) {
        errno = EINVAL;
        return -1;
    }
    rc = select_until(n, r, w, e, deadline);
    if (timeout && rc >= 0) {
        uint64_t now = libos_monotonic_ns();
        left = deadline > now ? deadline - now : 0;
        timeout->tv_sec = (time_t)(left / LIBOS_NS_PER_SEC);
        timeout->tv_usec = (suseconds_t)(left % LIBOS_NS_PER_SEC / 1000);
    }
    return rc;
}

int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *timeout,
            const sigset_t *mask)
{
    uint64_t deadline = LIBOS_FOREVER;

    (void)mask;
    if (timeout && deadline_of(timeout->tv_sec, timeout->tv_nsec, &deadline)) {
        errno = EINVAL;
        return -1;
    }
    return select_until(n, r, w, e, deadline);
}

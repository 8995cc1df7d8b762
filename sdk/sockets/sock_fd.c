/*
 * Sockets as libos descriptors (libos/fd.h): read, write and close are
 * lwIP's recv, send and close; O_NONBLOCK goes to lwIP's socket, so that
 * accept, connect, recv and send stop blocking too.
 *
 * Readiness comes from the counters lwIP keeps in each socket for its own
 * select (lwip/priv/sockets_priv.h): rcvevent (segments, datagrams or
 * connections waiting, plus end of stream), sendevent (room to send, or
 * connected), errevent (the connection is gone: reset, refused, or closed
 * both ways; it stays set).  errevent is POLLHUP; POLLERR is for a gone
 * connection whose error (the netconn's pending_err) is a real one and not
 * yet reported: a connection closed normally after shutdown(SHUT_WR) ends
 * with lwIP's ERR_CLSD, which Linux would not call an error.  lwIP changes
 * all of these in its tcpip thread or under its core lock, both threads of
 * ours, and the scheduler re-evaluates a sleeping poll after every switch:
 * a poll needs nothing armed, and reading them needs no lock (cooperative
 * threads, docs/net.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <lwip/api.h>
#include <lwip/sockets.h>
#include <lwip/priv/sockets_priv.h>
#include <libos/fd.h>
#include <libos/thread.h>
#include "sk_impl.h"

static struct sk_sock socks[NUM_SOCKETS];

int sk_fail(int err)
{
    errno = err;
    return -1;
}

long sk_again(long r)
{
    int err = errno;

    if (r < 0 && (err == EAGAIN || err == EINPROGRESS || err == EALREADY)) {
        libos_thread_yield();
        errno = err;            /* errno is the domain's, not the thread's */
    }
    return r;
}

/* lwIP's -1 and errno as an operation's -errno. */
static long op_result(long r)
{
    return r < 0 ? -errno : r;
}

static long sock_read(void *obj, void *buf, size_t len, int flags)
{
    (void)flags;           /* O_NONBLOCK is lwIP's own flag too */
    return op_result(lwip_recv(((struct sk_sock *)obj)->s, buf, len, 0));
}

static long sock_write(void *obj, const void *buf, size_t len, int flags)
{
    (void)flags;
    return op_result(lwip_send(((struct sk_sock *)obj)->s, buf, len, 0));
}

static int sock_close(void *obj)
{
    struct sk_sock *k = obj;
    int s = k->s;

    k->ls = NULL;
    return (int)op_result(lwip_close(s));
}

/* What lwIP's own poll would report (lwip_pollscan). */
static int ready_bits(const struct sk_sock *k)
{
    const struct lwip_sock *ls = k->ls;
    int r = 0;

    if (ls->lastdata.pbuf || ls->rcvevent > 0)
        r |= POLLIN;
    if (ls->sendevent)
        r |= POLLOUT;
    if (ls->errevent)
        r |= POLLHUP;
    if (ls->errevent && ls->conn->pending_err != ERR_OK && ls->conn->pending_err != ERR_CLSD)
        r |= POLLERR;
    return r;
}

static int sock_poll(void *obj, int events)
{
    struct sk_sock *k = obj;
    int r = ready_bits(k);

    if ((r & (POLLOUT | POLLERR)) == POLLOUT)
        k->connecting = 0;         /* writable without error: connected */
    return r & (events | POLLERR | POLLHUP);
}

static int sock_wake(void *obj, int events)
{
    return (ready_bits(obj) & (events | POLLERR | POLLHUP)) != 0;
}

static int sock_set_flags(void *obj, int flags)
{
    return (int)op_result(lwip_fcntl(((struct sk_sock *)obj)->s, F_SETFL,
                                     flags & O_NONBLOCK));
}

static int sock_ioctl(void *obj, unsigned long request, void *arg)
{
    return (int)op_result(lwip_ioctl(((struct sk_sock *)obj)->s, (long)request, arg));
}

static const struct libos_fd_ops sock_ops = {
    .read = sock_read, .write = sock_write, .close = sock_close,
    .poll = sock_poll, .wake = sock_wake, .set_flags = sock_set_flags,
    .ioctl = sock_ioctl, .mode = S_IFSOCK,
};

int sk_install(int s, int type, int nonblock)
{
    struct sk_sock *k = &socks[s - LWIP_SOCKET_OFFSET];
    int fd;

    *k = (struct sk_sock){ .s = s, .type = type, .ls = lwip_socket_dbg_get_socket(s) };
    if (nonblock && lwip_fcntl(s, F_SETFL, O_NONBLOCK) < 0)
        fd = -errno;
    else
        fd = libos_fd_install(&sock_ops, k, O_RDWR | (nonblock ? O_NONBLOCK : 0));
    if (fd < 0) {
        k->ls = NULL;
        lwip_close(s);
        return sk_fail(-fd);
    }
    return fd;
}

struct sk_sock *sk_get(int fd)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (!f || f->ops != &sock_ops) {
        errno = f ? ENOTSOCK : EBADF;
        return NULL;
    }
    return f->obj;
}

/*
 * The socket calls (<sys/socket.h>) on socket descriptors (sock_fd.c):
 * arguments checked the way Linux checks them, then lwIP's own call on
 * lwIP's socket.  lwIP is compiled against the same headers (Linux's
 * numbers and sockaddr layout), so nothing is translated; only lwIP's
 * answers that differ from Linux's are fixed here (a refused connection
 * is ECONNRESET in lwIP 2.1).
 */
#include <errno.h>
#include <lwip/sockets.h>
#include "sk_impl.h"

#define TYPE_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

/* lwIP's -1 / errno, or 0. */
static int lwip_rc(int r)
{
    return r < 0 ? -1 : 0;
}

int socket(int domain, int type, int protocol)
{
    int base = type & ~TYPE_FLAGS, s;

    if (domain != AF_INET)
        return sk_fail(EAFNOSUPPORT);
    if (base != SOCK_STREAM && base != SOCK_DGRAM)
        return sk_fail(base == SOCK_RAW || base == SOCK_SEQPACKET ? EPROTONOSUPPORT : EINVAL);
    if (protocol != 0 && protocol != (base == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return sk_fail(EPROTONOSUPPORT);
    sk_stack_up();
    if ((s = lwip_socket(AF_INET, base, protocol)) < 0)
        return -1;
    return sk_install(s, base, type & SOCK_NONBLOCK);
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
    (void)domain;
    (void)type;
    (void)protocol;
    (void)sv;
    return sk_fail(EAFNOSUPPORT);     /* no AF_UNIX */
}

int sk_ipv4_len(const struct sockaddr *a, socklen_t len, int unspec_ok)
{
    if (!a)
        return sk_fail(EFAULT);
    if (unspec_ok && len >= sizeof(sa_family_t) && a->sa_family == AF_UNSPEC)
        return (int)len;
    if (len < sizeof(struct sockaddr_in))
        return sk_fail(EINVAL);
    if (a->sa_family != AF_INET)
        return sk_fail(EAFNOSUPPORT);
    return sizeof(struct sockaddr_in);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sk_sock *k = sk_get(fd);
    int n;

    if (!k || (n = sk_ipv4_len(addr, len, 0)) < 0)
        return -1;
    return lwip_rc(lwip_bind(k->s, addr, (socklen_t)n));
}

int listen(int fd, int backlog)
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if (k->type != SOCK_STREAM)
        return sk_fail(EOPNOTSUPP);
    if (backlog < 0 || backlog > SOMAXCONN)
        backlog = SOMAXCONN;
    return lwip_rc(lwip_listen(k->s, backlog));
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    struct sk_sock *k = sk_get(fd);
    int s;

    if (!k)
        return -1;
    if (flags & ~TYPE_FLAGS)
        return sk_fail(EINVAL);
    if (addr && !len)
        return sk_fail(EFAULT);
    if ((s = (int)sk_again(lwip_accept(k->s, addr, len))) < 0)
        return -1;
    return sk_install(s, SOCK_STREAM, flags & SOCK_NONBLOCK);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sk_sock *k = sk_get(fd);
    int n, r;

    if (!k || (n = sk_ipv4_len(addr, len, 1)) < 0)
        return -1;
    r = lwip_connect(k->s, addr, (socklen_t)n);
    if (r < 0 && errno == ECONNRESET && k->type == SOCK_STREAM)
        errno = ECONNREFUSED;          /* a blocking connect met a RST */
    k->connecting = r < 0 && errno == EINPROGRESS;
    return lwip_rc((int)sk_again(r));
}

int shutdown(int fd, int how)
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return sk_fail(EINVAL);
    return lwip_rc(lwip_shutdown(k->s, how));
}

/* getsockname and getpeername: lwIP's own, given lwIP's socket. */
static int name_call(int fd, struct sockaddr *addr, socklen_t *len,
                     int (*get)(int, struct sockaddr *, socklen_t *))
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if (!addr || !len)
        return sk_fail(EFAULT);
    return lwip_rc(get(k->s, addr, len));
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return name_call(fd, addr, len, lwip_getsockname);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return name_call(fd, addr, len, lwip_getpeername);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if (!val && len)
        return sk_fail(EFAULT);
    /* lwIP's buffers are fixed (lwipopts.h): asking for a size is
     * accepted, as Linux accepts any size and rounds it. */
    if (level == SOL_SOCKET && name == SO_SNDBUF && len >= sizeof(int))
        return 0;
    return lwip_rc(lwip_setsockopt(k->s, level, name, val, len));
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if (!val || !len)
        return sk_fail(EFAULT);
    if (level == SOL_SOCKET && name == SO_SNDBUF && *len >= sizeof(int)) {
        *(int *)val = TCP_SND_BUF;
        *len = sizeof(int);
        return 0;
    }
    if (lwip_getsockopt(k->s, level, name, val, len) < 0)
        return -1;
    /* reading the error consumes it, as on Linux */
    if (level == SOL_SOCKET && name == SO_ERROR && *(int *)val) {
        if (*(int *)val == ECONNRESET && k->connecting)
            *(int *)val = ECONNREFUSED;
        k->connecting = 0;
    }
    return 0;
}

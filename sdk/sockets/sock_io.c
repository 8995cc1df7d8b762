/*
 * send, recv and friends on socket descriptors: lwIP's own calls, plus
 * what lwIP 2.1 leaves out: MSG_WAITALL on a stream (looped here until
 * len bytes, end of stream or an error).  MSG_NOSIGNAL is accepted and
 * changes nothing: a Keel guest never gets SIGPIPE, a write to a closed
 * connection only fails.
 */
#include <errno.h>
#include <lwip/sockets.h>
#include "sk_impl.h"

static ssize_t recv_all(struct sk_sock *k, char *buf, size_t len, int flags)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = lwip_recv(k->s, buf + done, len - done, flags);
        if (n <= 0)
            return done ? (ssize_t)done : n;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if ((flags & MSG_WAITALL) && k->type == SOCK_STREAM && !(flags & MSG_PEEK))
        return sk_again(recv_all(k, buf, len, flags & ~MSG_WAITALL));
    return sk_again(lwip_recv(k->s, buf, len, flags));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
                 struct sockaddr *from, socklen_t *fromlen)
{
    struct sk_sock *k = sk_get(fd);

    if (!k)
        return -1;
    if (from && !fromlen)
        return sk_fail(EFAULT);
    if (!from)
        return recv(fd, buf, len, flags);
    return sk_again(lwip_recvfrom(k->s, buf, len, flags, from, fromlen));
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    struct sk_sock *k = sk_get(fd);

    return k ? sk_again(lwip_send(k->s, buf, len, flags)) : -1;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
               const struct sockaddr *to, socklen_t tolen)
{
    struct sk_sock *k = sk_get(fd);
    int n;

    if (!k)
        return -1;
    if (!to)
        return send(fd, buf, len, flags);
    if ((n = sk_ipv4_len(to, tolen, 0)) < 0)
        return -1;
    return sk_again(lwip_sendto(k->s, buf, len, flags, to, (socklen_t)n));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    struct sk_sock *k = sk_get(fd);

    return k ? sk_again(lwip_sendmsg(k->s, msg, flags)) : -1;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    struct sk_sock *k = sk_get(fd);

    return k ? sk_again(lwip_recvmsg(k->s, msg, flags)) : -1;
}

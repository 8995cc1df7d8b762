/*
 * lwIP's <lwip/sockets.h> for Keel (LWIP_SOCKET_EXTERNAL_HEADERS,
 * lwipopts.h).  lwIP is compiled against the guest's own POSIX headers
 * (sdk/sockets/include, sdk/libos/posix), which have Linux's values and
 * layouts, so a struct sockaddr_in or an SO_RCVTIMEO that a program hands
 * to socket calls is lwIP's very own: sdk/sockets passes them through
 * untranslated.
 *
 * Linux's sockaddrs have no sa_len.  Debian's lwip source package (its
 * patch "port", written for the Hurd, whose sockaddrs lack it too) makes
 * sockets.c set and read address lengths only through the three *_LEN
 * macros below.
 *
 * The sockets keep their lwip_ names and lwIP's socket numbers: programs
 * use the libos's descriptors (socket(), read(), poll() of sdk/sockets and
 * the libos), never these directly.
 */
#ifndef KEEL_LWIP_ARCH_SOCKETS_H
#define KEEL_LWIP_ARCH_SOCKETS_H

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include LWIP_SOCKET_EXTERNAL_HEADER_INET_H

#ifdef __cplusplus
extern "C" {
#endif

#define IP4ADDR_SOCKADDR_SET_LEN(sin)
#define IP6ADDR_SOCKADDR_SET_LEN(sin6)
#define IPADDR_SOCKADDR_GET_LEN(addr) \
    ((addr)->sa.sa_family == AF_INET ? sizeof(struct sockaddr_in) : \
     (addr)->sa.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0)
#define SIN_ZERO_LEN 8
#define LWIP_SELECT_MAXNFDS (FD_SETSIZE + LWIP_SOCKET_OFFSET)

/* lwIP's keep-alive in milliseconds has no Linux name: a number no Linux
 * program passes at level IPPROTO_TCP. */
#define TCP_KEEPALIVE 0x7f01

int lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen);
int lwip_bind(int s, const struct sockaddr *name, socklen_t namelen);
int lwip_shutdown(int s, int how);
int lwip_getpeername(int s, struct sockaddr *name, socklen_t *namelen);
int lwip_getsockname(int s, struct sockaddr *name, socklen_t *namelen);
int lwip_getsockopt(int s, int level, int optname, void *optval, socklen_t *optlen);
int lwip_setsockopt(int s, int level, int optname, const void *optval, socklen_t optlen);
int lwip_close(int s);
int lwip_connect(int s, const struct sockaddr *name, socklen_t namelen);
int lwip_listen(int s, int backlog);
ssize_t lwip_recv(int s, void *mem, size_t len, int flags);
ssize_t lwip_read(int s, void *mem, size_t len);
ssize_t lwip_readv(int s, const struct iovec *iov, int iovcnt);
ssize_t lwip_recvfrom(int s, void *mem, size_t len, int flags,
                      struct sockaddr *from, socklen_t *fromlen);
ssize_t lwip_recvmsg(int s, struct msghdr *message, int flags);
ssize_t lwip_send(int s, const void *dataptr, size_t size, int flags);
ssize_t lwip_sendmsg(int s, const struct msghdr *message, int flags);
ssize_t lwip_sendto(int s, const void *dataptr, size_t size, int flags,
                    const struct sockaddr *to, socklen_t tolen);
int lwip_socket(int domain, int type, int protocol);
ssize_t lwip_write(int s, const void *dataptr, size_t size);
ssize_t lwip_writev(int s, const struct iovec *iov, int iovcnt);
#if LWIP_SOCKET_SELECT
int lwip_select(int maxfdp1, fd_set *readset, fd_set *writeset, fd_set *exceptset,
                struct timeval *timeout);
#endif
#if LWIP_SOCKET_POLL
int lwip_poll(struct pollfd *fds, nfds_t nfds, int timeout);
#endif
int lwip_ioctl(int s, long cmd, void *argp);
int lwip_fcntl(int s, int cmd, int val);
const char *lwip_inet_ntop(int af, const void *src, char *dst, socklen_t size);
int lwip_inet_pton(int af, const char *src, void *dst);

#ifdef __cplusplus
}
#endif

#endif /* KEEL_LWIP_ARCH_SOCKETS_H */

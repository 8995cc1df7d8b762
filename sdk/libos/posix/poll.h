/*
 * poll() (POSIX <poll.h>), Linux's values, implemented by the libos over
 * every kind of file descriptor it has: the console (stdin, stdout,
 * stderr), channels ("/dev/chan/NAME") and sockets (sdk/sockets).
 *
 * A poll that finds nothing ready sleeps the calling thread in the libos's
 * scheduler until a descriptor may have become ready (an event from a
 * peer, lwIP's thread or another thread changed it) or the timeout: it
 * never spins.  A negative fd is skipped (revents 0); one that is not open
 * reports POLLNVAL.  POLLERR, POLLHUP and POLLNVAL are reported whether
 * asked for or not.  Blocking, what each kind reports: docs/net.md,
 * "Sockets".
 */
#ifndef _POLL_H
#define _POLL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long nfds_t;

struct pollfd {
    int fd;
    short events;
    short revents;
};

#define POLLIN      0x001
#define POLLPRI     0x002
#define POLLOUT     0x004
#define POLLERR     0x008
#define POLLHUP     0x010
#define POLLNVAL    0x020
#define POLLRDNORM  0x040
#define POLLRDBAND  0x080
#define POLLWRNORM  0x100
#define POLLWRBAND  0x200

/* timeout in milliseconds; negative: none.  The number of entries with a
 * non-zero revents, 0 at the timeout, -1 with errno (EINVAL: more than
 * 1024 entries, EFAULT: fds NULL with nfds). */
int poll(struct pollfd *fds, nfds_t nfds, int timeout);

#ifdef __cplusplus
}
#endif

#endif /* _POLL_H */

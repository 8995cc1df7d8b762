/*
 * Scatter/gather I/O (POSIX <sys/uio.h>), Linux's layout, implemented by
 * the libos on every descriptor it has.  Each element is one read or
 * write: another thread's I/O on the same descriptor may fall between two
 * elements, and a short read or write ends the call.
 */
#ifndef _SYS_UIO_H
#define _SYS_UIO_H

#include <sys/types.h>
#include <limits.h>   /* IOV_MAX */

#ifdef __cplusplus
extern "C" {
#endif

struct iovec {
    void *iov_base;
    size_t iov_len;
};

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#ifdef __cplusplus
}
#endif

#endif /* _SYS_UIO_H */

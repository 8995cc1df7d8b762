/*
 * readv and writev (<sys/uio.h>): one read or write per element, through
 * the descriptor's own operations (sys_io.c).  A short transfer ends the
 * call, as a short one would on Linux; an error after some bytes returns
 * the bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

static ssize_t vector_io(int fd, const struct iovec *iov, int n, int out)
{
    size_t done = 0;

    if (n < 0 || n > IOV_MAX) {
        errno = EINVAL;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        size_t len = iov[i].iov_len;
        ssize_t r;
        if (len > SIZE_MAX / 2 - done) {      /* the sum must fit an ssize_t */
            errno = EINVAL;
            return -1;
        }
        r = out ? write(fd, iov[i].iov_base, len) : read(fd, iov[i].iov_base, len);
        if (r < 0)
            return done ? (ssize_t)done : -1;
        done += (size_t)r;
        if ((size_t)r < len)
            break;
    }
    return (ssize_t)done;
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    return vector_io(fd, iov, iovcnt, 0);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    return vector_io(fd, iov, iovcnt, 1);
}

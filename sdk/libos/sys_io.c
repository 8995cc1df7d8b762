/*
 * File-descriptor system calls for newlib.
 *
 * newlib is built with --disable-newlib-supplied-syscalls, which makes its
 * reentrant layer (_write_r, ...) call the plain POSIX names (write, read,
 * ...); they are defined here and set errno as POSIX says.  Each goes
 * through the descriptor table (libos/fd.h, fd.c) to the descriptor's own
 * operations: the console's 0, 1 and 2 (console_fd.c), channels opened as
 * "/dev/chan/NAME" (channel_fd.c), sockets (sdk/sockets), files (sdk/fs,
 * which also has the path calls: open, stat, unlink..., so that a program
 * without them links no file system).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <libos/fd.h>
#include <libos/thread.h>
#include "internal.h"

#define SSIZE_LIMIT (SIZE_MAX / 2)   /* newlib has no SSIZE_MAX */

static int fail(int err)
{
    errno = err;
    return -1;
}

/* An operation's result: >= 0 as it is, -errno as -1 and errno.  EAGAIN
 * first yields to the other threads (libos/thread.h: cooperative), so that
 * a loop that retries a non-blocking call lets them move, lwIP's included. */
static ssize_t result(long r)
{
    if (r == -EAGAIN)
        libos_thread_yield();
    return r < 0 ? fail((int)-r) : (ssize_t)r;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (len > SSIZE_LIMIT)        /* the result must fit an ssize_t */
        len = SSIZE_LIMIT;
    if (!f || !f->ops->write)
        return fail(EBADF);
    return result(f->ops->write(f->obj, buf, len, f->flags));
}

ssize_t read(int fd, void *buf, size_t len)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (len > SSIZE_LIMIT)
        len = SSIZE_LIMIT;
    if (!f || !f->ops->read)
        return fail(EBADF);
    return result(f->ops->read(f->obj, buf, len, f->flags));
}

int close(int fd)
{
    return (int)result(libos_fd_close(fd));
}

int fstat(int fd, struct stat *st)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (!f)
        return fail(EBADF);
    memset(st, 0, sizeof(*st));
    if (f->ops->stat)
        return (int)result(f->ops->stat(f->obj, st));
    st->st_mode = f->ops->mode | 0620;
    st->st_nlink = 1;
    st->st_rdev = (dev_t)fd;
    return 0;
}

int isatty(int fd)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (!f || !f->ops->is_tty) {
        errno = f ? ENOTTY : EBADF;
        return 0;
    }
    return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (!f)
        return fail(EBADF);
    if (!f->ops->lseek)
        return fail(ESPIPE);
    return (off_t)result((long)f->ops->lseek(f->obj, off, whence));
}

int fsync(int fd)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (!f)
        return fail(EBADF);
    return f->ops->sync ? (int)result(f->ops->sync(f->obj)) : fail(EINVAL);
}

int ftruncate(int fd, off_t size)
{
    struct libos_fd *f = libos_fd_get(fd);

    if (!f)
        return fail(EBADF);
    if (size < 0)
        return fail(EINVAL);
    return f->ops->truncate ? (int)result(f->ops->truncate(f->obj, size)) : fail(EINVAL);
}

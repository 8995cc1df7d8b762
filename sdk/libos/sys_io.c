/*
 * File-descriptor system calls for newlib.
 *
 * newlib is built with --disable-newlib-supplied-syscalls, which makes its
 * reentrant layer (_write_r, ...) call the plain POSIX names (write, read,
 * ...); they are defined here and set errno as POSIX says.
 *
 * A Keel guest has three descriptors, all character devices: 0 (stdin:
 * the console's input stream, end of file without one), 1 (stdout) and 2
 * (stderr), both on the console.  Being character devices makes newlib
 * line-buffer stdout and leave stderr unbuffered, as on a terminal.
 * Inter-domain channels open as "/dev/chan/NAME" (descriptors >= 3,
 * channel_fd.c).  There is no file system yet: other path lookups fail with
 * ENOENT, as on a system whose file system is empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <string.h>
#include <libos/console.h>
#include "internal.h"

static int is_std_fd(int fd)
{
    return fd >= 0 && fd <= 2;
}

static int fail(int err)
{
    errno = err;
    return -1;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    long r;

    if (len > SIZE_MAX / 2)       /* the result must fit an ssize_t */
        len = SIZE_MAX / 2;
    if (fd > 2)                   /* channel_fd.c */
        return (r = libos_chanfd_write(fd, buf, len)) < 0 ? fail((int)-r) : r;
    if (fd != 1 && fd != 2)
        return fail(EBADF);
    r = libos_console_write(fd == 1 ? KEEL_CONSOLE_STDOUT : KEEL_CONSOLE_STDERR,
                            buf, len);
    if (r < 0)
        return fail((int)-r);
    return (ssize_t)r;
}

ssize_t read(int fd, void *buf, size_t len)
{
    long r;

    if (len > SIZE_MAX / 2)
        len = SIZE_MAX / 2;
    if (fd > 2)
        return (r = libos_chanfd_read(fd, buf, len)) < 0 ? fail((int)-r) : r;
    if (fd != 0)
        return fail(EBADF);
    r = libos_console_read(buf, len);
    if (r < 0)
        return fail((int)-r);
    return (ssize_t)r;
}

int close(int fd)
{
    int r;

    if (fd > 2)
        return (r = libos_chanfd_close(fd)) < 0 ? fail(-r) : 0;
    return is_std_fd(fd) ? 0 : fail(EBADF);
}

int fstat(int fd, struct stat *st)
{
    if (!is_std_fd(fd) && !libos_chanfd_is(fd))
        return fail(EBADF);
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | 0620;
    st->st_nlink = 1;
    st->st_rdev = (dev_t)fd;
    return 0;
}

int isatty(int fd)
{
    if (!is_std_fd(fd)) {
        errno = libos_chanfd_is(fd) ? ENOTTY : EBADF;
        return 0;
    }
    return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)off;
    (void)whence;
    return fail(is_std_fd(fd) || libos_chanfd_is(fd) ? ESPIPE : EBADF);
}

/* Only channels can be opened ("/dev/chan/NAME", channel_fd.c). */
int open(const char *path, int flags, ...)
{
    int r;

    (void)flags;
    if (!path)
        return fail(EFAULT);
    return (r = libos_chanfd_open(path)) < 0 ? fail(-r) : r;
}

int stat(const char *path, struct stat *st)
{
    (void)path;
    (void)st;
    return fail(ENOENT);
}

int unlink(const char *path)
{
    (void)path;
    return fail(ENOENT);
}

int link(const char *from, const char *to)
{
    (void)from;
    (void)to;
    return fail(ENOENT);
}

int mkdir(const char *path, mode_t mode)
{
    (void)path;
    (void)mode;
    return fail(EROFS);
}

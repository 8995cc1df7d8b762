/*
 * File-descriptor system calls for newlib.
 *
 * newlib is built with --disable-newlib-supplied-syscalls, which makes its
 * reentrant layer (_write_r, ...) call the plain POSIX names (write, read,
 * ...); they are defined here and set errno as POSIX says.
 *
 * A Keel guest has three descriptors, all character devices: 0 (stdin:
 * end of file for now, console input comes later), 1 (stdout) and 2
 * (stderr), both on the console.  Being character devices makes newlib
 * line-buffer stdout and leave stderr unbuffered, as on a terminal.
 * There is no file system yet: path lookups fail with ENOENT, as on a
 * system whose file system is empty.
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

    if (fd != 1 && fd != 2)
        return fail(EBADF);
    if (len > SIZE_MAX / 2)       /* the result must fit an ssize_t */
        len = SIZE_MAX / 2;
    r = libos_console_write(fd == 1 ? KEEL_CONSOLE_STDOUT : KEEL_CONSOLE_STDERR,
                            buf, len);
    if (r < 0)
        return fail((int)-r);
    return (ssize_t)r;
}

ssize_t read(int fd, void *buf, size_t len)
{
    (void)buf;
    (void)len;
    if (fd != 0)
        return fail(EBADF);
    return 0;
}

int close(int fd)
{
    return is_std_fd(fd) ? 0 : fail(EBADF);
}

int fstat(int fd, struct stat *st)
{
    if (!is_std_fd(fd))
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
        errno = EBADF;
        return 0;
    }
    return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)off;
    (void)whence;
    return fail(is_std_fd(fd) ? ESPIPE : EBADF);
}

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    return fail(ENOENT);
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

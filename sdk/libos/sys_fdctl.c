/*
 * fcntl and ioctl on the descriptor table (libos/fd.h).
 *
 * fcntl: F_GETFL / F_SETFL (only O_NONBLOCK changes; the access mode and
 * the rest stay), F_GETFD / F_SETFD (FD_CLOEXEC is accepted and not kept:
 * there is no exec).  Duplicating descriptors (F_DUPFD) is not supported:
 * EINVAL, as for any other command.
 * ioctl: FIONBIO is fcntl's O_NONBLOCK; other requests go to the kind's
 * own ioctl (sockets: FIONREAD), else ENOTTY.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <libos/fd.h>

static int fail(int err)
{
    errno = err;
    return -1;
}

static int set_flags(struct libos_fd *f, int flags)
{
    int rc = f->ops->set_flags ? f->ops->set_flags(f->obj, flags) : 0;

    if (rc < 0)
        return fail(-rc);
    f->flags = flags;
    return 0;
}

static int set_nonblock(struct libos_fd *f, int on)
{
    return set_flags(f, on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK);
}

int fcntl(int fd, int cmd, ...)
{
    struct libos_fd *f = libos_fd_get(fd);
    va_list ap;
    int arg;

    va_start(ap, cmd);
    arg = va_arg(ap, int);      /* every command here takes an int or none */
    va_end(ap);
    if (!f)
        return fail(EBADF);
    switch (cmd) {
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        return set_nonblock(f, arg & O_NONBLOCK);
    case F_GETFD:
    case F_SETFD:
        return 0;
    default:
        return fail(EINVAL);
    }
}

int ioctl(int fd, unsigned long request, ...)
{
    struct libos_fd *f = libos_fd_get(fd);
    va_list ap;
    void *arg;
    int rc;

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!f)
        return fail(EBADF);
    if (request == FIONBIO)
        return arg ? set_nonblock(f, *(int *)arg) : fail(EFAULT);
    if (!f->ops->ioctl)
        return fail(ENOTTY);
    rc = f->ops->ioctl(f->obj, request, arg);
    return rc < 0 ? fail(-rc) : rc;
}

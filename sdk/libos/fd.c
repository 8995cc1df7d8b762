/*
 * The file-descriptor table (libos/fd.h).  Pure: no hypercall, no libos
 * state, so it is unit-tested on the host (tests/unit/libos_fd_test.c).
 *
 * Threads switch only where they block, so taking a slot and filling it
 * need no lock.  A slot is freed before its object is closed: a close that
 * blocks (a channel lingering for its peer) already lets another thread
 * reuse the number, as on POSIX systems.
 */
#include <errno.h>
#include <libos/fd.h>

static struct libos_fd table[LIBOS_FD_MAX];

int libos_fd_install(const struct libos_fd_ops *ops, void *obj, int flags)
{
    for (int fd = 0; fd < LIBOS_FD_MAX; fd++)
        if (!table[fd].ops) {
            table[fd] = (struct libos_fd){ ops, obj, flags };
            return fd;
        }
    return -EMFILE;
}

struct libos_fd *libos_fd_get(int fd)
{
    if (fd < 0 || fd >= LIBOS_FD_MAX || !table[fd].ops)
        return NULL;
    return &table[fd];
}

int libos_fd_close(int fd)
{
    struct libos_fd *f = libos_fd_get(fd);
    struct libos_fd gone;

    if (!f)
        return -EBADF;
    gone = *f;
    f->ops = NULL;
    return gone.ops->close ? gone.ops->close(gone.obj) : 0;
}

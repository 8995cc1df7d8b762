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
#include <stdlib.h>
#include <libos/fd.h>

/* The table in blocks of BLOCK descriptors: the first is static, the
 * others are allocated when the ones below are full, so that a program
 * with a few descriptors pays for BLOCK, and one with a thousand sockets
 * for what it uses.  Blocks never move or go away: a struct libos_fd
 * pointer stays valid while its descriptor is open. */
#define BLOCK 64
_Static_assert(LIBOS_FD_MAX % BLOCK == 0, "whole blocks");

static struct libos_fd first[BLOCK];
static struct libos_fd *block[LIBOS_FD_MAX / BLOCK] = { first };

int libos_fd_install(const struct libos_fd_ops *ops, void *obj, int flags)
{
    for (int fd = 0; fd < LIBOS_FD_MAX; fd++) {
        struct libos_fd **b = &block[fd / BLOCK];
        if (!*b && !(*b = calloc(BLOCK, sizeof(**b))))
            return -ENOMEM;
        if (!(*b)[fd % BLOCK].ops) {
            (*b)[fd % BLOCK] = (struct libos_fd){ ops, obj, flags };
            return fd;
        }
    }
    return -EMFILE;
}

struct libos_fd *libos_fd_get(int fd)
{
    struct libos_fd *b = fd < 0 || fd >= LIBOS_FD_MAX ? NULL : block[fd / BLOCK];

    if (!b || !b[fd % BLOCK].ops)
        return NULL;
    return &b[fd % BLOCK];
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

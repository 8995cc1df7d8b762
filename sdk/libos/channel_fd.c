/*
 * Channels as file descriptors: open("/dev/chan/NAME", O_RDWR) opens the
 * channel NAME (libos/channel.h) and gives a descriptor >= 3 that read(),
 * write() and close() use, so stdio and plain POSIX code can talk to
 * another guest.  sys_io.c hands every descriptor above 2 to this file.
 *
 * open() waits up to CHANFD_OPEN_NS for the peer; close() lingers up to
 * CHANFD_CLOSE_NS for the peer to read what was written.
 */
#include <errno.h>
#include <string.h>
#include <libos/channel.h>
#include <libos/time.h>
#include "internal.h"

#define CHANFD_FIRST    3
#define CHANFD_MAX      32
#define CHANFD_PREFIX   "/dev/chan/"
#define CHANFD_OPEN_NS  30000000000ull
#define CHANFD_CLOSE_NS 10000000000ull

static libos_chan_t *fds[CHANFD_MAX];

static libos_chan_t *lookup(int fd)
{
    if (fd < CHANFD_FIRST || fd >= CHANFD_FIRST + CHANFD_MAX)
        return NULL;
    return fds[fd - CHANFD_FIRST];
}

int libos_chanfd_open(const char *path)
{
    size_t n = strlen(CHANFD_PREFIX);
    int slot;

    if (strncmp(path, CHANFD_PREFIX, n) != 0)
        return -ENOENT;
    for (slot = 0; slot < CHANFD_MAX && fds[slot]; slot++)
        ;
    if (slot == CHANFD_MAX)
        return -EMFILE;
    int rc = libos_chan_open(path + n, libos_monotonic_ns() + CHANFD_OPEN_NS,
                             &fds[slot]);
    if (rc)
        return rc == -EAGAIN ? -ETIMEDOUT : rc;
    return CHANFD_FIRST + slot;
}

int libos_chanfd_is(int fd)
{
    return lookup(fd) != NULL;
}

long libos_chanfd_read(int fd, void *buf, size_t len)
{
    libos_chan_t *c = lookup(fd);

    return c ? libos_chan_read(c, buf, len) : -EBADF;
}

long libos_chanfd_write(int fd, const void *buf, size_t len)
{
    libos_chan_t *c = lookup(fd);

    return c ? libos_chan_write(c, buf, len) : -EBADF;
}

int libos_chanfd_close(int fd)
{
    libos_chan_t *c = lookup(fd);

    if (!c)
        return -EBADF;
    fds[fd - CHANFD_FIRST] = NULL;
    return libos_chan_close(c, libos_monotonic_ns() + CHANFD_CLOSE_NS);
}

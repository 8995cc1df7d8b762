/*
 * The console as descriptors 0, 1 and 2 (libos/fd.h): stdin reads the
 * console's input stream (end of file at once without a console ring),
 * stdout and stderr write to the console (libos/console.h).  All three are
 * character devices and terminals, so newlib line-buffers stdout and leaves
 * stderr unbuffered, as on a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <libos/console.h>
#include <libos/fd.h>
#include "console_front.h"
#include "internal.h"

static int input_ready(int arm)
{
    return !libos_cf.up || libos_cf_input_ready(arm);
}

static long stdin_read(void *obj, void *buf, size_t len, int flags)
{
    (void)obj;
    if ((flags & O_NONBLOCK) && len && !input_ready(1))
        return -EAGAIN;
    return libos_console_read(buf, len);
}

/* Input waiting or end of input: a read returns at once. */
static int stdin_poll(void *obj, int events)
{
    (void)obj;
    return (events & POLLIN) && input_ready(1) ? POLLIN : 0;
}

static int stdin_wake(void *obj, int events)
{
    (void)obj;
    return (events & POLLIN) && input_ready(0);
}

static long out_write(void *obj, const void *buf, size_t len, int flags)
{
    (void)flags;
    return libos_console_write((unsigned)(uintptr_t)obj, buf, len);
}

/* Always writable: a full ring drains as the backend runs. */
static int out_poll(void *obj, int events)
{
    (void)obj;
    return events & POLLOUT;
}

static int out_wake(void *obj, int events)
{
    return out_poll(obj, events) != 0;
}

static const struct libos_fd_ops stdin_ops = {
    .read = stdin_read, .poll = stdin_poll, .wake = stdin_wake,
    .mode = S_IFCHR, .is_tty = 1,
};

static const struct libos_fd_ops out_ops = {
    .write = out_write, .poll = out_poll, .wake = out_wake,
    .mode = S_IFCHR, .is_tty = 1,
};

void libos_console_fds_init(void)
{
    libos_fd_install(&stdin_ops, NULL, O_RDONLY);
    libos_fd_install(&out_ops, (void *)(uintptr_t)KEEL_CONSOLE_STDOUT, O_WRONLY);
    libos_fd_install(&out_ops, (void *)(uintptr_t)KEEL_CONSOLE_STDERR, O_WRONLY);
}

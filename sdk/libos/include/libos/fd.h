/*
 * File descriptors: one table for every kind of descriptor (the console's
 * stdin, stdout and stderr, channels, sockets), each kind plugging in its
 * operations.  newlib's system calls (read, write, close, fstat, isatty,
 * lseek, fcntl) and readv, writev, ioctl, poll and select all go through
 * it, so poll and select wait on any mix of kinds.  A library that adds a
 * kind (sdk/sockets) installs its descriptors with libos_fd_install().
 *
 * Contract:
 *  - Descriptors are the lowest free number first, below LIBOS_FD_MAX
 *    (1024, Linux's usual limit, and FD_SETSIZE, so that select() can name
 *    every one: the compiler wrapper sets FD_SETSIZE for all guest code).
 *    0, 1 and 2 are the console's at start; once closed they are free like
 *    any other.  The table grows in blocks of 64 as descriptors are taken.
 *  - Operations return >= 0 or -errno (newlib's values); the POSIX
 *    functions turn a negative result into -1 and errno.
 *  - An operation that blocks blocks the calling thread only
 *    (libos/thread.h), and only while the descriptor's O_NONBLOCK flag is
 *    clear (-EAGAIN instead); `flags` hands it the descriptor's flags.
 *  - Closing a descriptor that another thread is blocked on is undefined.
 */
#ifndef LIBOS_FD_H
#define LIBOS_FD_H

#include <stddef.h>
#include <sys/stat.h>

#define LIBOS_FD_MAX 1024

struct libos_fd_ops {
    /* NULL read or write: EBADF (the descriptor is not open for it) */
    long (*read)(void *obj, void *buf, size_t len, int flags);
    long (*write)(void *obj, const void *buf, size_t len, int flags);
    /* Releases obj.  The descriptor is free afterwards whatever it returns;
     * the result is close()'s. */
    int (*close)(void *obj);
    /* Which of the POLL* bits of events hold now, plus POLLERR and POLLHUP
     * whether asked or not.  Runs in the polling thread before it sleeps:
     * it must also make sure that a change will wake the scheduler (ask a
     * peer for an event), and may make hypercalls. */
    int (*poll)(void *obj, int events);
    /* The scheduler's question while the poller sleeps: could poll(obj,
     * events) now report something?  Runs inside the scheduler (any
     * thread's stack, upcalls possibly masked): only reads, no hypercall,
     * no lock, no lwIP call.  A yes that poll then denies costs one more
     * round; a yes that stays true after such a round is a busy loop. */
    int (*wake)(void *obj, int events);
    /* Optional: the new O_ flags (fcntl F_SETFL, ioctl FIONBIO) before the
     * table records them; an error keeps the old ones. */
    int (*set_flags)(void *obj, int flags);
    /* Optional: requests other than FIONBIO (ENOTTY without). */
    int (*ioctl)(void *obj, unsigned long request, void *arg);
    /* Optional (sdk/fs's files): lseek (ESPIPE without), fstat (the
     * type in mode without), fsync and ftruncate (EINVAL without). */
    long long (*lseek)(void *obj, long long off, int whence);
    int (*stat)(void *obj, struct stat *st);
    int (*sync)(void *obj);
    int (*truncate)(void *obj, long long size);
    unsigned mode;              /* fstat's file type: S_IFCHR, S_IFSOCK */
    int is_tty;                 /* isatty() */
};

struct libos_fd {
    const struct libos_fd_ops *ops;   /* NULL: free */
    void *obj;
    int flags;                        /* O_RDWR..., O_NONBLOCK */
};

/* The lowest free descriptor now holds (ops, obj, flags): its number, or
 * -EMFILE (all LIBOS_FD_MAX taken) or -ENOMEM (no memory for the next
 * block of the table); obj is then the caller's to release. */
int libos_fd_install(const struct libos_fd_ops *ops, void *obj, int flags);

/* The open descriptor fd, or NULL (EBADF).  Valid until it is closed. */
struct libos_fd *libos_fd_get(int fd);

/* Frees fd and closes its object: ops->close's result, -EBADF if fd was
 * not open. */
int libos_fd_close(int fd);

/* Opens "/dev/chan/NAME" as a descriptor (libos/channel.h): the
 * descriptor or -errno.  open() (sdk/fs) hands such paths here. */
int libos_chanfd_open(const char *path);

/* The devices the libos itself provides, for open() (sdk/fs) to try
 * before the file system: "/dev/chan/NAME" (above), "/dev/urandom" and
 * "/dev/random" (docs/posix.md).  The descriptor or -errno; -ENODEV if
 * path is none of these (open then looks in the file system). */
int libos_dev_open(const char *path, int flags);

/* The working directory (cwd.c), for the file system: path resolved
 * against it (path itself if absolute), or NULL and *err (-ENAMETOOLONG).
 * The result lasts until a few more calls.  libos_cwd_set changes it to
 * path (resolved likewise; the caller checked it is a directory). */
const char *libos_path_absolute(const char *path, int *err);
int libos_cwd_set(const char *path);

#endif /* LIBOS_FD_H */

/*
 * Inter-domain channels for applications: a byte stream in each direction
 * with another guest, wired by the toolstack (`keel run --connect A:B:NAME`;
 * protocol in keel/channel.h).
 *
 * Contract:
 *  - Functions return >= 0 on success, -KEEL_Exxx (errno values) on
 *    failure; errno is not touched.
 *  - Blocking calls block the calling thread only (libos/thread.h).  One
 *    thread may read while another writes; two threads must not read (or
 *    write) the same channel at once.
 *  - The peer is not trusted: impossible counters or state words end the
 *    channel with -KEEL_EIO (from then on every call returns it), never a
 *    crash or a read outside the channel's pages.  A peer that closed or
 *    died gives end of file to readers (after every byte it wrote) and
 *    -EPIPE (32) to writers.
 *  - libos_chan_close frees c: no other thread may be using it then.
 *  - POSIX code can use open("/dev/chan/NAME", O_RDWR) instead (waits up
 *    to 30 s for the peer), then read, write, close, fdopen.
 */
#ifndef LIBOS_CHANNEL_H
#define LIBOS_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <keel/abi.h>

typedef struct libos_chan libos_chan_t;

/* Opens the channel called name from the device page and waits (up to
 * monotonic deadline_ns, LIBOS_FOREVER: no limit) for the peer to connect.
 * -KEEL_ENOENT no such channel, -KEEL_EBUSY already open, -KEEL_EAGAIN the
 * peer did not come in time, -KEEL_EINVAL a malformed device entry. */
int libos_chan_open(const char *name, uint64_t deadline_ns, libos_chan_t **out);

/* Writes all len bytes, blocking while the stream is full.  Returns len, or
 * an error (bytes written before it are delivered). */
long libos_chan_write(libos_chan_t *c, const void *buf, size_t len);

/* Blocks until at least one byte is there; returns how many were copied
 * (<= len), 0 at end of file, or an error. */
long libos_chan_read(libos_chan_t *c, void *buf, size_t len);

/* Like read without blocking: -KEEL_EAGAIN when nothing is there. */
long libos_chan_try_read(libos_chan_t *c, void *buf, size_t len);

/* Waits (up to deadline_ns) until the peer has read everything written,
 * then tells it no more comes, releases the pages and frees c.  Returns 0,
 * or the channel's error (c is freed either way). */
int libos_chan_close(libos_chan_t *c, uint64_t deadline_ns);

keel_domid_t libos_chan_peer(const libos_chan_t *c);
/* The channel's event port (for tests and tools that notify by hand;
 * events on it are the channel's: do not wait on it yourself). */
uint32_t libos_chan_port(const libos_chan_t *c);
int libos_chan_is_granter(const libos_chan_t *c);

#endif /* LIBOS_CHANNEL_H */

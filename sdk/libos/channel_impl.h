/*
 * Inside the libos's channels (API: libos/channel.h, protocol:
 * keel/channel.h).
 *
 *   channel_stream.c  pure: one direction over a page array, counters
 *                     checked, notification decisions (host unit test
 *                     tests/unit/libos_chan_stream_test.c)
 *   channel_open.c    device lookup, the granter/mapper handshake
 *   channel.c         waiting, notifying, the peer's state, close
 *   channel_io.c      blocking read and write
 *
 * Each end keeps its own counter (cons of what it reads, prod of what it
 * writes) in private memory and only ever stores it to the shared page: a
 * peer that scribbles on our counter cannot make us re-read or skip bytes.
 */
#ifndef LIBOS_CHANNEL_IMPL_H
#define LIBOS_CHANNEL_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <keel/channel.h>
#include <keel/grant_table.h>
#include <keel/event_channel.h>

/* One direction as this end sees it. */
struct chan_dir {
    struct keel_stream *s;     /* shared control block */
    uint8_t **page;            /* data pages, size / KEEL_PAGE_SIZE of them */
    uint32_t size;             /* power of two */
    uint32_t mine;             /* our counter: cons if we read, prod if we write */
};

/* channel_stream.c.  Byte counts, or -KEEL_EIO when the peer's counter is
 * impossible. */
long chan_readable(const struct chan_dir *d);
long chan_writable(const struct chan_dir *d);
/* Copy n (<= readable) bytes out / in (<= writable), publish the new
 * counter; returns 1 when the peer asked to be woken for this. */
int chan_take(struct chan_dir *d, void *buf, uint32_t n);
int chan_put(struct chan_dir *d, const void *buf, uint32_t n);
/* Before sleeping: ask to be woken on the next byte (reader) / on any
 * freed space (writer), then re-check: returns what chan_readable /
 * chan_writable return after the request is visible. */
long chan_arm_read(struct chan_dir *d);
long chan_arm_write(struct chan_dir *d);

struct libos_chan {
    const struct keel_device *dev;
    int granter;
    uint32_t port;             /* local port */
    int error;                 /* sticky: 0 or -KEEL_Exxx */
    int peer_gone;             /* its domain died or closed the port */
    volatile uint32_t events;  /* bumped by the port's handler */
    struct keel_channel_page *cp;
    struct chan_dir rx, tx;
    volatile uint32_t *peer_state, *my_state;
    uint32_t npages;
    uint32_t npages_mapped;    /* mapper: how many to unmap */
    uint8_t **page;            /* npages page addresses */
    keel_grant_handle_t *handle;   /* mapper: one per page */
};

/* channel.c.  The port's handler (upcall context: bumps c->events). */
void chan_on_event(keel_evtchn_port_t port, void *arg);
/* Let go of pages, grants and port; free c. */
void chan_release(struct libos_chan *c);
/* The peer's state word checked (-KEEL_EIO if garbage), and
 * whether its domain is still bound to our port. */
int chan_peer_state(struct libos_chan *c, uint32_t *state);
void chan_fail(struct libos_chan *c, int err);
void chan_notify(struct libos_chan *c);
/* Sleep until an event arrives after `seen` was read, or deadline. */
void chan_sleep(struct libos_chan *c, uint32_t seen, uint64_t deadline_ns);

#endif

/*
 * Inside the libos's channels (API: libos/channel.h, protocol:
 * keel/channel.h).
 *
 *   lib/stream/       each direction, over the page array: counters
 *                     checked, notification decisions (the one
 *                     byte-stream ring, stream/stream.h)
 *   channel_open.c    device lookup, the granter/mapper handshake
 *                     (libos/conn.h) with deadlines
 *   channel.c         waiting, notifying, the peer's state, close
 *   channel_io.c      blocking read and write
 */
#ifndef LIBOS_CHANNEL_IMPL_H
#define LIBOS_CHANNEL_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <keel/channel.h>
#include <keel/grant_table.h>
#include <keel/event_channel.h>
#include <libos/conn.h>
#include <stream/stream.h>

struct libos_chan {
    const struct keel_device *dev;
    struct libos_conn conn;    /* the handshake and our port (libos/conn.h) */
    int error;                 /* sticky: 0 or -KEEL_Exxx */
    int peer_gone;             /* its domain died or closed the port */
    volatile uint32_t events;  /* bumped by the port's handler */
    struct keel_channel_page *cp;
    struct stream rx, tx;      /* the directions, as this end sees them */
    uint8_t **page;            /* ring_pages page addresses */
    keel_grant_handle_t *handle;   /* mapper: one per page */
};

/* channel.c.  The port's handler (upcall context: bumps c->events). */
void chan_on_event(keel_evtchn_port_t port, void *arg);
/* Let go of pages, grants and port (libos_conn_release); free c. */
void chan_release(struct libos_chan *c);
/* The peer's state word checked (-KEEL_EIO if garbage: the channel
 * fails), CLOSED once its domain is no longer bound to our port. */
int chan_peer_state(struct libos_chan *c, uint32_t *state);
void chan_fail(struct libos_chan *c, int err);
void chan_notify(struct libos_chan *c);
/* Sleep until an event arrives after `seen` was read, or deadline. */
void chan_sleep(struct libos_chan *c, uint32_t seen, uint64_t deadline_ns);

#endif

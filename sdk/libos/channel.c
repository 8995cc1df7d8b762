/*
 * Channels: waiting, notifying, the peer's state, closing.  Opening is
 * channel_open.c, data transfer channel_io.c.
 *
 * Every wait goes through chan_sleep: the port's handler only bumps a
 * counter (upcall context may do nothing else), and a thread sleeps until
 * that counter moves past what it saw before it last looked at the shared
 * page, so an event between looking and sleeping is never lost.
 */
#include <stdlib.h>
#include <string.h>
#include <libos/channel.h>
#include <libos/event.h>
#include <libos/time.h>
#include "internal.h"
#include "channel_impl.h"

void chan_on_event(keel_evtchn_port_t port, void *arg)
{
    struct libos_chan *c = arg;

    (void)port;
    __atomic_add_fetch(&c->events, 1, __ATOMIC_SEQ_CST);
}

struct sleep_arg {
    struct libos_chan *c;
    uint32_t seen;
};

static int moved(void *p)
{
    const struct sleep_arg *a = p;
    return a->c->events != a->seen;
}

void chan_sleep(struct libos_chan *c, uint32_t seen, uint64_t deadline_ns)
{
    struct sleep_arg a = { c, seen };

    if (!moved(&a))
        libos_sched_wait(moved, &a, deadline_ns);
}

void chan_notify(struct libos_chan *c)
{
    libos_conn_notify(&c->conn);
}

void chan_fail(struct libos_chan *c, int err)
{
    if (c->error)
        return;
    c->error = err;
    libos_conn_set_state(&c->conn, KEEL_CONN_CLOSED);
}

/* Costs a hypercall while the peer claims CONNECTED: call it only before
 * sleeping. */
int chan_peer_state(struct libos_chan *c, uint32_t *state)
{
    long s = libos_conn_peer_state(&c->conn);

    if (s < 0) {
        chan_fail(c, -KEEL_EIO);
        return -KEEL_EIO;
    }
    if (c->peer_gone ||
        (s == KEEL_CONN_CONNECTED && !libos_conn_peer_bound(&c->conn))) {
        c->peer_gone = 1;
        s = KEEL_CONN_CLOSED;
    }
    *state = (uint32_t)s;
    return 0;
}

void chan_release(struct libos_chan *c)
{
    libos_conn_release(&c->conn);
    free(c->page);
    free(c->handle);
    free(c);
}

/* Linger until the peer has read everything we wrote (or is gone). */
static void drain(struct libos_chan *c, uint64_t deadline_ns)
{
    while (!c->error && libos_monotonic_ns() < deadline_ns) {
        uint32_t seen = c->events, st;
        if (chan_peer_state(c, &st) || st >= KEEL_CONN_CLOSING)
            return;
        long n = stream_arm_write(&c->tx);
        if (n < 0) {
            chan_fail(c, -KEEL_EIO);
            return;
        }
        if ((uint32_t)n == c->tx.size)
            return;
        chan_sleep(c, seen, deadline_ns);
    }
}

int libos_chan_close(libos_chan_t *c, uint64_t deadline_ns)
{
    int rc;

    drain(c, deadline_ns);
    rc = c->error;
    if (!rc)
        libos_conn_set_state(&c->conn, KEEL_CONN_CLOSED);
    else
        chan_notify(c);
    chan_release(c);
    return rc;
}

keel_domid_t libos_chan_peer(const libos_chan_t *c)
{
    return c->conn.peer;
}

int libos_chan_is_granter(const libos_chan_t *c)
{
    return c->conn.granter;
}

uint32_t libos_chan_port(const libos_chan_t *c)
{
    return c->conn.port;
}

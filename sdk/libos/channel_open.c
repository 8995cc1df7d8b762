/*
 * Opening a channel: the entry from the device page, then the handshake of
 * keel/device.h (libos/conn.h), with a deadline.  Granter: grant the pages
 * (refs the toolstack chose), bind to the mapper's port, INITIALISED,
 * notify, wait for the mapper's CONNECTED, CONNECTED.  Mapper: map the
 * pages (retrying at the granter's event, or every RETRY_NS while the refs
 * are not granted yet), wait for INITIALISED, bump the epoch, CONNECTED,
 * notify.
 */
#include <stdlib.h>
#include <string.h>
#include <libos/channel.h>
#include <libos/device.h>
#include <libos/time.h>
#include "internal.h"
#include "channel_impl.h"

#define PAGE KEEL_PAGE_SIZE
/* A mapper that finds the granter's pages not granted yet looks again at
 * the granter's event or after this long, whichever is first. */
#define RETRY_NS 10000000ull

/* libos_device_find checked where the pages are; this checks their
 * layout. */
static int entry_ok(const struct keel_device *d)
{
    const struct keel_channel_settings *s = (const void *)d->settings;
    uint32_t dp = s->data_pages;

    return s->version == KEEL_CHANNEL_VERSION && dp && !(dp & (dp - 1)) &&
           dp <= KEEL_CHANNEL_MAX_DATA_PAGES &&
           d->ring_pages == KEEL_CHANNEL_RING_PAGES(dp);
}

/* Each entry is opened once: its pages carry one connection's states. */
static int claim(const struct keel_device *d)
{
    static const struct keel_device *opened[KEEL_DEVPAGE_MAX];

    for (unsigned i = 0; i < KEEL_DEVPAGE_MAX; i++) {
        if (opened[i] == d)
            return -KEEL_EBUSY;
        if (!opened[i]) {
            opened[i] = d;
            return 0;
        }
    }
    return -KEEL_EBUSY;
}

static void setup_dirs(struct libos_chan *c)
{
    uint32_t dp = (c->conn.npages - 1) / 2;
    struct stream g2m, m2g;

    c->cp = (void *)c->page[0];
    stream_init_pages(&g2m, &c->cp->to_mapper, c->page + 1, dp * PAGE, 0);
    stream_init_pages(&m2g, &c->cp->to_granter, c->page + 1 + dp, dp * PAGE, 0);
    c->tx = c->conn.granter ? g2m : m2g;
    c->rx = c->conn.granter ? m2g : g2m;
}

/* Sleep until the peer's state is at least want (-KEEL_EIO on a garbage
 * value, -KEEL_EAGAIN at the deadline). */
static int wait_state(struct libos_chan *c, uint32_t want, uint64_t deadline_ns)
{
    for (;;) {
        uint32_t seen = c->events;
        long s = libos_conn_peer_state(&c->conn);
        if (s < 0)
            return (int)s;
        if ((uint32_t)s >= want)
            return 0;
        if (libos_monotonic_ns() >= deadline_ns)
            return -KEEL_EAGAIN;
        chan_sleep(c, seen, deadline_ns);
    }
}

static int granter_open(struct libos_chan *c, uint64_t deadline_ns)
{
    long rc;

    if ((rc = libos_conn_grant(&c->conn)))
        return (int)rc;
    setup_dirs(c);
    libos_conn_set_state(&c->conn, KEEL_CONN_INITIALISED);
    if ((rc = wait_state(c, KEEL_CONN_CONNECTED, deadline_ns)))
        return (int)rc;
    libos_conn_set_state(&c->conn, KEEL_CONN_CONNECTED);
    return 0;
}

/* Map every page, retrying while the granter has not granted them yet. */
static long map_pages(struct libos_chan *c, uint64_t deadline_ns)
{
    for (;;) {
        uint32_t seen = c->events;
        long rc = libos_conn_map(&c->conn, c->conn.npages);
        if (rc != -KEEL_ENOENT)
            return rc;
        uint64_t now = libos_monotonic_ns();
        if (now >= deadline_ns)
            return -KEEL_EAGAIN;
        chan_sleep(c, seen, now + RETRY_NS < deadline_ns ? now + RETRY_NS : deadline_ns);
    }
}

static int mapper_open(struct libos_chan *c, uint64_t deadline_ns)
{
    long rc;

    if ((rc = map_pages(c, deadline_ns)))
        return (int)rc;
    setup_dirs(c);
    if ((rc = wait_state(c, KEEL_CONN_INITIALISED, deadline_ns)))
        return (int)rc;
    libos_conn_connect(&c->conn);
    return 0;
}

int libos_chan_open(const char *name, uint64_t deadline_ns, libos_chan_t **out)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_CHANNEL, name);
    struct libos_chan *c;
    int rc;

    if (!d)
        return -KEEL_ENOENT;
    if (!entry_ok(d))
        return -KEEL_EINVAL;
    if ((rc = claim(d)))
        return rc;
    if (!(c = calloc(1, sizeof(*c))) ||
        !(c->page = calloc(d->ring_pages, sizeof(*c->page))) ||
        !(c->handle = calloc(d->ring_pages, sizeof(*c->handle)))) {
        if (c)
            free(c->page);
        free(c);
        return -KEEL_ENOMEM;
    }
    c->dev = d;
    rc = libos_conn_init(&c->conn, d, c->page, c->handle, chan_on_event, c);
    if (!rc)
        rc = c->conn.granter ? granter_open(c, deadline_ns)
                             : mapper_open(c, deadline_ns);
    if (rc) {
        libos_conn_set_state(&c->conn, KEEL_CONN_CLOSED);
        chan_release(c);
        return rc;
    }
    *out = c;
    return 0;
}

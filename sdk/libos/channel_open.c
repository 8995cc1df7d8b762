/*
 * Opening a channel: the entry from the device page, then the handshake of
 * keel/device.h.  Granter: grant the pages (refs the toolstack chose),
 * bind to the mapper's port, INITIALISED, notify, wait for the mapper's
 * CONNECTED.  Mapper: map page by page (retrying at the granter's event,
 * or every RETRY_NS while the refs are not granted yet), wait for
 * INITIALISED, bump the epoch, CONNECTED, notify.
 */
#include <stdlib.h>
#include <string.h>
#include <libos/channel.h>
#include <libos/device.h>
#include <libos/event.h>
#include <libos/grant.h>
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
    uint32_t dp = (c->npages - 1) / 2;
    struct stream g2m, m2g;

    stream_init_pages(&g2m, &c->cp->to_mapper, c->page + 1, dp * PAGE, 0);
    stream_init_pages(&m2g, &c->cp->to_granter, c->page + 1 + dp, dp * PAGE, 0);

    c->tx = c->granter ? g2m : m2g;
    c->rx = c->granter ? m2g : g2m;
    c->my_state = c->granter ? &c->cp->hdr.granter_state : &c->cp->hdr.mapper_state;
    c->peer_state = c->granter ? &c->cp->hdr.mapper_state : &c->cp->hdr.granter_state;
}

/* Sleep until *word is at least want (-KEEL_EIO on a garbage value,
 * -KEEL_EAGAIN at the deadline). */
static int wait_state(struct libos_chan *c, volatile uint32_t *word,
                      uint32_t want, uint64_t deadline_ns)
{
    for (;;) {
        uint32_t seen = c->events, s = *word;
        if (s > KEEL_CONN_CLOSED)
            return -KEEL_EIO;
        if (s >= want)
            return 0;
        if (libos_monotonic_ns() >= deadline_ns)
            return -KEEL_EAGAIN;
        chan_sleep(c, seen, deadline_ns);
    }
}

static int granter_open(struct libos_chan *c, uint64_t deadline_ns)
{
    const struct keel_device *d = c->dev;
    long rc;

    for (uint32_t i = 0; i < c->npages; i++) {
        c->page[i] = (uint8_t *)(uintptr_t)(d->ring_va + (uint64_t)i * PAGE);
        if ((rc = libos_grant_set(d->ring_ref + i, d->peer_domid, c->page[i], 0)))
            return (int)rc;
    }
    c->cp = (void *)c->page[0];
    setup_dirs(c);
    if ((rc = libos_evtchn_bind_interdomain(d->peer_domid, d->port)) < 0)
        return (int)rc;
    c->port = (uint32_t)rc;
    libos_evtchn_set_handler(c->port, chan_on_event, c);
    *c->my_state = KEEL_CONN_INITIALISED;
    chan_notify(c);
    if ((rc = wait_state(c, c->peer_state, KEEL_CONN_CONNECTED, deadline_ns)))
        return (int)rc;
    *c->my_state = KEEL_CONN_CONNECTED;
    return 0;
}

/* Map page i, retrying while the granter has not granted it yet. */
static long map_page(struct libos_chan *c, uint32_t i, uint64_t deadline_ns)
{
    for (;;) {
        uint32_t seen = c->events;
        void *va;
        long h = libos_grant_map(c->dev->peer_domid, c->dev->ring_ref + i, 0, &va);
        if (h >= 0) {
            c->page[i] = va;
            c->handle[i] = (keel_grant_handle_t)h;
            return 0;
        }
        if (h != -KEEL_ENOENT)
            return h;
        uint64_t now = libos_monotonic_ns();
        if (now >= deadline_ns)
            return -KEEL_EAGAIN;
        chan_sleep(c, seen, now + RETRY_NS < deadline_ns ? now + RETRY_NS : deadline_ns);
    }
}

static int mapper_open(struct libos_chan *c, uint64_t deadline_ns)
{
    long rc;

    c->port = c->dev->port;
    libos_evtchn_set_handler(c->port, chan_on_event, c);
    for (uint32_t i = 0; i < c->npages; i++) {
        if ((rc = map_page(c, i, deadline_ns)))
            return (int)rc;
        c->npages_mapped = i + 1;
    }
    c->cp = (void *)c->page[0];
    setup_dirs(c);
    if ((rc = wait_state(c, c->peer_state, KEEL_CONN_INITIALISED, deadline_ns)))
        return (int)rc;
    c->cp->hdr.mapper_epoch++;
    *c->my_state = KEEL_CONN_CONNECTED;
    chan_notify(c);
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
    c->granter = d->role == KEEL_DEV_GRANTER;
    c->npages = d->ring_pages;
    rc = c->granter ? granter_open(c, deadline_ns) : mapper_open(c, deadline_ns);
    if (rc) {
        if (c->my_state)
            *c->my_state = KEEL_CONN_CLOSED;
        chan_release(c);
        return rc;
    }
    *out = c;
    return 0;
}

/*
 * Opening the interface (raw.h): the device entry, the granter end of the
 * connection (libos/conn.h), the rings, the buffers granted once, every
 * receive buffer posted, INITIALISED.  And the devices note: this object
 * is linked into every image that uses netfront, and only those.
 */
#include <malloc.h>
#include <string.h>
#include <keel/image_note.h>
#include <libos/device.h>
#include <libos/devices_note.h>
#include <libos/event.h>
#include <libos/grant.h>
#include <libos/thread.h>
#include "nf_impl.h"

/* This image drives a NIC (libos/devices_note.h). */
LIBOS_DEVICES_NOTE(KEEL_NOTE_DEV_NET);

static struct netfront the_nf;
static bool opened;

/* Upcall context: only note it; whoever waits looks at the rings. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    struct netfront *nf = arg;

    (void)port;
    nf->event = 1;
    nf->st.events++;
}

static int settings_ok(const struct keel_net_settings *s)
{
    return s->version == KEEL_NET_VERSION && s->mtu >= 576 &&
           s->mtu <= KEEL_NET_MTU_MAX;
}

/* npages pages at *base, each granted to the backend under refs[i];
 * *granted counts the grants made, also when one fails. */
static int grant_pages(struct netfront *nf, uint8_t **base, uint32_t *refs,
                       unsigned npages, int readonly, unsigned *granted)
{
    if (!(*base = memalign(KEEL_PAGE_SIZE, (size_t)npages * KEEL_PAGE_SIZE)))
        return -KEEL_ENOMEM;
    memset(*base, 0, (size_t)npages * KEEL_PAGE_SIZE);
    for (*granted = 0; *granted < npages; ++*granted) {
        long ref = libos_grant_access(nf->conn.peer,
                                      *base + (size_t)*granted * KEEL_PAGE_SIZE, readonly);
        if (ref < 0)
            return (int)ref;
        refs[*granted] = (uint32_t)ref;
    }
    return 0;
}

/* Buffer pages given back.  A grant the backend still holds (it copies,
 * never maps, so only a hostile one could) keeps its pages: leaked, never
 * reused under it. */
static void ungrant_pages(uint8_t **base, const uint32_t *refs, unsigned granted)
{
    int busy = 0;

    while (granted)
        busy |= libos_grant_end(refs[--granted]) != 0;
    if (!busy)
        free(*base);
    *base = NULL;
}

static int connect(struct netfront *nf, const struct keel_device *d,
                   unsigned *ntx, unsigned *nrx)
{
    int rc;

    if (d->role != KEEL_DEV_GRANTER || d->ring_pages != KEEL_NET_RING_PAGES)
        return -KEEL_ENODEV;
    memcpy(&nf->set, d->settings, sizeof(nf->set));
    if (!settings_ok(&nf->set))
        return -KEEL_ENODEV;
    nf->frame_max = (uint16_t)KEEL_NET_MAX_FRAME(nf->set.mtu);
    if (nf->frame_max > NF_BUF_BYTES)
        nf->frame_max = NF_BUF_BYTES;   /* a larger MTU: frames up to this */
    if ((rc = libos_conn_init(&nf->conn, d, nf->page, 0, on_event, nf)))
        return rc == -KEEL_EINVAL ? -KEEL_ENODEV : rc;
    if ((rc = grant_pages(nf, &nf->txbuf, nf->txref, NF_TX_PAGES, 1, ntx)) ||
        (rc = grant_pages(nf, &nf->rxbuf, nf->rxref, NF_RX_PAGES, 0, nrx)) ||
        (rc = (int)libos_conn_grant(&nf->conn)))
        return rc;
    nf_rings_init(nf);
    libos_conn_set_state(&nf->conn, KEEL_CONN_INITIALISED);
    return 0;
}

/* A failed connect leaves nothing behind: the next open starts clean. */
static void undo_connect(struct netfront *nf, unsigned ntx, unsigned nrx)
{
    libos_conn_release(&nf->conn);
    ungrant_pages(&nf->txbuf, nf->txref, ntx);
    ungrant_pages(&nf->rxbuf, nf->rxref, nrx);
    memset(nf, 0, sizeof(*nf));
}

int netfront_open(struct netfront **out)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_NET, NULL);
    unsigned ntx = 0, nrx = 0;
    int rc;

    if (!d)
        return -KEEL_ENODEV;
    if (opened)
        return -KEEL_EBUSY;
    if ((rc = connect(&the_nf, d, &ntx, &nrx))) {
        undo_connect(&the_nf, ntx, nrx);
        return rc;
    }
    opened = true;
    *out = &the_nf;
    return 0;
}

const struct keel_net_settings *netfront_settings(const struct netfront *nf)
{
    return &nf->set;
}

int netfront_connected(const struct netfront *nf)
{
    long st = libos_conn_peer_state(&nf->conn);

    if (nf->dead || st < 0 || st == KEEL_CONN_CLOSED)
        return -KEEL_EPIPE;
    return st == KEEL_CONN_CONNECTED;
}

static int woken(void *arg)
{
    return ((struct netfront *)arg)->event;
}

/* Ask for an event at the next response of either ring, then look once
 * more: what came in between is seen here, what comes later sends one.
 * Answered transmit buffers come back on the way out. */
void netfront_wait(struct netfront *nf, uint64_t deadline_ns)
{
    nf->event = 0;
    if (!nf->dead && !keel_net_rx_front_final_check(&nf->rx) &&
        !keel_net_tx_front_final_check(&nf->tx))
        libos_thread_wait(woken, nf, deadline_ns);
    nf_tx_reclaim(nf);
}

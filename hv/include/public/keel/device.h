/*
 * The device page: how a domain learns its devices without a store.
 *
 * When the toolstack builds a domain it writes one device page into the
 * domain's own memory (read-only to the domain) and puts its address in
 * start_info.device_page_va (0: no devices).  Each entry describes one
 * split device or channel between this domain and a peer (a backend in dom0
 * or a driver domain, or another guest for an inter-domain channel).
 *
 * Every connection has a GRANTER and a MAPPER end:
 *   - the GRANTER owns the shared pages: ring_pages pages at ring_va in its
 *     own memory (reserved by the builder, zeroed).  At start it grants
 *     them, page i as grant reference ring_ref + i, to peer_domid (read-
 *     write), and binds an event channel to the peer's unbound port `port`
 *     (KEEL_EVTCHN_BIND_INTERDOMAIN), then marks itself INITIALISED in the
 *     connection header and notifies.
 *   - the MAPPER maps the granter's references ring_ref .. + ring_pages - 1
 *     from peer_domid; `port` is its own port, allocated UNBOUND for the
 *     granter by the toolstack (events sent before the granter binds are
 *     kept, keel/event_channel.h).  It waits for the granter's event (or
 *     finds the granter already INITIALISED), maps, marks CONNECTED.
 * Frontends are granters; backends are mappers.  Both ends are written
 * once, in the SDK's libos/conn.h.
 *
 * One event channel per pair of domains.  Entries with the same
 * peer_domid and the same port share one event channel: the toolstack
 * allocates one port per (domain, backend domain) and names it in every
 * entry that backend serves (a guest's console and its NIC, both served
 * by dom0, carry the same port).  A granter binds such a port once and
 * uses the local port it got for all of those entries; the mapper uses
 * its one port for all of them.  An event on it means "look at every
 * connection with this peer": each end checks the rings and state words
 * of all the connections on the port.  So a domain's devices cost the
 * backend one port, however many there are.
 *
 * Restart.  A mapper that goes away and comes back (a restarted backend)
 * maps the same references again, resumes from the protocol's counters in
 * the pages, bumps mapper_epoch and says CONNECTED again; a granter reads
 * mapper_state afresh whenever it needs it, so it goes on with the new
 * mapper and tears nothing down.  mapper_epoch tells a granter that a
 * reconnect happened (for a protocol that must redo something then, such
 * as starting its rings again: keel/net.h; the console and channels
 * need not).  Not possible yet: a mapper whose domain died and was
 * replaced.  The
 * granter's bound port then turns UNBOUND (keel/event_channel.h) and
 * nothing tells a running granter the new domain's port, so it sees its
 * peer gone (channels: end of file and EPIPE; the console: writes wait
 * once its ring is full).
 *
 * Page 0 of every connection starts with struct keel_conn_header; the rest
 * of the pages' layout belongs to the device type's protocol (console:
 * keel/console.h; channel: keel/channel.h).
 */
#ifndef KEEL_PUBLIC_DEVICE_H
#define KEEL_PUBLIC_DEVICE_H

#include "abi.h"

#define KEEL_DEVPAGE_MAGIC   "KEELDEV1"   /* 8 bytes, no NUL */
#define KEEL_DEVPAGE_VERSION 1u
#define KEEL_DEVPAGE_MAX     31u

/* device types */
#define KEEL_DEV_CONSOLE  1u
#define KEEL_DEV_CHANNEL  2u
#define KEEL_DEV_NET      3u   /* the network split driver: keel/net.h */
#define KEEL_DEV_BLOCK    4u   /* the block split driver: keel/blk.h */

/* roles */
#define KEEL_DEV_GRANTER  1u
#define KEEL_DEV_MAPPER   2u

#define KEEL_DEV_NAME_MAX 32u

struct keel_device {
    uint32_t type;            /* KEEL_DEV_* */
    uint32_t role;            /* KEEL_DEV_GRANTER or KEEL_DEV_MAPPER */
    uint16_t peer_domid;
    uint16_t pad;
    uint32_t port;            /* GRANTER: peer's port to bind to; MAPPER: own port */
    uint64_t ring_va;         /* GRANTER: the pages in its memory; MAPPER: 0 */
    uint32_t ring_pages;
    uint32_t ring_ref;        /* first grant reference (in the granter's table) */
    char     name[KEEL_DEV_NAME_MAX];   /* NUL terminated: "console", a channel's name */
    uint8_t  settings[64];    /* per type */
};

struct keel_device_page {
    char     magic[8];        /* KEEL_DEVPAGE_MAGIC */
    uint32_t version;         /* KEEL_DEVPAGE_VERSION */
    uint32_t nr_devices;      /* <= KEEL_DEVPAGE_MAX */
    struct keel_device dev[KEEL_DEVPAGE_MAX];
};

/* connection states, one word per end in struct keel_conn_header */
#define KEEL_CONN_UNKNOWN      0u   /* zeroed page: that end has not started */
#define KEEL_CONN_INITIALISED  1u   /* granter: pages granted, port bound */
#define KEEL_CONN_CONNECTED    2u   /* this end is ready for traffic */
#define KEEL_CONN_CLOSING      3u   /* this end is going away; drain */
#define KEEL_CONN_CLOSED       4u   /* this end is gone */

struct keel_conn_header {
    volatile uint32_t granter_state;  /* written by the granter only */
    volatile uint32_t mapper_state;   /* written by the mapper only */
    volatile uint32_t mapper_epoch;   /* mapper bumps it at each (re)connect */
    uint32_t pad[13];                 /* 64 bytes in all */
};

#ifdef __cplusplus
static_assert(sizeof(struct keel_device) == 128, "device entry layout");
static_assert(sizeof(struct keel_device_page) <= KEEL_PAGE_SIZE, "one page");
#else
_Static_assert(sizeof(struct keel_device) == 128, "device entry layout");
_Static_assert(sizeof(struct keel_device_page) <= KEEL_PAGE_SIZE, "one page");
_Static_assert(sizeof(struct keel_conn_header) == 64, "connection header layout");
#endif

#endif /* KEEL_PUBLIC_DEVICE_H */

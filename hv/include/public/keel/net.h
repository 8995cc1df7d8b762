/*
 * The network split driver: a virtual Ethernet interface between a guest
 * (netfront) and a backend (netback, in dom0 or later a driver domain).
 *
 * Connection (keel/device.h).  A KEEL_DEV_NET entry in the guest's device
 * page: the guest is the GRANTER, the backend the MAPPER.  ring_pages is
 * KEEL_NET_RING_PAGES:
 *
 *   page 0   struct keel_net_page (connection header, what the frontend uses)
 *   page 1   the transmit ring: keel_net_tx_sring (guest -> backend)
 *   page 2   the receive ring:  keel_net_rx_sring (backend -> guest)
 *
 * Both rings follow keel/ring.h (request/response, free-running indices,
 * notification suppression through req_event / rsp_event); one event
 * channel serves both.  Each ring holds KEEL_NET_RING_SIZE entries.
 *
 * Addresses.  The toolstack gives every interface its MAC and IPv4 address,
 * netmask, gateway and MTU in the entry's settings (struct
 * keel_net_settings): the guest configures itself from them and never
 * waits for DHCP.
 *
 * Buffers.  Frames travel in pages of the guest's own memory that it has
 * granted to the backend (read-write for receive buffers, read-only is
 * enough for transmit), once, and reuses: a request names a grant
 * reference and an offset.  The backend moves the bytes with grant copies
 * (KEEL_GNTOP_COPY, many frames a hypercall); it never maps guest buffers.
 * A frame lies within one page: offset + size <= KEEL_PAGE_SIZE.  No
 * checksum or segmentation offload exists in this version: every frame
 * carries complete, correct checksums, and is at most
 * KEEL_NET_MAX_FRAME(mtu) bytes (an Ethernet header + mtu; no VLAN tag,
 * no FCS).
 *
 * Transmit.  The guest puts a tx request (where the frame is) and may
 * reuse the buffer once the response with the same id arrives.  The
 * backend answers every request, in order of its requests:
 *   KEEL_NET_OK       sent on (switched; it may still be lost later, as on
 *                     any Ethernet)
 *   KEEL_NET_DROPPED  refused by policy: a source MAC or IPv4 address the
 *                     guest was not given, no such destination, or a frame
 *                     type the backend does not forward
 *   KEEL_NET_ERROR    malformed: size out of [KEEL_NET_MIN_FRAME,
 *                     KEEL_NET_MAX_FRAME(mtu)], offset + size past the
 *                     page, a grant reference the copy could not use,
 *                     unknown flags
 *
 * Receive.  The guest posts empty buffers as rx requests; each needs room
 * for KEEL_NET_MAX_FRAME(mtu) bytes from its offset within its page.  The
 * backend answers a request when a frame for the guest has been copied
 * into its buffer (status = the frame's length) or with KEEL_NET_ERROR
 * when the buffer was unusable or the copy into it failed: the buffer comes
 * back unused, and the guest may post it again.  A frame that arrives while the guest has
 * no buffer posted is dropped and counted: a guest that posts nothing loses
 * only its own frames, and never holds up the backend.
 *
 * Distrust.  The backend copies each request out of the ring before using
 * it, checks every field, and treats ids as opaque (a reused id confuses
 * only its own frontend).  Producer indices that claim more requests than
 * slots (KEEL_RING_CORRUPT), or a state word outside KEEL_CONN_*, make the
 * backend stop serving the interface and mark itself CLOSED: only that
 * guest is cut off.  The frontend treats the backend the same way.
 *
 * Restart (keel/device.h).  A backend that goes away and comes back (a
 * restarted netback, a new driver domain) cannot resume from the rings: it
 * may have taken requests it never answered and written responses it never
 * published, over the requests in their slots.  So the rings start again:
 *   backend   maps the pages again, bumps mapper_epoch and says CONNECTED
 *             (libos_conn_connect), then touches neither ring until
 *             front_epoch == mapper_epoch (it looks again at each event);
 *   frontend  on seeing CONNECTED with a mapper_epoch other than the one
 *             it served, forgets both rings: every transmit buffer in
 *             flight is lost (sent again by TCP, as after any lost frame),
 *             both rings are initialised afresh (all four indices and event
 *             indices), every receive buffer is posted again; then it
 *             writes front_epoch = mapper_epoch and notifies;
 *   backend   initialises its end (name##_back_init, from the fresh
 *             indices) and serves.
 * The first connect (mapper_epoch 1) needs no restart: the backend serves
 * at once and the frontend only records front_epoch.  A backend that said
 * CLOSED has cut the interface off for good: a later CONNECTED is ignored.
 */
#ifndef KEEL_PUBLIC_NET_H
#define KEEL_PUBLIC_NET_H

#include "abi.h"
#include "device.h"
#include "ring.h"

#define KEEL_NET_VERSION       1u
#define KEEL_NET_RING_PAGES    3u
#define KEEL_NET_ETH_HLEN      14u        /* destination, source, type */
#define KEEL_NET_MIN_FRAME     KEEL_NET_ETH_HLEN
#define KEEL_NET_MTU_DEFAULT   1500u
#define KEEL_NET_MTU_MAX       (KEEL_PAGE_SIZE - KEEL_NET_ETH_HLEN)
#define KEEL_NET_MAX_FRAME(mtu) ((mtu) + KEEL_NET_ETH_HLEN)

/* status of a response */
#define KEEL_NET_OK        0
#define KEEL_NET_ERROR    (-1)
#define KEEL_NET_DROPPED  (-2)

/* struct keel_device.settings of a KEEL_DEV_NET entry, written by the
 * toolstack.  Addresses in network byte order. */
struct keel_net_settings {
    uint8_t  mac[6];          /* the interface's own, locally administered */
    uint16_t mtu;             /* in [576, KEEL_NET_MTU_MAX] */
    uint32_t ipv4_addr;
    uint32_t ipv4_netmask;
    uint32_t ipv4_gateway;    /* 0: none (guests reach only their subnet) */
    uint32_t version;         /* KEEL_NET_VERSION */
    uint8_t  pad[40];
};

/* Page 0. */
struct keel_net_page {
    struct keel_conn_header hdr;
    /* counters the backend keeps for this interface (informational; the
     * guest must not rely on them for anything but reporting) */
    volatile uint64_t tx_dropped;   /* KEEL_NET_DROPPED answers */
    volatile uint64_t tx_errors;    /* KEEL_NET_ERROR answers */
    volatile uint64_t rx_no_buffer; /* frames lost: no buffer posted */
    /* written by the frontend only: the mapper_epoch its rings are set up
     * for ("Restart" above) */
    volatile uint32_t front_epoch;
    uint32_t pad0;
    uint64_t pad[4];
};

struct keel_net_tx_req {
    uint32_t gref;            /* the guest's reference to the frame's page */
    uint16_t offset;          /* where the frame starts in that page */
    uint16_t size;            /* its length in bytes */
    uint16_t id;              /* echoed in the response, never interpreted */
    uint16_t flags;           /* 0 (none defined in this version) */
};

struct keel_net_tx_rsp {
    uint16_t id;
    int16_t  status;          /* KEEL_NET_OK, _DROPPED or _ERROR */
};

struct keel_net_rx_req {
    uint32_t gref;            /* the guest's reference to an empty buffer page */
    uint16_t offset;          /* room from here: KEEL_NET_MAX_FRAME(mtu) */
    uint16_t id;
};

struct keel_net_rx_rsp {
    uint16_t id;
    uint16_t offset;          /* where the frame starts (the request's) */
    int16_t  status;          /* > 0: the frame's length; KEEL_NET_ERROR */
    uint16_t flags;           /* 0 */
};

KEEL_RING_DEFINE(keel_net_tx, struct keel_net_tx_req, struct keel_net_tx_rsp);
KEEL_RING_DEFINE(keel_net_rx, struct keel_net_rx_req, struct keel_net_rx_rsp);

/* Entries per ring: the largest power of two that fits in one page. */
#define KEEL_NET_RING_SIZE 256u

#ifdef __cplusplus
static_assert(sizeof(struct keel_net_settings) == 64, "settings fill the entry's 64 bytes");
#else
_Static_assert(sizeof(struct keel_net_settings) == 64, "settings fill the entry's 64 bytes");
_Static_assert(sizeof(struct keel_net_page) <= KEEL_PAGE_SIZE, "page 0");
_Static_assert(sizeof(union keel_net_tx_ring_entry) == 12, "tx entry layout");
_Static_assert(sizeof(union keel_net_rx_ring_entry) == 8, "rx entry layout");
#endif

#endif /* KEEL_PUBLIC_NET_H */

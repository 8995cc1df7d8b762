/*
 * netfront, raw: this domain's network interface (keel/net.h) as whole
 * Ethernet frames, without a network stack, for middlebox appliances
 * (a filter, a bridge, a load balancer) and for the stack's own glue
 * (sdk/netfront/netif.c, which plugs it into lwIP).
 *
 *   struct netfront *nf;
 *   netfront_open(&nf);                       the NIC the toolstack gave us
 *   netfront_settings(nf)->ipv4_addr ...      our MAC, address, MTU
 *   netfront_send(nf, frame, len);            one frame, copied
 *   n = netfront_recv(nf, buf, sizeof(buf));  one frame, or 0 if none
 *   netfront_wait(nf, deadline);              sleep until there may be more
 *
 * Linking this library marks the image as one that drives a NIC (its
 * devices note, keel/image_note.h), so the toolstack gives it one; an
 * image that does not link it gets none.
 *
 * Contract:
 *  - One interface, opened once per domain (by lwIP's glue when the
 *    program uses lwIP, otherwise by the program): a second open is
 *    -KEEL_EBUSY.  A failed open leaves nothing taken (grants, pages,
 *    port) and may be tried again (lwIP's glue does, netif.h).  No
 *    close: it lives as long as the domain.
 *  - Frames are complete Ethernet frames (destination, source, type,
 *    payload; no FCS, no VLAN tag), KEEL_NET_MIN_FRAME to
 *    KEEL_NET_MAX_FRAME(mtu) bytes, with correct checksums: nothing is
 *    offloaded.  The backend forwards only IPv4 and ARP sent from this
 *    interface's own MAC and address (others come back DROPPED, counted
 *    in netfront_stats).
 *  - One thread uses the interface at a time (the libos's threads are
 *    cooperative, so any thread may, but none inside an event handler).
 *  - Functions return 0 or a length on success, -KEEL_E* on failure;
 *    errno is not touched.  -KEEL_EPIPE: the backend closed the
 *    interface (CLOSED: it cut us off); nothing will move again.
 *  - A backend that goes away (CLOSING, or silently) and comes back
 *    under a new mapper_epoch costs the frames in flight, not the
 *    interface: the rings start afresh (keel/net.h, "Restart").
 */
#ifndef NETFRONT_RAW_H
#define NETFRONT_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <keel/net.h>

/* Buffers, granted once to the backend and reused, two to a page. */
#define NETFRONT_TX_BUFS 32u
#define NETFRONT_RX_BUFS 128u

struct netfront;

struct netfront_stats {
    uint64_t tx_frames, tx_dropped, tx_errors;   /* backend's answers */
    uint64_t tx_full;          /* sends refused: every buffer in flight */
    uint64_t rx_frames;
    uint64_t rx_errors;        /* buffers returned unused, bad lengths */
    uint64_t rx_truncated;     /* frames longer than the caller's buffer */
    uint64_t events;           /* event channel upcalls */
    uint64_t reconnects;       /* the backend came back: fresh rings */
};

/* 0 and *out; -KEEL_ENODEV (this domain has no NIC), -KEEL_EBUSY (open
 * already), -KEEL_ENOMEM, -KEEL_ENOSPC (no grant reference left), or the
 * hypervisor's answer to a grant or bind. */
int netfront_open(struct netfront **out);

/* The toolstack's settings: MAC, IPv4 address, netmask, gateway (network
 * byte order), MTU. */
const struct keel_net_settings *netfront_settings(const struct netfront *nf);

/* Has the backend connected (frames sent before it does wait in the
 * ring)?  0 no (not yet, or away), 1 yes, -KEEL_EPIPE closed. */
int netfront_connected(const struct netfront *nf);

/* Copy frame[0, len) into a transmit buffer and queue it.  0;
 * -KEEL_EINVAL (len out of range); -KEEL_EAGAIN (every buffer in flight:
 * wait, then send again); -KEEL_EPIPE. */
int netfront_send(struct netfront *nf, const void *frame, size_t len);

/* The oldest received frame, copied into buf (at most cap bytes: the rest
 * of a longer one is lost, counted in rx_truncated): its length, 0 when
 * none is waiting, -KEEL_EPIPE. */
int netfront_recv(struct netfront *nf, void *buf, size_t cap);

/* Sleep the calling thread until the backend has answered something (a
 * frame received, a buffer sent) or deadline_ns (LIBOS_FOREVER: none)
 * passes; then take the transmit answers (buffers free again, counted in
 * netfront_stats).  May return early: look again. */
void netfront_wait(struct netfront *nf, uint64_t deadline_ns);

void netfront_stats(const struct netfront *nf, struct netfront_stats *out);

#endif /* NETFRONT_RAW_H */

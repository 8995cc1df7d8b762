/*
 * The machine's NIC: a virtio-net PCI function, driven through its legacy
 * interface (why: docs/net.md, "dom0's NIC driver").  dom0 links it today,
 * a network driver domain tomorrow; the caller (the switch's uplink) moves
 * whole Ethernet frames and never sees rings or registers.
 *
 * Contract:
 *  - Frames are complete Ethernet frames (destination, source, type,
 *    payload; no FCS), at most VIRTIO_NET_FRAME_MAX(mtu) bytes, with
 *    correct checksums: no checksum or segmentation offload is negotiated,
 *    in either direction.
 *  - virtio_net_send / virtio_net_send_many copy each frame into a buffer
 *    of the driver's, so the caller's memory is free again on return.
 *    send_many's frames that find the transmit queue full wait in the
 *    driver's backlog (at most VIRTIO_NET_TX_BACKLOG), in order, and go to
 *    the device as it frees buffers: at the next send, poll or event (the
 *    driver asks the device for an interrupt as soon as the queue is full,
 *    so an event does come).  A burst of a switch's frames costs time,
 *    not frames a peer's TCP would wait a timeout for.  Beyond the backlog
 *    a frame is refused (send_many: fewer taken); virtio_net_send never
 *    waits: -KEEL_ENOSPC with nothing queued.
 *  - Received frames reach the rx callback given to virtio_net_attach, a
 *    batch per call (at most VIRTIO_NET_RX_BATCH frames), from
 *    virtio_net_poll / virtio_net_event only, on the caller's thread.  The
 *    frames are valid during the call only (copy what you keep); their
 *    buffers go back to the device right after it, so the receive queue is
 *    refilled after each batch.  The callback may send; it may not poll
 *    (-KEEL_EBUSY).
 *  - One thread uses one device at a time: nothing here locks, and no
 *    function may run in an event handler (upcall context).
 *  - Functions return 0 (or a count), or -KEEL_E* (keel/abi.h); they never
 *    print and never set errno.
 */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/event_channel.h>

#define VIRTIO_NET_ETH_HLEN        14u
#define VIRTIO_NET_MTU_DEFAULT     1500u
#define VIRTIO_NET_MTU_MIN         68u
#define VIRTIO_NET_MTU_MAX         4082u     /* a frame in one page */
#define VIRTIO_NET_FRAME_MAX(mtu)  ((mtu) + VIRTIO_NET_ETH_HLEN)
#define VIRTIO_NET_RX_BATCH        64u
#define VIRTIO_NET_BUDGET_DEFAULT  VIRTIO_NET_RX_BATCH
#define VIRTIO_NET_TX_BACKLOG      1024u     /* frames waiting for the queue */

struct virtio_net;

/* A frame, in the caller's memory (send) or the driver's (receive). */
struct virtio_net_frame {
    const uint8_t *data;
    uint16_t len;
};

typedef void (*virtio_net_rx_fn)(void *ctx, const struct virtio_net_frame *f,
                                 unsigned n);

struct virtio_net_counters {
    uint64_t rx_frames, rx_bytes;
    uint64_t rx_errors;        /* the device reported a length out of range */
    uint64_t tx_frames, tx_bytes;
    uint64_t tx_full;          /* sends refused: -KEEL_ENOSPC */
    uint64_t tx_waited;        /* frames that waited in the backlog */
    uint64_t tx_errors;        /* sends refused: a length out of range */
    uint64_t events;           /* virtio_net_event calls */
    uint64_t notifies;         /* queue notifications written to the device */
    uint64_t device_errors;    /* used entries that named no buffer */
};

/* Privileged (dom0): take the first virtio-net function that nobody owns
 * (KEEL_PCIOP_LIST, then ASSIGN to ourselves).  0 and *bdf;
 * -KEEL_ENODEV when the machine has none. */
long virtio_net_probe(uint32_t *bdf);

/* Bring up the function bdf, which the caller owns: reset, negotiate,
 * queues, receive buffers, interrupt, DRIVER_OK.  0 and *out, or
 * -KEEL_ENODEV (no legacy interface: a modern-only device), -KEEL_ENOMEM
 * (no DMA memory), -KEEL_EIO (the device refused a queue), -KEEL_E*.
 * rx (not NULL) gets every received frame, in batches, with ctx.  Nothing is undone
 * on failure: the function stays owned (and marked FAILED). */
long virtio_net_attach(uint32_t bdf, virtio_net_rx_fn rx, void *ctx,
                       struct virtio_net **out);

void virtio_net_mac(const struct virtio_net *n, uint8_t mac[6]);
unsigned virtio_net_mtu(const struct virtio_net *n);
/* The device's link status (always up when it does not report one). */
bool virtio_net_link_up(const struct virtio_net *n);
/* The virtio feature bits agreed with the device (for logs and tests). */
uint32_t virtio_net_features(const struct virtio_net *n);

/* 0; -KEEL_ENOSPC (queue full, nothing sent); -KEEL_EINVAL (len below
 * VIRTIO_NET_ETH_HLEN or above VIRTIO_NET_FRAME_MAX(mtu)). */
int virtio_net_send(struct virtio_net *n, const void *frame, size_t len);

/* f[0..count) with one notification: how many were taken, in order (sent,
 * waiting in the backlog, or dropped and counted in tx_errors for a length
 * out of range); fewer than count when the backlog is full too (tx_full
 * counts each refusal). */
unsigned virtio_net_send_many(struct virtio_net *n,
                              const struct virtio_net_frame *f, unsigned count);

/* The event channel port the device's interrupt arrives on (wait on it,
 * e.g. libos_evtchn_wait), or 0 when it has none (its line is shared:
 * poll instead). */
keel_evtchn_port_t virtio_net_port(const struct virtio_net *n);

/* After an event on the port: clears and acknowledges the interrupt, then
 * as virtio_net_poll. */
int virtio_net_event(struct virtio_net *n, unsigned budget);

/* Takes up to budget received frames and hands them to rx, a batch at a
 * time, refilling the receive queue after each; reclaims sent buffers.
 * Returns the frames taken (those with a length out of range too: they are
 * counted in rx_errors, not handed out); budget means more may be waiting
 * (call again: no new event comes for them). */
int virtio_net_poll(struct virtio_net *n, unsigned budget);

void virtio_net_counters(const struct virtio_net *n,
                         struct virtio_net_counters *out);

#endif /* DRIVERS_VIRTIO_NET_H */

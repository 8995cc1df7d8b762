/*
 * Inside the virtio-net driver: the device state virtio_net.c (bring-up,
 * configuration) and virtio_net_io.c (the data path) share.
 *
 * Buffers: each queue has a pool of `slot`-byte DMA buffers, buffer i tied
 * to descriptor head i, so a popped head names its buffer with no lookup
 * and the pool needs only as many buffers as the queue has usable heads
 * (VNET_BUFS_MAX at most, whatever size the device gives the queue).  A
 * buffer is the 10-byte legacy virtio_net_hdr followed by the frame; with
 * VIRTIO_F_ANY_LAYOUT one descriptor covers both, without it the header
 * gets a descriptor of its own, as legacy devices expect.
 */
#ifndef DRIVERS_VIRTIO_NET_IMPL_H
#define DRIVERS_VIRTIO_NET_IMPL_H

#include <drivers/virtio_net.h>
#include "virtio_pci.h"
#include "virtqueue.h"

#define VNET_QUEUE_RX     0u
#define VNET_QUEUE_TX     1u
#define VNET_BUFS_MAX     256u     /* buffers (usable heads) per queue */
#define VNET_HDR_LEN      10u      /* legacy virtio_net_hdr, no num_buffers */
#define VNET_SLOT_ALIGN   64u

/* device-type features (virtio 1.x, 5.1.3) */
#define VIRTIO_NET_F_CSUM        (1u << 0)
#define VIRTIO_NET_F_GUEST_CSUM  (1u << 1)
#define VIRTIO_NET_F_MTU         (1u << 3)
#define VIRTIO_NET_F_MAC         (1u << 5)
#define VIRTIO_NET_F_GUEST_TSO4  (1u << 7)
#define VIRTIO_NET_F_HOST_TSO4   (1u << 11)
#define VIRTIO_NET_F_MRG_RXBUF   (1u << 15)
#define VIRTIO_NET_F_STATUS      (1u << 16)
#define VIRTIO_NET_S_LINK_UP     1u

/* device configuration, from VIRTIO_PCI_CONFIG */
#define VNET_CFG_MAC      0
#define VNET_CFG_STATUS   6
#define VNET_CFG_MTU      10

struct vnet_pool {
    uint8_t *va;
    uint64_t maddr;
};

/* A frame that found the transmit queue full (virtio_net_io.c). */
struct vnet_waiting {
    struct vnet_waiting *next;
    uint16_t len;
    uint8_t frame[];
};

struct virtio_net {
    struct vpci pci;
    struct virtqueue rx, tx;
    struct vnet_pool rx_buf, tx_buf;
    uint32_t features;         /* agreed */
    uint32_t slot;             /* bytes per buffer */
    unsigned segs;             /* descriptors per buffer: 1 or 2 */
    uint16_t mtu;
    uint8_t mac[6];
    bool link_up;
    bool tx_interrupts;        /* asked for while the queue was full */
    bool in_rx;                /* the rx callback runs */
    keel_evtchn_port_t port;
    virtio_net_rx_fn rx_fn;
    void *rx_ctx;
    struct virtio_net_frame batch[VIRTIO_NET_RX_BATCH];   /* being handed out */
    struct vnet_waiting *backlog, **backlog_end;   /* oldest first */
    unsigned backlog_len;
    struct virtio_net_counters c;
};

/* virtio_net.c: the features we take of what the device offers (the MTU
 * only when dev_mtu is one our buffers hold) */
uint32_t vnet_choose_features(uint32_t offered, uint16_t dev_mtu);
void vnet_read_link(struct virtio_net *n);

/* virtio_net_io.c: post every free receive buffer; tell the device */
void vnet_fill_rx(struct virtio_net *n);

#endif /* DRIVERS_VIRTIO_NET_IMPL_H */

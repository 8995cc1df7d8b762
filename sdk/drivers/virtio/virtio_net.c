/*
 * virtio-net, bring-up and configuration (virtio_net.h; the data path is
 * virtio_net_io.c).
 *
 * Legacy initialisation (virtio 1.x, 3.1.2): reset, ACKNOWLEDGE, DRIVER,
 * features (a legacy device has no FEATURES_OK), then for each queue its
 * size from the device and a ring in contiguous DMA pages at QUEUE_PFN,
 * then DRIVER_OK; the receive buffers are posted after DRIVER_OK, since a
 * driver may not notify the device before it.
 *
 * We accept only what we implement (vnet_choose_features): the MAC, the
 * link status, the MTU when our buffers hold it, and ANY_LAYOUT.  Never
 * the checksum and segmentation offloads (CSUM, GUEST_CSUM, the TSO/UFO
 * family): every frame the uplink carries has complete checksums (keel/
 * net.h has no offload either), so a partial checksum from the device
 * would have to be completed before a guest sees it, and a 64 KiB
 * segment cut into frames, for no gain.  Never MRG_RXBUF (our buffers
 * hold a whole frame), CTRL_VQ and what needs it (the device stays
 * promiscuous, which the switch needs: frames for every guest's MAC
 * arrive on this one NIC), EVENT_IDX or INDIRECT_DESC (the flags and
 * plain chains suffice), NOTIFY_ON_EMPTY (it would defeat the transmit
 * interrupt suppression of virtio_net_io.c).
 */
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include "virtio_dev.h"
#include "virtio_net_impl.h"

/* Without VIRTIO_NET_F_MAC: locally administered, outside the guests'
 * 02:4b:0a:00:x:y (keel/launch.h), the function's bdf at the end. */
#define VNET_FALLBACK_MAC0 0x02
#define VNET_FALLBACK_MAC1 0x4b
#define VNET_FALLBACK_MAC2 0xff

long virtio_net_probe(uint32_t *bdf)
{
    return vpci_find_and_take(VIRTIO_ID_NET, bdf);
}

uint32_t vnet_choose_features(uint32_t offered, uint16_t dev_mtu)
{
    uint32_t want = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_F_ANY_LAYOUT;

    if (dev_mtu >= VIRTIO_NET_MTU_MIN && dev_mtu <= VIRTIO_NET_MTU_MAX)
        want |= VIRTIO_NET_F_MTU;
    return offered & want;
}

void vnet_read_link(struct virtio_net *n)
{
    n->link_up = !(n->features & VIRTIO_NET_F_STATUS) ||
                 (vpci_in16(&n->pci, vpci_config(&n->pci) + VNET_CFG_STATUS) &
                  VIRTIO_NET_S_LINK_UP);
}

static void read_mac(struct virtio_net *n)
{
    if (!(n->features & VIRTIO_NET_F_MAC)) {
        const uint8_t mac[6] = { VNET_FALLBACK_MAC0, VNET_FALLBACK_MAC1,
                                 VNET_FALLBACK_MAC2, 0xff,
                                 (uint8_t)(n->pci.bdf >> 8), (uint8_t)n->pci.bdf };
        memcpy(n->mac, mac, sizeof(mac));
        return;
    }
    for (unsigned i = 0; i < 6; i++)
        n->mac[i] = vpci_in8(&n->pci, vpci_config(&n->pci) + VNET_CFG_MAC + i);
}

static void negotiate(struct virtio_net *n)
{
    uint32_t offered = vpci_in32(&n->pci, VIRTIO_PCI_HOST_FEATURES);
    uint16_t dev_mtu = 0;

    if (offered & VIRTIO_NET_F_MTU)
        dev_mtu = vpci_in16(&n->pci, vpci_config(&n->pci) + VNET_CFG_MTU);
    n->features = vnet_choose_features(offered, dev_mtu);
    vpci_out32(&n->pci, VIRTIO_PCI_GUEST_FEATURES, n->features);
    n->mtu = (n->features & VIRTIO_NET_F_MTU) ? dev_mtu : VIRTIO_NET_MTU_DEFAULT;
    n->segs = (n->features & VIRTIO_F_ANY_LAYOUT) ? 1 : 2;
    n->slot = (VNET_HDR_LEN + VIRTIO_NET_FRAME_MAX(n->mtu) + VNET_SLOT_ALIGN - 1) &
              ~(VNET_SLOT_ALIGN - 1);
    read_mac(n);
    vnet_read_link(n);
}

/* Queue `index`: its ring and its buffers.  0 or -KEEL_E*. */
static long setup_queue(struct virtio_net *n, unsigned index,
                        struct virtqueue *q, struct vnet_pool *pool)
{
    long rc = vdev_setup_queue(&n->pci, index, VNET_BUFS_MAX, q);

    if (rc)
        return rc;
    return vpci_dma_alloc(vdev_pages((size_t)q->ndesc * n->slot),
                          (void **)&pool->va, &pool->maddr);
}

static void set_status(struct virtio_net *n, uint8_t bits)
{
    vdev_set_status(&n->pci, bits);
}

static long bring_up(struct virtio_net *n)
{
    const uint8_t known = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    long rc;

    vdev_begin(&n->pci);
    negotiate(n);
    if ((rc = setup_queue(n, VNET_QUEUE_RX, &n->rx, &n->rx_buf)) ||
        (rc = setup_queue(n, VNET_QUEUE_TX, &n->tx, &n->tx_buf)))
        return rc;
    /* sent buffers are reclaimed when we send or poll; an interrupt is
     * asked for only when the queue fills (virtio_net_io.c) */
    vq_want_interrupts(&n->tx, false);
    long port = vdev_bind_interrupt(&n->pci, 2);
    n->port = port > 0 ? (keel_evtchn_port_t)port : 0;   /* 0: poll */
    set_status(n, known | VIRTIO_STATUS_DRIVER_OK);
    vnet_fill_rx(n);
    return 0;
}

long virtio_net_attach(uint32_t bdf, virtio_net_rx_fn rx, void *ctx,
                       struct virtio_net **out)
{
    struct virtio_net *n = calloc(1, sizeof(*n));
    long rc;

    if (!n)
        return -KEEL_ENOMEM;
    n->rx_fn = rx;
    n->rx_ctx = ctx;
    if ((rc = vpci_open(&n->pci, bdf)))
        goto fail;
    if ((rc = bring_up(n))) {
        vdev_fail(&n->pci);
        goto fail;
    }
    *out = n;
    return 0;
fail:
    free(n->rx.in_flight);
    free(n->tx.in_flight);
    free(n);
    return rc;
}

void virtio_net_mac(const struct virtio_net *n, uint8_t mac[6])
{
    memcpy(mac, n->mac, 6);
}

unsigned virtio_net_mtu(const struct virtio_net *n)
{
    return n->mtu;
}

bool virtio_net_link_up(const struct virtio_net *n)
{
    return n->link_up;
}

uint32_t virtio_net_features(const struct virtio_net *n)
{
    return n->features;
}

keel_evtchn_port_t virtio_net_port(const struct virtio_net *n)
{
    return n->port;
}

void virtio_net_counters(const struct virtio_net *n,
                         struct virtio_net_counters *out)
{
    *out = n->c;
}

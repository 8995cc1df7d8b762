/*
 * Bring-up steps every legacy virtio driver shares (virtio_dev.h).
 */
#include <stdlib.h>
#include <keel/abi.h>
#include "virtio_dev.h"

/* One vector for the queues and configuration changes: an event is a
 * look at every queue anyway.  Bound before the reset (which keeps MSI-X
 * on), so that the configuration is at its final place from the start. */
void vdev_begin(struct vpci *d)
{
    if (!d->msix_port) {
        long port = vpci_bind_msix(d, 0);
        d->msix_port = port > 0 ? (uint32_t)port : 0;
    }
    vdev_set_status(d, 0);                      /* reset */
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

static int usable_size(uint16_t size)
{
    return size && !(size & (size - 1)) && size <= VQ_SIZE_MAX;
}

long vdev_setup_queue(const struct vpci *d, unsigned index, uint16_t ndesc_max,
                      struct virtqueue *q)
{
    void *ring;
    uint64_t ring_maddr;
    uint8_t *in_flight;
    long rc;

    vpci_out16(d, VIRTIO_PCI_QUEUE_SEL, (uint16_t)index);
    uint16_t size = vpci_in16(d, VIRTIO_PCI_QUEUE_NUM);
    uint16_t ndesc = size < ndesc_max ? size : ndesc_max;
    if (!usable_size(size))
        return -KEEL_EIO;
    if ((rc = vpci_dma_alloc(vdev_pages(vq_bytes(size)), &ring, &ring_maddr)))
        return rc;
    if (!(in_flight = malloc(size)))
        return -KEEL_ENOMEM;
    vq_init(q, ring, in_flight, size, ndesc);    /* size checked above */
    vpci_out32(d, VIRTIO_PCI_QUEUE_PFN, (uint32_t)(ring_maddr >> 12));
    if (vpci_in32(d, VIRTIO_PCI_QUEUE_PFN) != (uint32_t)(ring_maddr >> 12))
        return -KEEL_EIO;          /* the ring lies beyond the PFN's 44 bits */
    return 0;
}

/* The device answers VIRTIO_MSI_NO_VECTOR for an entry it cannot use. */
static long vector_set(const struct vpci *d, unsigned reg)
{
    vpci_out16(d, reg, 0);
    return vpci_in16(d, reg) == 0 ? 0 : -KEEL_EIO;
}

long vdev_bind_interrupt(const struct vpci *d, unsigned nqueues)
{
    long rc;

    if (!d->msix_port)
        return vpci_bind_irq(d);
    if ((rc = vector_set(d, VIRTIO_MSI_CONFIG_VECTOR)))
        return rc;
    for (unsigned q = 0; q < nqueues; q++) {
        vpci_out16(d, VIRTIO_PCI_QUEUE_SEL, (uint16_t)q);
        if ((rc = vector_set(d, VIRTIO_MSI_QUEUE_VECTOR)))
            return rc;
    }
    return d->msix_port;
}

void vdev_fail(const struct vpci *d)
{
    vdev_set_status(d, 0);
    vdev_set_status(d, VIRTIO_STATUS_FAILED);
}

/*
 * What every legacy virtio driver does the same way, over virtio_pci.h's
 * door (so it runs on the host against the fake device too): the status
 * byte and a queue's ring.  virtio-net and virtio-blk differ only in their
 * features, configuration and buffers.
 */
#ifndef DRIVERS_VIRTIO_DEV_H
#define DRIVERS_VIRTIO_DEV_H

#include <stddef.h>
#include <stdint.h>
#include "virtio_pci.h"
#include "virtqueue.h"

static inline uint32_t vdev_pages(size_t bytes)
{
    return (uint32_t)((bytes + 4095) / 4096);
}

static inline void vdev_set_status(const struct vpci *d, uint8_t bits)
{
    vpci_out8(d, VIRTIO_PCI_STATUS, bits);
}

/* MSI-X entry 0 bound when the function has MSI-X (d->msix_port; the
 * configuration moves to 24 from now on), then reset, ACKNOWLEDGE, DRIVER
 * (virtio 1.x, 3.1.2; a legacy device has no FEATURES_OK): the caller
 * negotiates next. */
void vdev_begin(struct vpci *d);

/* The interrupt, once the nqueues queues are set up: with MSI-X every
 * queue and configuration change on entry 0 (a reset forgets them), else
 * the INTx line.  Its port (> 0), or -KEEL_E* (the caller polls). */
long vdev_bind_interrupt(const struct vpci *d, unsigned nqueues);

/* Queue `index`: its size from the device (a power of two, else
 * -KEEL_EIO), a ring in contiguous DMA pages at QUEUE_PFN, in_flight
 * malloc'd (q->in_flight: free it on failure), at most ndesc_max usable
 * heads.  0 or -KEEL_E*. */
long vdev_setup_queue(const struct vpci *d, unsigned index, uint16_t ndesc_max,
                      struct virtqueue *q);

/* Give the device up after a failed bring-up: reset (it drops the rings),
 * then FAILED. */
void vdev_fail(const struct vpci *d);

#endif /* DRIVERS_VIRTIO_DEV_H */

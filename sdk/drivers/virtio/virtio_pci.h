/*
 * The virtio drivers' only door to their device and the hypervisor: a lent
 * PCI function (keel/pci.h) driven through the legacy virtio interface
 * (virtio 1.x, 4.1.4.8 "Legacy Interfaces: A Note on PCI Device Layout").
 *
 * Every register access, DMA allocation and interrupt call goes through
 * these functions (virtio_pci.c), so the drivers above them run on the
 * host against a fake device that defines the same functions
 * (tests/unit/drivers_fakedev.h).
 *
 * Why legacy: docs/net.md, "dom0's NIC driver".
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdint.h>

#define VIRTIO_PCI_VENDOR        0x1af4u
#define VIRTIO_PCI_LEGACY_FIRST  0x1000u   /* transitional device ids */
#define VIRTIO_PCI_LEGACY_LAST   0x103fu
#define VIRTIO_ID_NET            1u        /* subsystem device ids */
#define VIRTIO_ID_BLOCK          2u

/* registers of the legacy I/O BAR (BAR 0) */
#define VIRTIO_PCI_HOST_FEATURES  0    /* 32 bits, read-only */
#define VIRTIO_PCI_GUEST_FEATURES 4    /* 32 bits */
#define VIRTIO_PCI_QUEUE_PFN      8    /* 32 bits: ring address >> 12 */
#define VIRTIO_PCI_QUEUE_NUM      12   /* 16 bits, read-only: its size */
#define VIRTIO_PCI_QUEUE_SEL      14   /* 16 bits */
#define VIRTIO_PCI_QUEUE_NOTIFY   16   /* 16 bits: queue index */
#define VIRTIO_PCI_STATUS         18   /* 8 bits */
#define VIRTIO_PCI_ISR            19   /* 8 bits, reading clears it */
/* The device-specific configuration follows at 20, or with MSI-X enabled
 * at 24, after the two vector registers (vpci_config). */
#define VIRTIO_PCI_CONFIG         20
#define VIRTIO_MSI_CONFIG_VECTOR  20   /* 16 bits: configuration changes' entry */
#define VIRTIO_MSI_QUEUE_VECTOR   22   /* 16 bits: the selected queue's entry */
#define VIRTIO_PCI_CONFIG_MSIX    24

#define VIRTIO_PCI_ISR_QUEUE      1u
#define VIRTIO_PCI_ISR_CONFIG     2u

/* status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER      2u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_FAILED      128u

/* transport features (the device-type features are the driver's) */
#define VIRTIO_F_NOTIFY_ON_EMPTY  (1u << 24)
#define VIRTIO_F_ANY_LAYOUT       (1u << 27)
#define VIRTIO_RING_F_INDIRECT_DESC (1u << 28)
#define VIRTIO_RING_F_EVENT_IDX   (1u << 29)

struct vpci {
    uint32_t bdf;
    uint16_t io;               /* the legacy I/O BAR's first port */
    uint32_t msix_port;        /* MSI-X entry 0's port; 0: none (INTx) */
};

/* Where the device-specific configuration starts. */
static inline unsigned vpci_config(const struct vpci *d)
{
    return d->msix_port ? VIRTIO_PCI_CONFIG_MSIX : VIRTIO_PCI_CONFIG;
}

/* Privileged: the first function LIST shows that is a legacy (or
 * transitional) virtio device of this type and nobody owns, ASSIGNed to
 * the caller.  0 and *bdf, -KEEL_ENODEV when there is none, -KEEL_E*. */
long vpci_find_and_take(uint32_t type, uint32_t *bdf);

/* The owner: find the legacy I/O BAR (-KEEL_ENODEV: a modern-only
 * device), turn on port and memory decoding and bus mastering, INTx on. */
long vpci_open(struct vpci *d, uint32_t bdf);

uint8_t vpci_in8(const struct vpci *d, unsigned reg);
uint16_t vpci_in16(const struct vpci *d, unsigned reg);
uint32_t vpci_in32(const struct vpci *d, unsigned reg);
void vpci_out8(const struct vpci *d, unsigned reg, uint8_t v);
void vpci_out16(const struct vpci *d, unsigned reg, uint16_t v);
void vpci_out32(const struct vpci *d, unsigned reg, uint32_t v);

/* npages zeroed, machine-contiguous pages for the device: where we see
 * them (*va) and where the device does (*maddr).  0 or -KEEL_E*. */
long vpci_dma_alloc(uint32_t npages, void **va, uint64_t *maddr);

/* The function's INTx as an event channel port (> 0), or -KEEL_E*. */
long vpci_bind_irq(const struct vpci *d);
/* MSI-X table entry `entry` as an event channel port (> 0), or -KEEL_E*
 * (-KEEL_ENODEV: no MSI-X; keel/pci.h BIND_MSIX).  The hypervisor enables
 * MSI-X with the first entry: the configuration moves (vpci_config). */
long vpci_bind_msix(const struct vpci *d, unsigned entry);
/* The device has dropped its line (ISR read): let the next one in.
 * Nothing to do with MSI-X (an edge). */
long vpci_irq_ack(const struct vpci *d);

#endif /* DRIVERS_VIRTIO_PCI_H */

/*
 * Legacy virtio over a lent PCI function (virtio_pci.h): KEEL_HC_PCI_OP for
 * the function and its memory, ring-3 port I/O for its registers (the
 * hypervisor opened exactly its I/O BAR's ports in our I/O bitmap; any
 * other port would be a #GP).
 */
#include <keel/abi.h>
#include <keel/pci.h>
#include <libos/hypercall.h>
#include "virtio_pci.h"

#define PCI_COMMAND          0x04
#define PCI_COMMAND_IO       0x1u
#define PCI_COMMAND_MEMORY   0x2u
#define PCI_COMMAND_MASTER   0x4u
#define PCI_COMMAND_NO_INTX  0x400u
#define PCI_BAR0             0x10
#define PCI_BAR_IS_IO        0x1u

static long pci_op(uint32_t cmd, struct keel_pci_op *op)
{
    return keel_hypercall2(KEEL_HC_PCI_OP, cmd, (uint64_t)(uintptr_t)op);
}

static int is_ours_to_take(const struct keel_pci_info *f, uint32_t type)
{
    return f->vendor == VIRTIO_PCI_VENDOR &&
           f->device >= VIRTIO_PCI_LEGACY_FIRST &&
           f->device <= VIRTIO_PCI_LEGACY_LAST &&
           f->subsys_device == type &&
           !(f->flags & (KEEL_PCI_F_KEPT | KEEL_PCI_F_ASSIGNED));
}

long vpci_find_and_take(uint32_t type, uint32_t *bdf)
{
    for (uint32_t i = 0;; i++) {
        struct keel_pci_op op = { .index = i };
        long rc = pci_op(KEEL_PCIOP_LIST, &op);
        if (rc == -KEEL_ENOENT)
            return -KEEL_ENODEV;
        if (rc < 0)
            return rc;
        if (!is_ours_to_take(&op.info, type))
            continue;
        struct keel_pci_op take = { .bdf = op.info.bdf, .domid = KEEL_DOMID_SELF };
        if ((rc = pci_op(KEEL_PCIOP_ASSIGN, &take)) == -KEEL_EBUSY)
            continue;              /* taken since LIST: look further */
        if (rc == 0)
            *bdf = op.info.bdf;
        return rc;
    }
}

static long cfg_read(uint32_t bdf, uint32_t off, uint32_t size, uint32_t *v)
{
    struct keel_pci_op op = { .bdf = bdf, .offset = off, .size = size };
    long rc = pci_op(KEEL_PCIOP_CFG_READ, &op);

    *v = op.value;
    return rc;
}

static long cfg_write(uint32_t bdf, uint32_t off, uint32_t size, uint32_t v)
{
    struct keel_pci_op op = { .bdf = bdf, .offset = off, .size = size, .value = v };

    return pci_op(KEEL_PCIOP_CFG_WRITE, &op);
}

long vpci_open(struct vpci *d, uint32_t bdf)
{
    uint32_t bar, cmd;
    long rc;

    if ((rc = cfg_read(bdf, PCI_BAR0, 4, &bar)) < 0)
        return rc;
    if (!(bar & PCI_BAR_IS_IO) || !(bar & ~3u))
        return -KEEL_ENODEV;       /* modern-only: no legacy registers */
    if ((rc = cfg_read(bdf, PCI_COMMAND, 2, &cmd)) < 0)
        return rc;
    /* memory too, though legacy virtio uses ports: the hypervisor writes
     * the MSI-X table through it, and would otherwise turn decoding on and
     * off around each write (each change remaps QEMU's address spaces) */
    cmd = (cmd & ~PCI_COMMAND_NO_INTX) | PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
          PCI_COMMAND_MASTER;
    if ((rc = cfg_write(bdf, PCI_COMMAND, 2, cmd)) < 0)
        return rc;
    *d = (struct vpci){ .bdf = bdf, .io = (uint16_t)(bar & ~3u) };
    return 0;
}

#define PORT_ACCESSORS(bits, sfx)                                              \
    uint##bits##_t vpci_in##bits(const struct vpci *d, unsigned reg)           \
    {                                                                          \
        uint##bits##_t v;                                                      \
        uint16_t port = (uint16_t)(d->io + reg);                               \
        __asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port) : "memory"); \
        return v;                                                              \
    }                                                                          \
    void vpci_out##bits(const struct vpci *d, unsigned reg, uint##bits##_t v)  \
    {                                                                          \
        uint16_t port = (uint16_t)(d->io + reg);                               \
        __asm__ volatile("out" #sfx " %0, %1" :: "a"(v), "Nd"(port) : "memory"); \
    }
PORT_ACCESSORS(8, b)
PORT_ACCESSORS(16, w)
PORT_ACCESSORS(32, l)

long vpci_dma_alloc(uint32_t npages, void **va, uint64_t *maddr)
{
    struct keel_pci_op op = { .npages = npages };
    long rc = pci_op(KEEL_PCIOP_DMA_ALLOC, &op);

    if (rc == 0) {
        *va = (void *)(uintptr_t)op.va;
        *maddr = op.maddr;
    }
    return rc;
}

long vpci_bind_irq(const struct vpci *d)
{
    struct keel_pci_op op = { .bdf = d->bdf };

    return pci_op(KEEL_PCIOP_BIND_IRQ, &op);
}

long vpci_bind_msix(const struct vpci *d, unsigned entry)
{
    struct keel_pci_op op = { .bdf = d->bdf, .index = entry };

    return pci_op(KEEL_PCIOP_BIND_MSIX, &op);
}

long vpci_irq_ack(const struct vpci *d)
{
    struct keel_pci_op op = { .bdf = d->bdf };

    if (d->msix_port)
        return 0;
    return pci_op(KEEL_PCIOP_IRQ_ACK, &op);
}

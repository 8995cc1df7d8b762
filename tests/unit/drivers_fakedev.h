/*
 * A fake legacy virtio-net PCI function for the driver's host tests: it
 * defines virtio_pci.h's functions (registers, DMA, interrupt) over plain
 * memory, and plays the device's side of the rings when the test says so
 * (fake_rx: a frame arrives; fake_tx: the device sends what is queued;
 * a block device's tests walk the chains themselves with fake_ring).
 * Machine addresses are offsets into one arena from FAKE_MADDR, so ring
 * PFNs fit the legacy 32-bit register.  Include virtqueue.c first.
 */
#ifndef DRIVERS_FAKEDEV_H
#define DRIVERS_FAKEDEV_H

#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include "../../sdk/drivers/virtio/virtio_pci.h"

#define FAKE_MADDR      0x10000000ull
#define FAKE_ARENA      (8u << 20)
#define FAKE_BDF        0x18u          /* 00:03.0 */
#define FAKE_PORT       7u

static struct fakedev {
    uint32_t host_features, guest_features;
    uint8_t status, isr;
    uint8_t status_log[8];
    unsigned nstatus;
    uint16_t sel, qsize[2], dev_avail[2];
    uint32_t pfn[2];
    uint8_t status_at_pfn[2], status_at_notify;
    unsigned notifies[2], irq_acks;
    uint8_t cfg[64];                   /* net: mac[6], status, pairs, mtu;
                                          blk: capacity, size_max, ..., blk_size,
                                          ..., max_discard_sectors, _seg, align */
    long open_rc, bind_rc, dma_rc;
    long msix_rc;                      /* BIND_MSIX: a port, or no MSI-X */
    unsigned msix_binds;
    uint16_t config_vector, queue_vector[2];   /* with MSI-X */
    uint8_t *arena;
    size_t used;
} fd;

static void fake_reset(void)
{
    uint8_t *arena = fd.arena ? fd.arena : aligned_alloc(4096, FAKE_ARENA);

    memset(&fd, 0, sizeof(fd));
    fd.arena = arena;
    fd.qsize[0] = fd.qsize[1] = 256;
    fd.bind_rc = FAKE_PORT;
    fd.msix_rc = -KEEL_ENODEV;
    fd.config_vector = fd.queue_vector[0] = fd.queue_vector[1] = 0xffff;
    const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    memcpy(fd.cfg, mac, 6);
}

static void *fake_va(uint64_t maddr)
{
    return fd.arena + (maddr - FAKE_MADDR);
}

long vpci_find_and_take(uint32_t type, uint32_t *bdf)
{
    if (type != VIRTIO_ID_NET && type != VIRTIO_ID_BLOCK)
        return -KEEL_ENODEV;
    *bdf = FAKE_BDF;
    return 0;
}

long vpci_open(struct vpci *d, uint32_t bdf)
{
    *d = (struct vpci){ .bdf = bdf, .io = 0xc000 };
    return fd.open_rc;
}

uint8_t vpci_in8(const struct vpci *d, unsigned reg)
{
    (void)d;
    if (reg == VIRTIO_PCI_ISR) {
        uint8_t v = fd.isr;
        fd.isr = 0;
        return v;
    }
    if (reg != VIRTIO_PCI_STATUS && reg < vpci_config(d))
        abort();                        /* a vector register as config */
    return reg == VIRTIO_PCI_STATUS ? fd.status : fd.cfg[reg - vpci_config(d)];
}

/* With MSI-X the vector registers sit where the configuration was. */
static uint16_t *fake_vector(const struct vpci *d, unsigned reg)
{
    if (!d->msix_port || reg >= VIRTIO_PCI_CONFIG_MSIX || reg < VIRTIO_MSI_CONFIG_VECTOR)
        return NULL;
    if (reg == VIRTIO_MSI_CONFIG_VECTOR)
        return &fd.config_vector;
    return fd.sel < 2 ? &fd.queue_vector[fd.sel] : NULL;
}

uint16_t vpci_in16(const struct vpci *d, unsigned reg)
{
    if (reg == VIRTIO_PCI_QUEUE_NUM)
        return fd.sel < 2 ? fd.qsize[fd.sel] : 0;
    if (fake_vector(d, reg))
        return *fake_vector(d, reg);
    return (uint16_t)(vpci_in8(d, reg) | vpci_in8(d, reg + 1) << 8);
}

uint32_t vpci_in32(const struct vpci *d, unsigned reg)
{
    uint32_t v;

    if (reg >= vpci_config(d)) {
        memcpy(&v, &fd.cfg[reg - vpci_config(d)], 4);
        return v;
    }
    return reg == VIRTIO_PCI_HOST_FEATURES ? fd.host_features : fd.pfn[fd.sel & 1];
}

void vpci_out8(const struct vpci *d, unsigned reg, uint8_t v)
{
    (void)d;
    if (reg != VIRTIO_PCI_STATUS)
        abort();
    fd.status = v;
    if (fd.nstatus < sizeof(fd.status_log))
        fd.status_log[fd.nstatus++] = v;
    if (v == 0) {                       /* reset */
        memset(fd.pfn, 0, sizeof(fd.pfn));
        fd.config_vector = fd.queue_vector[0] = fd.queue_vector[1] = 0xffff;
    }
}

void vpci_out16(const struct vpci *d, unsigned reg, uint16_t v)
{
    if (fake_vector(d, reg))
        *fake_vector(d, reg) = v;
    else if (reg == VIRTIO_PCI_QUEUE_SEL)
        fd.sel = v;
    else if (reg == VIRTIO_PCI_QUEUE_NOTIFY && v < 2) {
        fd.notifies[v]++;
        fd.status_at_notify |= (uint8_t)~fd.status;   /* bits ever missing */
    } else
        abort();
}

void vpci_out32(const struct vpci *d, unsigned reg, uint32_t v)
{
    (void)d;
    if (reg == VIRTIO_PCI_GUEST_FEATURES)
        fd.guest_features = v;
    else if (reg == VIRTIO_PCI_QUEUE_PFN && fd.sel < 2) {
        fd.pfn[fd.sel] = v;
        fd.status_at_pfn[fd.sel] = fd.status;
    } else
        abort();
}

long vpci_dma_alloc(uint32_t npages, void **va, uint64_t *maddr)
{
    size_t bytes = (size_t)npages * 4096;

    if (fd.dma_rc || fd.used + bytes > FAKE_ARENA)
        return fd.dma_rc ? fd.dma_rc : -KEEL_ENOMEM;
    *va = fd.arena + fd.used;
    *maddr = FAKE_MADDR + fd.used;
    memset(*va, 0, bytes);
    fd.used += bytes;
    return 0;
}

long vpci_bind_irq(const struct vpci *d)
{
    (void)d;
    return fd.bind_rc;
}

long vpci_bind_msix(const struct vpci *d, unsigned entry)
{
    (void)d;
    if (entry != 0)
        abort();                        /* the drivers use one vector */
    fd.msix_binds++;
    return fd.msix_rc;
}

long vpci_irq_ack(const struct vpci *d)
{
    if (!d->msix_port)
        fd.irq_acks++;
    return 0;
}

/* The device's view of queue i: the ring's parts, where the legacy
 * layout puts them (used_offset: virtqueue.c, included before us). */
static struct virtqueue fake_ring(unsigned i)
{
    uint8_t *base = fake_va((uint64_t)fd.pfn[i] << 12);

    return (struct virtqueue){
        .desc = (struct vring_desc *)base,
        .avail = (struct vring_avail *)(base + 16u * fd.qsize[i]),
        .used = (struct vring_used *)(base + used_offset(fd.qsize[i])),
        .size = fd.qsize[i],
    };
}

static unsigned fake_posted(unsigned i)
{
    struct virtqueue q = fake_ring(i);
    return (uint16_t)(q.avail->idx - fd.dev_avail[i]);
}

/* The device takes the next buffer of queue i and copies between it and
 * flat[len] (into it when to_ring); returns its head, -1 if none. */
static inline int fake_take(unsigned i, uint8_t *flat, size_t *len, int to_ring)
{
    struct virtqueue q = fake_ring(i);
    if (fd.dev_avail[i] == q.avail->idx)
        return -1;
    uint16_t head = q.avail->ring[fd.dev_avail[i]++ % q.size], d = head;
    size_t off = 0;
    for (;;) {
        struct vring_desc *e = &q.desc[d];
        size_t n = to_ring ? (*len - off < e->len ? *len - off : e->len) : e->len;
        if (to_ring != !!(e->flags & VRING_DESC_F_WRITE))
            abort();                    /* the driver got a direction wrong */
        if (to_ring)
            memcpy(fake_va(e->addr), flat + off, n);
        else
            memcpy(flat + off, fake_va(e->addr), n);
        off += n;
        if (!(e->flags & VRING_DESC_F_NEXT))
            break;
        d = e->next;
    }
    if (!to_ring)
        *len = off;
    return head;
}

static void fake_use(unsigned i, int head, uint32_t len)
{
    struct virtqueue q = fake_ring(i);
    q.used->ring[q.used->idx % q.size] = (struct vring_used_elem){ (uint32_t)head, len };
    __atomic_store_n(&q.used->idx, (uint16_t)(q.used->idx + 1), __ATOMIC_RELEASE);
    if (!(q.avail->flags & VRING_AVAIL_F_NO_INTERRUPT))
        fd.isr |= VIRTIO_PCI_ISR_QUEUE;
}

/* A frame arrives (the device writes the 10-byte header first); reported
 * length `len_override` when not 0.  0, or -1 when no buffer was posted. */
static inline int fake_rx(const void *frame, size_t len, uint32_t len_override)
{
    uint8_t flat[10 + 4096] = { 0 };
    size_t n = 10 + len;
    memcpy(flat + 10, frame, len);
    int head = fake_take(0, flat, &n, 1);
    if (head < 0)
        return -1;
    fake_use(0, head, len_override ? len_override : (uint32_t)(10 + len));
    return 0;
}

/* The device sends the next queued frame into frame[] (header checked
 * and stripped); its length, or -1 when nothing is queued. */
static inline long fake_tx(uint8_t *frame)
{
    uint8_t flat[10 + 4096];
    size_t n = 0;
    int head = fake_take(1, flat, &n, 0);
    static const uint8_t zero[10];
    if (head < 0)
        return -1;
    if (n < 10 || memcmp(flat, zero, 10))
        abort();                        /* a header asking for offloads */
    memcpy(frame, flat + 10, n - 10);
    fake_use(1, head, 0);
    return (long)(n - 10);
}

#endif /* DRIVERS_FAKEDEV_H */

/*
 * hv-devices, dom0's virtio-net (t_pci.c has the plan): port I/O to its
 * legacy BAR, its modern BAR mapped and read, DMA pages and TRANSLATE,
 * and its interrupt: one frame on the legacy TX queue, the used-buffer
 * interrupt as an event on the PIRQ port, acknowledged; masked, the next
 * one waits for IRQ_UNMASK.
 */
#include "t_pci.h"
#include "t_evtchn_lib.h"

#define VENDOR_CAP        0x09
#define VIRTIO_CFG_DEVICE 4
#define FRAME_BYTES       (10 + 60)    /* legacy virtio_net_hdr + frame */

static uint16_t io;
long t_net_intx_port;
static uint8_t mac[6];
static uint64_t static_buf[512] __attribute__((aligned(4096)));

static void port_io(void)
{
    io = (uint16_t)t_net.bar[0].base;
    CHECK(io >= KEEL_PCI_IO_MIN);
    CHECK(io_inl(io + VIRTIO_HOST_FEATURES) & VIRTIO_NET_F_MAC);
    for (unsigned i = 0; i < 6; i++)
        mac[i] = io_inb((uint16_t)(io + VIRTIO_NET_MAC + i));
    CHECK_EQ(mac[0], 0x52);
    CHECK_EQ(mac[5], 0x56);
}

static long map_bar(uint32_t bar, uint64_t *va)
{
    struct keel_pci_op op = { .bdf = t_net.bdf, .index = bar };
    long rc = pciop(KEEL_PCIOP_MAP_BAR, &op);

    *va = op.va;
    return rc;
}

static long unmap_bar(uint32_t bar)
{
    struct keel_pci_op op = { .bdf = t_net.bdf, .index = bar };

    return pciop(KEEL_PCIOP_UNMAP_BAR, &op);
}

static long translate(uint64_t va, uint64_t *maddr, uint64_t *contig)
{
    struct keel_pci_op op = { .va = va };
    long rc = pciop(KEEL_PCIOP_TRANSLATE, &op);

    *maddr = op.maddr;
    *contig = op.contig;
    return rc;
}

/* The modern device configuration (vendor capability type 4) holds the MAC
 * the legacy BAR showed. */
static void mmio(void)
{
    uint32_t cap = 0, type = 0, bar = 0, off = 0;
    uint64_t va = 0, va2 = 0, m, c;

    while ((cap = t_find_cap(t_net.bdf, VENDOR_CAP, cap)) &&
           (pci_cfg_rd(t_net.bdf, cap + 3, 1, &type), type != VIRTIO_CFG_DEVICE))
        ;
    CHECK(cap != 0);
    pci_cfg_rd(t_net.bdf, cap + 4, 1, &bar);
    pci_cfg_rd(t_net.bdf, cap + 8, 4, &off);
    CHECK_EQ(t_net.bar[bar].type & 0xf, KEEL_PCI_BAR_MEM64);
    CHECK_EQ(map_bar(bar, &va), 0);
    CHECK_EQ(va, KEEL_PCI_MMIO_VA + (t_net_index * 8 + bar) * KEEL_PCI_BAR_MAP_MAX);
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ(((volatile uint8_t *)(va + off))[i], mac[i]);
    CHECK_EQ(map_bar(bar, &va2), -KEEL_EEXIST);
    CHECK_EQ(map_bar(0, &va2), -KEEL_EINVAL);          /* I/O BAR */
    CHECK_EQ(map_bar(6, &va2), -KEEL_EINVAL);
    CHECK_EQ(hc(KEEL_HC_CONSOLE_WRITE, KEEL_CONSOLE_STDOUT, (long)va, 8), -KEEL_EFAULT);
    CHECK_EQ(translate(va, &m, &c), -KEEL_EACCES);
    CHECK_EQ(unmap_bar(bar), 0);
    CHECK_EQ(unmap_bar(bar), -KEEL_ENOENT);
    CHECK_EQ(map_bar(bar, &va2), 0);
    CHECK_EQ(va2, va);
    CHECK_EQ(((volatile uint8_t *)(va2 + off))[0], mac[0]);
}

static long dma_alloc(uint64_t npages, uint64_t *va, uint64_t *maddr)
{
    struct keel_pci_op op = { .npages = npages };
    long rc = pciop(KEEL_PCIOP_DMA_ALLOC, &op);

    *va = op.va;
    *maddr = op.maddr;
    return rc;
}

static void dma(void)
{
    uint64_t va, maddr, m, c;
    struct keel_pci_op op;

    CHECK_EQ(dma_alloc(0, &va, &maddr), -KEEL_EINVAL);
    CHECK_EQ(dma_alloc(KEEL_PCI_DMA_CHUNK_MAX + 1, &va, &maddr), -KEEL_EINVAL);
    CHECK_EQ(dma_alloc(3, &va, &maddr), 0);
    CHECK_EQ(va, KEEL_PCI_DMA_VA);
    CHECK(maddr != 0 && maddr % 4096 == 0);
    CHECK_EQ(translate(va + 4096 + 5, &m, &c), 0);
    CHECK_EQ(m, maddr + 4096 + 5);
    CHECK_EQ(c, 2 * 4096 - 5);
    CHECK_EQ(translate((uint64_t)static_buf + 8, &m, &c), 0);
    CHECK(m % 4096 == 8 && c >= 4096 - 8);
    CHECK_EQ(translate(KEEL_SHARED_INFO_VA, &m, &c), -KEEL_EACCES);
    CHECK_EQ(translate(0, &m, &c), -KEEL_EFAULT);
    CHECK_EQ(translate(KEEL_USER_VA_END, &m, &c), -KEEL_EFAULT);
    op = (struct keel_pci_op){ .va = va, .index = 1 };   /* unused by TRANSLATE */
    CHECK_EQ(pciop(KEEL_PCIOP_TRANSLATE, &op), -KEEL_EINVAL);
}

/* Legacy split virtqueue, 4096-aligned used ring. */
struct vring {
    volatile uint64_t *desc;          /* 16 bytes each: addr, len/flags/next */
    volatile uint16_t *avail;         /* flags, idx, ring[] */
    volatile uint16_t *used;          /* flags, idx, ring[] (8 bytes each) */
    uint8_t *frame;
    uint64_t frame_maddr;
};

static struct vring tx;

/* Reset, the TX queue on fresh DMA pages, DRIVER_OK. */
void t_pci_tx_setup(void)
{
    uint64_t va, maddr, q, used_off, pages;

    io_outb(io + VIRTIO_STATUS, 0);                    /* reset */
    io_outb(io + VIRTIO_STATUS, 1 | 2);                /* ACK, DRIVER */
    io_outl(io + VIRTIO_GUEST_FEATURES, 0);
    io_outw(io + VIRTIO_QUEUE_SEL, 1);                 /* TX */
    q = io_inw(io + VIRTIO_QUEUE_NUM);
    CHECK(q >= 1 && q <= 1024);
    used_off = (16 * q + 6 + 2 * q + 4095) & ~4095ull;
    pages = (used_off + 6 + 8 * q + 4095) / 4096;
    CHECK_EQ(dma_alloc(pages + 1, &va, &maddr), 0);
    tx.desc = (volatile uint64_t *)va;
    tx.avail = (volatile uint16_t *)(va + 16 * q);
    tx.used = (volatile uint16_t *)(va + used_off);
    tx.frame = (uint8_t *)(va + pages * 4096);
    tx.frame_maddr = maddr + pages * 4096;
    io_outl(io + VIRTIO_QUEUE_PFN, (uint32_t)(maddr >> 12));
    io_outb(io + VIRTIO_STATUS, 1 | 2 | 4);            /* DRIVER_OK */
    memset(tx.frame, 0xff, 16);                        /* hdr 0: below */
    memset(tx.frame, 0, 10);
    memcpy(tx.frame + 16, mac, 6);
    tx.frame[22] = 0x88;                               /* local experimental */
    tx.frame[23] = 0xb5;
    tx.desc[0] = tx.frame_maddr;
    tx.desc[1] = FRAME_BYTES;                          /* len; flags, next 0 */
}

/* Frame number n (1, 2, ...) on the queue; how many the device used. */
uint16_t t_pci_tx_used(void)
{
    return tx.used[1];
}

void t_pci_tx_send(uint16_t n)
{
    tx.avail[2 + (n - 1) % 256] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    tx.avail[1] = n;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    io_outw(io + VIRTIO_QUEUE_NOTIFY, 1);
}

static void interrupt(void)
{
    struct keel_evtchn_op st;
    long port = pci_bdf_op(KEEL_PCIOP_BIND_IRQ, t_net.bdf);

    CHECK(port > 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_BIND_IRQ, t_net.bdf), -KEEL_EEXIST);
    CHECK_EQ(ev_status((uint32_t)port, &st), 0);
    CHECK_EQ(st.state, KEEL_EVTCHNSTAT_PIRQ);
    CHECK_EQ(ev_send((uint32_t)port), -KEEL_EINVAL);
    t_pci_tx_setup();
    t_pci_tx_send(1);
    CHECK_EQ(ev_wait((uint32_t)port, 5000), 0);
    CHECK(io_inb(io + VIRTIO_ISR) & 1);                /* drops the line */
    CHECK_EQ(tx.used[1], 1);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, t_net.bdf), 0);
    t_pci_tx_send(2);                                        /* acknowledged: comes again */
    CHECK_EQ(ev_wait((uint32_t)port, 5000), 0);
    CHECK(io_inb(io + VIRTIO_ISR) & 1);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, t_net.bdf), 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_MASK, t_net.bdf), 0);
    t_pci_tx_send(3);                                        /* masked: waits */
    CHECK_EQ(ev_wait((uint32_t)port, 300), -1);
    CHECK_EQ(tx.used[1], 3);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_UNMASK, t_net.bdf), 0);
    CHECK_EQ(ev_wait((uint32_t)port, 5000), 0);
    CHECK(io_inb(io + VIRTIO_ISR) & 1);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, t_net.bdf), 0);
    CHECK_EQ(ev_close((uint32_t)port), 0);             /* unbinds */
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, t_net.bdf), -KEEL_ENOENT);
    t_net_intx_port = pci_bdf_op(KEEL_PCIOP_BIND_IRQ, t_net.bdf);
    CHECK(t_net_intx_port > 0);
}

void t_pci_virtio(void)
{
    port_io();
    mmio();
    dma();
    interrupt();
}

void t_pci_release_net(void)
{
    uint32_t v;

    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, t_net.bdf), 0);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0, 4, &v), -KEEL_EACCES);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, t_net.bdf), -KEEL_EACCES);
}

/*
 * The test guest's lent-device modes (keel/pci.h); t_pci.c runs them and
 * judges.  Numbers come in the mode string, as 4 hex digits after ':'.
 *
 *   pci_hostile:BDF      owns nothing: every PCI_OP (BIND_MSIX too) on dom0's function BDF,
 *                        on the host bridge and on no function is refused
 *                        with the documented error: exit(checks that
 *                        failed)
 *   pci_port:PORT        owns nothing: `inl PORT` (a port dom0 owns) must
 *                        trap -> crash, #GP
 *   pci_cli              `cli` in ring 3 (IOPL stays 0) -> crash, #GP
 *   pci_own:BDF:PORT:FOREIGN
 *                        was given BDF before it ran: reads its
 *                        configuration, turns on I/O decoding, reads the
 *                        virtio host features at PORT (its BAR 0), has its
 *                        interrupt refused (its line is dom0's device's
 *                        too), gets DMA pages; then yields a while (dom0
 *                        runs on the same CPU in between) and does
 *                        `inl FOREIGN` (dom0's port) -> crash, #GP.  Any
 *                        failed check: exit(number failed) instead.
 *   pci_fill:BDF         was given BDF (memory BARs 1 and 4, QEMU's
 *                        virtio) before it ran, with dma_pages 600 and the
 *                        mmio_pages the two BARs need: DMA_ALLOCs until
 *                        -KEEL_ENOSPC, which comes exactly at 600 pages;
 *                        maps both BARs, maps one again after unmapping
 *                        it, releases BDF: exit(checks that failed)
 *   pci_msix:BDF:N       was given BDF (QEMU's virtio-rng with 40 MSI-X
 *                        entries) before it ran: bad entries refused,
 *                        binds entries until -KEEL_ENOSPC, which must come
 *                        after exactly N (its share; N = 0: its first
 *                        bind is -KEEL_ENOSPC, exit(0)); INTx and config writes to the
 *                        MSI-X capability refused; reads the messages the
 *                        hypervisor wrote through its mapping of the
 *                        table, then writes the table -> crash, #PF.  Any
 *                        failed check: exit(number failed) instead.
 */
#include "t_pci.h"

static uint32_t hex4(const char *s)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < 4 && s[i]; i++) {
        char c = s[i];
        v = v << 4 | (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static int starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static int hostile(uint32_t bdf)
{
    struct keel_pci_op op;
    uint32_t v;
    int bad = 0;

    memset(&op, 0, sizeof(op));
    bad += expect(pciop(KEEL_PCIOP_LIST, &op), -KEEL_EPERM);
    op.bdf = bdf;
    bad += expect(pciop(KEEL_PCIOP_ASSIGN, &op), -KEEL_EPERM);
    bad += expect(pci_cfg_rd(bdf, 0, 4, &v), -KEEL_EACCES);
    bad += expect(pci_cfg_wr(bdf, 4, 2, 0), -KEEL_EACCES);
    bad += expect(pci_cfg_rd(0, 0, 4, &v), -KEEL_EACCES);          /* host bridge */
    bad += expect(pci_cfg_rd(KEEL_PCI_BDF(0u, 31u, 7u), 0, 4, &v), -KEEL_ENODEV);
    bad += expect(pci_cfg_rd(0x10000, 0, 4, &v), -KEEL_EINVAL);
    bad += expect(pci_bdf_op(KEEL_PCIOP_RELEASE, bdf), -KEEL_EACCES);
    bad += expect(pci_bdf_op(KEEL_PCIOP_BIND_IRQ, bdf), -KEEL_EACCES);
    bad += expect(pci_bdf_op(KEEL_PCIOP_BIND_MSIX, bdf), -KEEL_EACCES);
    bad += expect(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, bdf), -KEEL_EACCES);
    bad += expect(pci_bdf_op(KEEL_PCIOP_IRQ_UNMASK, bdf), -KEEL_EACCES);
    op.index = 4;
    bad += expect(pciop(KEEL_PCIOP_MAP_BAR, &op), -KEEL_EACCES);
    memset(&op, 0, sizeof(op));
    op.npages = 1;
    bad += expect(pciop(KEEL_PCIOP_DMA_ALLOC, &op), -KEEL_EPERM);
    op.npages = 0;
    op.va = KEEL_GUEST_BASE;
    bad += expect(pciop(KEEL_PCIOP_TRANSLATE, &op), -KEEL_EPERM);
    bad += expect(pciop(0, &op), -KEEL_ENOSYS);
    bad += expect(pciop(99, &op), -KEEL_ENOSYS);
    bad += expect(hc(KEEL_HC_PCI_OP, KEEL_PCIOP_CFG_READ, 0x10, 0), -KEEL_EFAULT);
    return bad;
}

static void yield_ms(unsigned ms)
{
    uint64_t end = now_ns() + ms * 1000000ull;

    while (now_ns() < end)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
}

static int own(uint32_t bdf, uint16_t port, uint16_t foreign)
{
    struct keel_pci_op op;
    uint32_t v = 0;
    int bad = 0;

    bad += expect(pci_cfg_rd(bdf, 0, 4, &v), 0);
    bad += expect(v, 0x10051af4);
    bad += expect(pci_enable(bdf), 0);
    bad += expect(io_inl(port + VIRTIO_HOST_FEATURES) != 0xffffffffu, 1);
    bad += expect(pci_bdf_op(KEEL_PCIOP_BIND_IRQ, bdf), -KEEL_EBUSY);
    memset(&op, 0, sizeof(op));
    op.npages = 2;
    bad += expect(pciop(KEEL_PCIOP_DMA_ALLOC, &op), 0);
    bad += expect(op.va, KEEL_PCI_DMA_VA);
    bad += expect(*(volatile uint64_t *)(op.va + 4096), 0);
    yield_ms(30);
    bad += expect(io_inl(port + VIRTIO_HOST_FEATURES) != 0xffffffffu, 1);
    outf("guest pci_own: %d checks failed\n", bad);
    if (bad)
        return bad;
    io_inl(foreign);
    return 102;
}

static long dma_alloc(uint64_t npages, uint64_t *va)
{
    struct keel_pci_op op = { .npages = npages };
    long rc = pciop(KEEL_PCIOP_DMA_ALLOC, &op);

    *va = op.va;
    return rc;
}

static long bar_op(uint32_t cmd, uint32_t bdf, uint32_t bar)
{
    struct keel_pci_op op = { .bdf = bdf, .index = bar };

    return pciop(cmd, &op);
}

static int fill(uint32_t bdf)
{
    uint64_t va = 0, last = KEEL_PCI_DMA_VA + 599 * 4096ull;
    int bad = 0;

    bad += expect(dma_alloc(512, &va), 0);
    bad += expect(va, KEEL_PCI_DMA_VA);
    bad += expect(dma_alloc(89, &va), -KEEL_ENOSPC);      /* 88 left */
    bad += expect(dma_alloc(88, &va), 0);
    bad += expect(va, KEEL_PCI_DMA_VA + 512 * 4096ull);
    *(volatile uint64_t *)last = 0x600;
    bad += expect(*(volatile uint64_t *)last, 0x600);
    bad += expect(dma_alloc(1, &va), -KEEL_ENOSPC);
    bad += expect(bar_op(KEEL_PCIOP_MAP_BAR, bdf, 1), 0);
    bad += expect(bar_op(KEEL_PCIOP_MAP_BAR, bdf, 4), 0);
    bad += expect(bar_op(KEEL_PCIOP_UNMAP_BAR, bdf, 4), 0);
    bad += expect(bar_op(KEEL_PCIOP_MAP_BAR, bdf, 4), 0);  /* its tables are there */
    bad += expect(pci_bdf_op(KEEL_PCIOP_RELEASE, bdf), 0);
    bad += expect(dma_alloc(1, &va), -KEEL_EPERM);
    bad += expect(*(volatile uint64_t *)last, 0x600);      /* kept until DESTROY */
    outf("guest pci_fill: %d checks failed\n", bad);
    return bad;
}

#define MSIX_ENTRIES 40u
#define MSIX_ENABLE  0x8000u
#define MSIX_MASK    0x4000u

static long bind_msix(uint32_t bdf, uint32_t entry)
{
    struct keel_pci_op op = { .bdf = bdf, .index = entry };

    return pciop(KEEL_PCIOP_BIND_MSIX, &op);
}

/* Entries 1, 2, ... until the pool is dry: how many. */
static unsigned bind_all(uint32_t bdf, long *last)
{
    unsigned n = 1;

    while ((*last = bind_msix(bdf, n)) > 0)
        n++;
    return n;
}

static int msix_config(uint32_t bdf, uint32_t cap)
{
    uint32_t ctl = 0;
    int bad = 0;

    bad += expect(pci_cfg_rd(bdf, cap + 2, 2, &ctl), 0);
    bad += expect(ctl & (MSIX_ENABLE | MSIX_MASK), MSIX_ENABLE);
    bad += expect(pci_cfg_wr(bdf, cap + 2, 2, ctl & ~MSIX_ENABLE), -KEEL_EACCES);
    bad += expect(pci_cfg_wr(bdf, cap + 2, 2, ctl | MSIX_MASK), -KEEL_EACCES);
    return bad;
}

/* The messages the hypervisor wrote: its vectors, to a LAPIC; the
 * entries nobody bound masked.  Then a write. */
static int msix_table(uint32_t bdf, uint32_t cap, unsigned bound)
{
    struct keel_pci_op op = { .bdf = bdf };
    volatile uint32_t *t;
    uint32_t where = 0;
    int bad = 0;

    pci_cfg_rd(bdf, cap + 4, 4, &where);
    op.index = where & 7;
    bad += expect(pciop(KEEL_PCIOP_MAP_BAR, &op), 0);
    t = (volatile uint32_t *)(op.va + (where & ~7u));
    bad += expect(t[0] & 0xfff00000u, 0xfee00000u);
    bad += expect(t[2] >= 0x60 && t[2] < 0x80, 1);
    bad += expect(t[3], 0);                             /* unmasked */
    bad += expect(t[4 * (bound - 1) + 2] != t[2], 1);   /* a vector each */
    bad += expect(t[4 * (MSIX_ENTRIES - 1) + 3] & 1, 1); /* not bound: masked */
    outf("guest pci_msix: %d checks failed\n", bad);
    if (bad)
        return bad;
    t[3] = 1;
    return 102;
}

static int msix(uint32_t bdf, unsigned free_vectors)
{
    uint32_t cap = t_find_cap(bdf, 0x11, 0);
    unsigned n;
    long last;
    int bad = 0;

    bad += expect(pci_enable(bdf), 0);
    bad += expect(cap != 0, 1);
    if (!free_vectors)                                  /* no share */
        return bad + expect(bind_msix(bdf, 0), -KEEL_ENOSPC);
    bad += expect(bind_msix(bdf, MSIX_ENTRIES), -KEEL_EINVAL);
    bad += expect(bind_msix(bdf, 0) > 0, 1);
    bad += expect(bind_msix(bdf, 0), -KEEL_EEXIST);
    bad += expect(pci_bdf_op(KEEL_PCIOP_BIND_IRQ, bdf), -KEEL_EBUSY);
    n = bind_all(bdf, &last);
    bad += expect(last, -KEEL_ENOSPC);
    bad += expect(n, free_vectors);
    bad += msix_config(bdf, cap);
    if (bad || n < 2) {
        outf("guest pci_msix: %d checks failed\n", bad);
        return bad ? bad : 1;
    }
    return msix_table(bdf, cap, n);
}

/* -1: not one of these modes */
int pci_mode(const char *mode)
{
    if (starts(mode, "pci_hostile:"))
        return hostile(hex4(mode + 12));
    if (starts(mode, "pci_port:")) {
        io_inl((uint16_t)hex4(mode + 9));
        return 102;
    }
    if (starts(mode, "pci_cli")) {
        __asm__ volatile("cli");
        return 102;
    }
    if (starts(mode, "pci_fill:"))
        return fill(hex4(mode + 9));
    if (starts(mode, "pci_msix:"))
        return msix(hex4(mode + 9), hex4(mode + 14));
    if (starts(mode, "pci_own:"))
        return own(hex4(mode + 8), (uint16_t)hex4(mode + 13), (uint16_t)hex4(mode + 18));
    return -1;
}

/*
 * hv-devices, what lending costs (keel/pci.h "What lending costs",
 * keel/domctl.h dma_pages and mmio_pages), t_pci.c has the plan:
 *
 *   - dom0's limits and reserve are the documented ones (hv/common/dom0.c);
 *   - a guest with the default limits reserves what every guest does (9
 *     frames) and is refused the rng (-KEEL_ENOSPC: its memory BARs need
 *     BAR window), as is a guest one page table short of them;
 *   - a guest given 600 DMA pages and the rng's BAR window reserves
 *     exactly keel_domain_hv_frames of its limits, is lent the rng and
 *     (guest_pci.c "pci_fill") meets -KEEL_ENOSPC exactly at 600 pages,
 *     maps its BARs, releases it; it took exactly its pages and the page
 *     tables of both windows;
 *   - beside it a benign guest runs as ever, dom0's charge does not move,
 *     and its own port I/O and DMA still work;
 *   - DESTROY gives every frame back: PHYSINFO as before.
 */
#include "tbuild.h"
#include "t_pci.h"

#define FILL_DMA_PAGES 600u
/* its 600 pages' window: 2 PTs, a PD, a PDPT; the rng's two small BARs:
 * a PT each, in one 1 GiB of the BAR window (one PD), its PDPT */
#define FILL_TAKES (FILL_DMA_PAGES + 4 + 2 + 1 + 1)

static long destroy(long d)
{
    struct keel_domctl op;

    return domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d);
}

static long assign(uint32_t bdf, long domid)
{
    struct keel_pci_op op = { .bdf = bdf, .domid = (uint32_t)domid };

    return pciop(KEEL_PCIOP_ASSIGN, &op);
}

static long prepare(const struct keel_module *img, const char *mode,
                    struct keel_domain_limits l)
{
    long d;

    tbuild_limits = l;
    d = tbuild_prepare(img, mode);
    tbuild_limits = (struct keel_domain_limits){ 0 };
    CHECK(d > 0);
    return d;
}

static void dom0_limits(void)
{
    struct keel_domain_info i = tbuild_info(0);

    CHECK_EQ(i.limits.dma_pages, 2048);
    CHECK_EQ(i.limits.mmio_pages, 16 * KEEL_PCI_MMIO_STEP);
    CHECK_EQ(i.hv_frames_max, keel_domain_hv_frames(&i.limits));
    CHECK_EQ(i.hv_frames_max, 774 + 2048 + 6 + 25);   /* 65536 maps: docs/memory.md */
}

/* Refused before it ever runs, and nothing taken: the guest ends as any. */
static void refused(const struct keel_module *img, struct keel_domain_limits l, uint64_t max)
{
    long d = prepare(img, "exit7", l);

    CHECK_EQ(tbuild_info((uint32_t)d).hv_frames_max, max);
    CHECK_EQ(assign(t_rng.bdf, d), -KEEL_ENOSPC);
    CHECK_EQ(tbuild_info((uint32_t)d).hv_frames, 0);
    CHECK_EQ(destroy(d), 0);
}

static long start_benign(const struct keel_module *img)
{
    long d = tbuild_start(img, "exit7");

    CHECK(d > 0);
    return d;
}

static void check_benign(long d)
{
    struct keel_domain_info i;

    CHECK_EQ(tbuild_wait((uint32_t)d, &i, 20000), 0);
    CHECK_EQ(i.exit_code, 7);
    CHECK(i.hv_frames == 0 && i.hv_frames_max == 9);
    CHECK_EQ(destroy(d), 0);
}

static void filler(const struct keel_module *img, struct keel_domain_limits l)
{
    char mode[32] = "pci_fill:";
    struct keel_physinfo p0 = tbuild_physinfo();
    struct keel_domain_info i;
    struct keel_domctl op;
    uint64_t dom0_took = tbuild_info(0).hv_frames;
    long d, b;

    put_hex4(mode + 9, t_rng.bdf);
    d = prepare(img, mode, l);
    i = tbuild_info((uint32_t)d);
    CHECK_EQ(i.hv_frames_max, keel_domain_hv_frames(&l));
    CHECK_EQ(i.hv_frames_max, 9 + FILL_DMA_PAGES + 4 + 5);
    CHECK_EQ(tbuild_physinfo().reserved_frames, p0.reserved_frames + i.hv_frames_max);
    CHECK_EQ(assign(t_rng.bdf, d), 0);
    b = start_benign(img);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d), 0);
    CHECK_EQ(tbuild_wait((uint32_t)d, &i, 20000), 0);
    CHECK_EQ(i.exit_code, 0);
    CHECK_EQ(i.hv_frames, FILL_TAKES);
    check_benign(b);
    CHECK_EQ(tbuild_info(0).hv_frames, dom0_took);
    CHECK_EQ(destroy(d), 0);
    CHECK_EQ(tbuild_physinfo().free_frames, p0.free_frames);
    CHECK_EQ(tbuild_physinfo().reserved_frames, p0.reserved_frames);
}

/* dom0's own devices after all that: its port, one more DMA page out of
 * its own reserve (its window's PT is there already). */
static void dom0_unharmed(void)
{
    struct keel_pci_op op = { .npages = 1 };
    uint64_t took = tbuild_info(0).hv_frames;

    CHECK(io_inl((uint16_t)(t_net.bar[0].base + VIRTIO_HOST_FEATURES)) & VIRTIO_NET_F_MAC);
    CHECK_EQ(pciop(KEEL_PCIOP_DMA_ALLOC, &op), 0);
    CHECK_EQ(tbuild_info(0).hv_frames, took + 1);
}

void t_pci_limits(const struct keel_module *img)
{
    uint32_t need = keel_pci_mmio_pages(&t_rng);
    struct keel_domain_limits fill = { .dma_pages = FILL_DMA_PAGES, .mmio_pages = need };

    CHECK_EQ(t_rng.bar[1].type & 0xf, KEEL_PCI_BAR_MEM32);
    CHECK_EQ(t_rng.bar[4].type & 0xf, KEEL_PCI_BAR_MEM64);
    CHECK_EQ(need, 2 * KEEL_PCI_MMIO_STEP);
    dom0_limits();
    refused(img, (struct keel_domain_limits){ 0 }, 9);
    refused(img, (struct keel_domain_limits){ .dma_pages = FILL_DMA_PAGES,
                                              .mmio_pages = need - KEEL_PCI_MMIO_STEP },
            9 + FILL_DMA_PAGES + 4 + 3);
    filler(img, fill);
    dom0_unharmed();
}

/*
 * Host test of per-domain limits (hv/common/limits.c) and of the reserve
 * they call for (keel_domain_hv_frames, keel/domctl.h): the defaults, the
 * maxima, and the frames for a guest with default limits and for dom0;
 * the lent devices' part (dma_pages, mmio_pages) and what a function's
 * BARs ask of mmio_pages (keel/pci.h).
 */
#include "ktest.h"
#include "../../hv/common/limits.c"

static struct keel_domain_limits lim(uint32_t e, uint32_t m, uint32_t p, uint32_t f)
{
    return (struct keel_domain_limits){
        .grant_entries = e, .grant_maps = m, .evtchn_ports = p, .foreign_pages = f };
}

/* default limits but for the lent devices' */
static struct keel_domain_limits dev(uint32_t dma, uint32_t mmio)
{
    return (struct keel_domain_limits){ .dma_pages = dma, .mmio_pages = mmio };
}

KTEST(zero_means_the_default)
{
    struct keel_domain_limits in = lim(0, 0, 0, 0), out;
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT_EQ(out.grant_entries, KEEL_DEFAULT_GRANT_ENTRIES);
    EXPECT_EQ(out.grant_maps, KEEL_DEFAULT_GRANT_MAPS);
    EXPECT_EQ(out.evtchn_ports, KEEL_DEFAULT_EVTCHN_PORTS);
    EXPECT_EQ(out.foreign_pages, 0);
    EXPECT(out.dma_pages == 0 && out.mmio_pages == 0);   /* no device, no reserve */
    /* the reserve is the same for the request and its resolution */
    EXPECT_EQ(keel_domain_hv_frames(&in), keel_domain_hv_frames(&out));
    in = lim(7, 0, 9, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT(out.grant_entries == 7 && out.grant_maps == KEEL_DEFAULT_GRANT_MAPS &&
           out.evtchn_ports == 9);
}

KTEST(maxima_and_the_foreign_window)
{
    struct keel_domain_limits in, out = lim(1, 2, 3, 4), was = out;
    in = lim(KEEL_GRANT_MAX_ENTRIES, KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    in = lim(KEEL_GRANT_MAX_ENTRIES + 1, 0, 0, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = lim(0, KEEL_GRANT_MAX_MAPS + 1, 0, 0);
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    in = lim(0, 0, KEEL_EVTCHN_PORTS, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = lim(0, 0, ~0u, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = lim(0, 0, 0, 1);                         /* a guest has no window */
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    EXPECT_EQ(limits_resolve(&in, true, &out), 0);
    in = lim(0, 0, 0, KEEL_DOM0_FOREIGN_PAGES + 1);
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    out = was;
    in = lim(0, ~0u, 0, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    EXPECT(!memcmp(&out, &was, sizeof(out)));     /* untouched on error */
}

KTEST(device_limits_resolve)
{
    struct keel_domain_limits in = dev(KEEL_PCI_DMA_MAX_PAGES, KEEL_PCI_MMIO_MAX_PAGES), out;
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);      /* a driver domain may have them */
    EXPECT(out.dma_pages == KEEL_PCI_DMA_MAX_PAGES && out.mmio_pages == KEEL_PCI_MMIO_MAX_PAGES);
    in = dev(7, 512);
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT(out.dma_pages == 7 && out.mmio_pages == 512 && out.grant_maps == 128);
    in = dev(KEEL_PCI_DMA_MAX_PAGES + 1, 0);
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    in = dev(0, KEEL_PCI_MMIO_MAX_PAGES + KEEL_PCI_MMIO_STEP);
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    in = dev(0, 4);                               /* not whole page tables */
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    in = dev(0, KEEL_PCI_MMIO_STEP + 1);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = dev(~0u, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
}

/* A share of the MSI-X vectors: none by default for a guest, the pool for
 * the privileged domain, never more than the pool; pad must be 0. */
KTEST(msix_share_resolves)
{
    struct keel_domain_limits in = { 0 }, out;
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT_EQ(out.msix_vectors, 0);
    EXPECT_EQ(limits_resolve(&in, true, &out), 0);
    EXPECT_EQ(out.msix_vectors, KEEL_PCI_MSIX_VECTORS);
    in.msix_vectors = 3;
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT_EQ(out.msix_vectors, 3);
    EXPECT_EQ(limits_resolve(&in, true, &out), 0);
    EXPECT_EQ(out.msix_vectors, 3);
    in.msix_vectors = KEEL_PCI_MSIX_VECTORS;
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    in.msix_vectors = KEEL_PCI_MSIX_VECTORS + 1;
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    in.msix_vectors = 0;
    in.pad = 1;
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    EXPECT_EQ(keel_domain_hv_frames(&(struct keel_domain_limits){ .msix_vectors = 32 }),
              keel_domain_hv_frames(&(struct keel_domain_limits){ 0 }));   /* no memory */
}

/* The page tables INCREASE may make for a range (keel/memory.h). */
KTEST(memory_tables_of_a_range)
{
    EXPECT_EQ(keel_memory_tables(1), 1);
    EXPECT_EQ(keel_memory_tables(512), 1);
    EXPECT_EQ(keel_memory_tables(513), 2);
    EXPECT_EQ(keel_memory_tables(65536), 128);              /* 256 MiB: no directory */
    EXPECT_EQ(keel_memory_tables(261120), 510);             /* up to 1 GiB exactly */
    EXPECT_EQ(keel_memory_tables(261121), 511 + 1);         /* one page past: a PD */
    EXPECT_EQ(keel_memory_tables(1ull << 24), 32768 + 64);  /* 64 GiB: 64 more PDs */
}

/* docs/memory.md's numbers. */
KTEST(reserve_in_frames)
{
    struct keel_domain_limits l = lim(0, 0, 0, 0);
    /* 512 records: 4 frames; 128 handles: 1, and their window's PT, PD,
     * PDPT; ports 0 .. 255: 1 */
    EXPECT_EQ(keel_domain_hv_frames(&l), 4 + 1 + 3 + 1);
    /* dom0: 8192 records in 49 frames, 65536 maps in 512 and their
     * directory, a 256 MiB window (128 PTs, a PD, a PDPT), all 12287 ports
     * (48 frames), 64 MiB of foreign window (32 PTs, a PD, a PDPT) */
    l = lim(KEEL_GRANT_MAX_ENTRIES, KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1, 16384);
    EXPECT_EQ(keel_domain_hv_frames(&l), 49 + 513 + 130 + 48 + 34);
    /* and its devices (hv/common/dom0.c): 2048 DMA pages, their window's
     * 4 PTs, PD, PDPT; a BAR window of 16 PTs, 8 PDs, a PDPT */
    l.dma_pages = 2048;
    l.mmio_pages = 16 * 512;
    EXPECT_EQ(keel_domain_hv_frames(&l), 774 + 2048 + 6 + 25);
    /* the largest a domain can be given */
    l = lim(KEEL_GRANT_MAX_ENTRIES, KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1,
            KEEL_DOM0_FOREIGN_PAGES);
    EXPECT_EQ(keel_domain_hv_frames(&l), 49 + 513 + 130 + 48 + 2048 + 4 + 1);
    /* the smallest */
    l = lim(1, 1, 1, 0);
    EXPECT_EQ(keel_domain_hv_frames(&l), 1 + 1 + 3 + 1);
    l = lim(1, 1, 256, 0);                        /* port 256: a second bucket */
    EXPECT_EQ(keel_domain_hv_frames(&l), 1 + 1 + 3 + 2);
    l = lim(1, 256, 1, 0);                        /* two chunks: no directory */
    EXPECT_EQ(keel_domain_hv_frames(&l), 1 + 2 + 3 + 1);
    l = lim(171, 513, 1, 0);                      /* a second chunk, a second PT, */
    EXPECT_EQ(keel_domain_hv_frames(&l), 2 + 5 + 1 + 4 + 1);   /* the directory */
}

/* docs/devices.md's numbers: the pages, the DMA window's tables as it
 * fills from its start, the BAR window's PTs with a PD above each (at most
 * 8, for its 8 GiB) and a PDPT. */
KTEST(device_reserve_in_frames)
{
    struct keel_domain_limits l = dev(0, 0);
    const uint64_t guest = 9;                     /* the default limits' */

    EXPECT_EQ(keel_domain_hv_frames(&l), guest);
    l = dev(1, 0);
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 1 + 3);
    l = dev(512, 0);
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 512 + 3);
    l = dev(600, 0);                              /* a second PT */
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 600 + 4);
    l = dev(KEEL_PCI_DMA_MAX_PAGES, 0);           /* 16 MiB: 8 PTs */
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 4096 + 10);
    l = dev(0, 512);
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 1 + 1 + 1);
    l = dev(0, 1024);                             /* two BARs: maybe two PDs */
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 2 + 2 + 1);
    l = dev(0, 8 * 512);
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 8 + 8 + 1);
    l = dev(0, 9 * 512);                          /* no ninth PD */
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 9 + 8 + 1);
    l = dev(0, KEEL_PCI_MMIO_MAX_PAGES);
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 32 + 8 + 1);
    l = dev(600, 1024);                           /* hv-devices' lent guest */
    EXPECT_EQ(keel_domain_hv_frames(&l), guest + 604 + 5);
}

static struct keel_pci_bar bar(uint32_t type, uint64_t size)
{
    return (struct keel_pci_bar){ .base = 0xfe000000, .size = size, .type = type };
}

KTEST(bar_mmio_pages)
{
    struct keel_pci_bar b = bar(KEEL_PCI_BAR_MEM32, 4096);
    struct keel_pci_info net = { 0 };

    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 512);  /* a page: a whole table */
    b = bar(KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_PREFETCH, 2ull << 20);
    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 512);
    b.size += 4096;
    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 1024);
    b.size = KEEL_PCI_BAR_MAP_MAX;
    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 4096);
    b.size *= 2;                                  /* MAP_BAR says -E2BIG */
    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 0);
    b = bar(KEEL_PCI_BAR_IO, 32);
    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 0);
    b = bar(KEEL_PCI_BAR_NONE, 0);                /* a 64-bit BAR's upper half */
    EXPECT_EQ(keel_pci_bar_mmio_pages(&b), 0);
    /* QEMU's transitional virtio-net-pci: I/O BAR 0, MSI-X BAR 1, BAR 4 */
    net.bar[0] = bar(KEEL_PCI_BAR_IO, 32);
    net.bar[1] = bar(KEEL_PCI_BAR_MEM32, 4096);
    net.bar[4] = bar(KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_PREFETCH, 16384);
    EXPECT_EQ(keel_pci_mmio_pages(&net), 1024);
}

KTEST_MAIN(KTEST_CASE(zero_means_the_default), KTEST_CASE(maxima_and_the_foreign_window),
           KTEST_CASE(device_limits_resolve), KTEST_CASE(reserve_in_frames),
           KTEST_CASE(device_reserve_in_frames), KTEST_CASE(bar_mmio_pages),
           KTEST_CASE(msix_share_resolves), KTEST_CASE(memory_tables_of_a_range))

/*
 * Per-domain limits (keel/domctl.h, struct keel_domain_limits): what the
 * toolstack asked for at CREATE, checked and with the defaults filled in,
 * and the reserve they call for.  Pure, host-tested (tests/unit/
 * hv_limits_test.c).
 *
 * Every structure the hypervisor grows for a domain after CREATE is built
 * from whole frames out of that domain's charge (hv/mm.h), and sized so
 * that the limits bound how many frames it can reach:
 *
 *   grant records   refs < grant_entries       grant_active.c
 *   map handles     handles < grant_maps       grant_maptrack.c (and a
 *                                              directory frame past
 *                                              KEEL_HV_MAPTRACK_DIR_MIN)
 *   grant window    pages < grant_maps         grant_map.c (as_map_charged)
 *   ports           1 .. evtchn_ports          evtchn.c
 *   foreign window  pages < foreign_pages      domctl_mem.c (dom0 only)
 *   DMA pages       pages <= dma_pages         pci_mem.c (charge_frames_range)
 *   DMA window      pages <= dma_pages         pci_mem.c (as_map_charged)
 *   BAR window      PTs * 512 <= mmio_pages    pci_mem.c (as_map_charged)
 *
 * keel_domain_hv_frames is the sum of those bounds, and the static checks
 * below keep the structures inside the per-frame counts it assumes.  The
 * DMA window is filled from its start, so keel_window_tables bounds its
 * tables; the BAR window is not (each BAR has its fixed 16 MiB place), so
 * pci_mem.c counts the PTs it made and keel_mmio_tables adds the
 * directories above them, at most one each and no more than the window
 * spans.
 *
 * msix_vectors bounds no memory: it is a domain's share of the machine's
 * MSI-X vectors (pci_irq.c counts a domain's bound ones against it).
 */
#include <hv/domain.h>
#include <hv/evtchn.h>
#include <hv/grant.h>

_Static_assert(GRANT_ACTIVE_CHUNK * sizeof(struct grant_active) <= PAGE_SIZE,
               "a frame holds a chunk of grant records");
_Static_assert(MAPTRACK_CHUNK * sizeof(struct grant_mapping) <= PAGE_SIZE,
               "a frame holds a chunk of map handles");
_Static_assert(MAPTRACK_CHUNKS * sizeof(struct grant_mapping *) <= PAGE_SIZE &&
               MAPTRACK_DIR_MIN * MAPTRACK_CHUNK == KEEL_HV_MAPTRACK_DIR_MIN,
               "a frame holds the directory of every chunk of map handles");
_Static_assert(EVTCHN_BUCKET_PORTS * sizeof(struct evtchn) <= PAGE_SIZE,
               "a frame holds a bucket of ports");
_Static_assert(KEEL_GRANT_WINDOW_VA % (512ull << 30) == 0 &&
               KEEL_DOM0_FOREIGN_VA % (512ull << 30) == 0 &&
               KEEL_PCI_DMA_VA % (512ull << 30) == 0 && KEEL_PCI_MMIO_VA % (512ull << 30) == 0,
               "each window starts a page-table tree of its own");
_Static_assert(KEEL_PCI_MMIO_STEP == KEEL_HV_PAGES_PER_TABLE &&
               KEEL_PCI_BAR_MAP_MAX % (KEEL_PCI_MMIO_STEP * PAGE_SIZE) == 0 &&
               (uint64_t)KEEL_PCI_MAX_FUNCS * 8 * KEEL_PCI_BAR_MAP_MAX <= 512ull << 30,
               "a BAR's place has PTs of its own, and the BAR window one PDPT");
_Static_assert(KEEL_PCI_MMIO_MAX_PAGES % KEEL_PCI_MMIO_STEP == 0,
               "the largest mmio_pages is valid");

int limits_resolve(const struct keel_domain_limits *in, bool privileged,
                   struct keel_domain_limits *out)
{
    struct keel_domain_limits l = {
        .grant_entries = (uint32_t)keel_limit_or(in->grant_entries, KEEL_DEFAULT_GRANT_ENTRIES),
        .grant_maps = (uint32_t)keel_limit_or(in->grant_maps, KEEL_DEFAULT_GRANT_MAPS),
        .evtchn_ports = (uint32_t)keel_limit_or(in->evtchn_ports, KEEL_DEFAULT_EVTCHN_PORTS),
        .foreign_pages = in->foreign_pages,
        .dma_pages = in->dma_pages,
        .mmio_pages = in->mmio_pages,
        .msix_vectors = privileged ? (uint32_t)keel_limit_or(in->msix_vectors, KEEL_PCI_MSIX_VECTORS)
                                   : in->msix_vectors,
    };

    if (in->pad || l.msix_vectors > KEEL_PCI_MSIX_VECTORS)
        return -KEEL_EINVAL;
    if (l.grant_entries > KEEL_GRANT_MAX_ENTRIES || l.grant_maps > KEEL_GRANT_MAX_MAPS ||
        l.evtchn_ports >= KEEL_EVTCHN_PORTS || l.foreign_pages > KEEL_DOM0_FOREIGN_PAGES ||
        l.dma_pages > KEEL_PCI_DMA_MAX_PAGES || l.mmio_pages > KEEL_PCI_MMIO_MAX_PAGES ||
        l.mmio_pages % KEEL_PCI_MMIO_STEP)
        return -KEEL_EINVAL;
    if (!privileged && l.foreign_pages)
        return -KEEL_EINVAL;          /* only a privileged domain has the window */
    *out = l;
    return 0;
}

/*
 * Memory of lent functions: their BARs mapped into the owner (MAP_BAR),
 * the owner's DMA pages (DMA_ALLOC) and the machine addresses of its own
 * pages (TRANSLATE).  Contract: keel/pci.h.
 *
 * A BAR page is mapped AS_MMIO: uncached, never executable, never freed,
 * and never AS_OWNED, so no path that hands a frame to someone else (grant,
 * foreign map, TRANSLATE) and no hypercall buffer (guest_access.c) accepts
 * it; the hypervisor never touches device memory on a guest's behalf.
 * Each BAR has a fixed place in the window (its LIST index and BAR
 * number), so mapping it again reuses the same page tables.  The pages
 * of a BAR that hold the function's MSI-X table are mapped read-only:
 * the hypervisor alone writes the table (pci_msix.c).
 *
 * DMA pages are ordinary frames of the domain (AS_OWNED): DESTROY frees
 * them with the rest of its memory, after pci_domain_release has turned
 * bus mastering off.
 *
 * Who pays (keel/pci.h "What lending costs"): DMA pages and every page
 * table of both windows come out of the owner's charge, within its
 * dma_pages and mmio_pages (hv/common/limits.c has the reserve).  A BAR
 * window's tables stay until DESTROY (a charge is never refilled), so
 * mmio_tables only grows, and a BAR whose place has its tables maps for
 * nothing more.
 */
#include <hv/pci.h>
#include <hv/domain.h>
#include <hv/lib.h>

static uint64_t bar_va(const struct pci_func *f, unsigned bar)
{
    return KEEL_PCI_MMIO_VA +
           ((uint64_t)pci_func_index(f) * 8 + bar) * KEEL_PCI_BAR_MAP_MAX;
}

static void unmap_range(struct domain *d, uint64_t va, uint64_t npages)
{
    for (uint64_t i = 0; i < npages; i++)
        as_unmap(&d->as, va + i * PAGE_SIZE, NULL, NULL);
}

#define MMIO_STEP_BYTES (KEEL_PCI_MMIO_STEP * PAGE_SIZE)

/* One per 2 MiB of the BAR's place whose PT d's window lacks. */
static uint32_t bar_tables_missing(const struct domain *d, const struct pci_func *f,
                                   unsigned bar)
{
    uint32_t steps = keel_pci_bar_mmio_pages(&f->info.bar[bar]) / KEEL_PCI_MMIO_STEP, n = 0;

    for (uint32_t i = 0; i < steps; i++)
        n += !as_has_table(&d->as, bar_va(f, bar) + i * MMIO_STEP_BYTES);
    return n;
}

uint32_t pci_func_tables_missing(const struct domain *d, const struct pci_func *f)
{
    uint32_t n = 0;

    for (unsigned b = 0; b < KEEL_PCI_BARS; b++)
        n += bar_tables_missing(d, f, b);
    return n;
}

bool pci_mmio_room(const struct domain *d, uint32_t more)
{
    return ((uint64_t)d->pci.mmio_tables + more) * KEEL_PCI_MMIO_STEP <= d->limits.mmio_pages;
}

static unsigned bar_page_rights(const struct pci_func *f, unsigned bar, uint64_t off)
{
    if (pci_msix_table_page(&f->msix, bar, off))
        return KEEL_RIGHT_R;
    return KEEL_RIGHT_R | KEEL_RIGHT_W;
}

long pci_map_bar(struct domain *d, struct pci_func *f, uint32_t bar,
                 uint64_t *va, uint64_t *npages)
{
    const struct keel_pci_bar *b;
    uint64_t n, v;
    uint32_t more;
    unsigned kind;
    int rc = 0;

    if (bar >= KEEL_PCI_BARS)
        return -KEEL_EINVAL;
    bar = (uint32_t)index_nospec(bar, KEEL_PCI_BARS);
    b = &f->info.bar[bar];
    kind = b->type & 0xfu;
    if (kind != KEEL_PCI_BAR_MEM32 && kind != KEEL_PCI_BAR_MEM64)
        return -KEEL_EINVAL;
    if (b->size > KEEL_PCI_BAR_MAP_MAX)
        return -KEEL_E2BIG;
    if (f->mapped & (1u << bar))
        return -KEEL_EEXIST;
    if (!pci_mmio_room(d, more = bar_tables_missing(d, f, bar)))
        return -KEEL_ENOSPC;
    n = b->size / PAGE_SIZE;
    v = bar_va(f, bar);
    for (uint64_t i = 0; i < n && !rc; i++)
        if ((rc = as_map_charged(&d->as, v + i * PAGE_SIZE, b->base + i * PAGE_SIZE,
                                 bar_page_rights(f, bar, i * PAGE_SIZE), AS_MMIO,
                                 &d->charge)))
            unmap_range(d, v, i);
    /* the tables made stay, even after a failure (never: the reserve holds them) */
    d->pci.mmio_tables += more - bar_tables_missing(d, f, bar);
    if (rc)
        return rc;
    f->mapped |= (uint8_t)(1u << bar);
    *va = v;
    *npages = n;
    return 0;
}

/* Only the owner's own vCPU unmaps, on this CPU: the local flush in
 * as_unmap is the only one its TLB needs (hv/pci.h). */
long pci_unmap_bar(struct domain *d, struct pci_func *f, uint32_t bar)
{
    uint64_t n;

    if (bar >= KEEL_PCI_BARS)
        return -KEEL_EINVAL;
    if (!(f->mapped & (1u << bar)))
        return -KEEL_ENOENT;
    n = f->info.bar[index_nospec(bar, KEEL_PCI_BARS)].size / PAGE_SIZE;
    unmap_range(d, bar_va(f, bar), n);
    f->mapped &= (uint8_t)~(1u << bar);
    return 0;
}

/* Out of d's reserve (dma_pages of it), zeroed: the frames held someone
 * else's data before. */
long pci_dma_alloc(struct domain *d, uint64_t npages, uint64_t *va, uint64_t *maddr)
{
    struct pci_dom *p = &d->pci;
    uint64_t pa, v;

    if (npages == 0 || npages > KEEL_PCI_DMA_CHUNK_MAX)
        return -KEEL_EINVAL;
    if (npages > d->limits.dma_pages - p->dma_pages)
        return -KEEL_ENOSPC;
    if (!(pa = charge_frames_range(&d->charge, npages)))
        return -KEEL_ENOMEM;            /* no free run that long: nothing taken */
    memset(phys_to_virt(pa), 0, npages * PAGE_SIZE);
    v = KEEL_PCI_DMA_VA + (uint64_t)p->dma_pages * PAGE_SIZE;
    for (uint64_t i = 0; i < npages; i++) {
        int rc = as_map_charged(&d->as, v + i * PAGE_SIZE, pa + i * PAGE_SIZE,
                                KEEL_RIGHT_R | KEEL_RIGHT_W, AS_OWNED, &d->charge);
        if (rc) {               /* never: the reserve holds the window's tables */
            unmap_range(d, v, i);
            frames_free_range(pa, npages);
            return rc;
        }
    }
    p->dma_pages += (uint32_t)npages;
    *va = v;
    *maddr = pa;
    return 0;
}

/* The frame of d's own page at va, or 0. */
static uint64_t own_frame(struct domain *d, uint64_t va)
{
    uint64_t pa;
    unsigned flags;

    if (as_lookup(&d->as, va, &pa, NULL, &flags) || !(flags & AS_OWNED))
        return 0;
    return pa;
}

long pci_translate(struct domain *d, uint64_t va, uint64_t *maddr, uint64_t *contig)
{
    uint64_t page = va & PAGE_MASK, first, bytes;
    unsigned flags;

    if (va >= KEEL_USER_VA_END || as_lookup(&d->as, page, &first, NULL, &flags))
        return -KEEL_EFAULT;
    if (!(flags & AS_OWNED))
        return -KEEL_EACCES;
    bytes = PAGE_SIZE - (va - page);
    for (uint64_t next = first + PAGE_SIZE;
         bytes < KEEL_PCI_CONTIG_MAX && page + PAGE_SIZE < KEEL_USER_VA_END &&
         own_frame(d, page + PAGE_SIZE) == next;
         next += PAGE_SIZE) {
        page += PAGE_SIZE;
        bytes += PAGE_SIZE;
    }
    *maddr = first + (va & ~PAGE_MASK);
    *contig = MIN(bytes, KEEL_PCI_CONTIG_MAX);
    return 0;
}

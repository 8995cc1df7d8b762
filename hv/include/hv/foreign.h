/*
 * The privileged domain's foreign window (hv/common/foreign.c holds the pure
 * allocator, domctl_mem.c the mapping side).
 *
 * The window is the domain's foreign_pages limit (at most
 * KEEL_DOM0_FOREIGN_PAGES) at KEEL_DOM0_FOREIGN_VA; its page tables come
 * out of the domain's reserve, which that limit sizes.  Each
 * MAP_FOREIGN takes one region, first fit; UNMAP_FOREIGN must name a whole
 * region (its va and npages) exactly.  Regions are kept sorted by va in a
 * fixed array, so the allocator never allocates memory itself.
 */
#ifndef HV_FOREIGN_H
#define HV_FOREIGN_H

#include <stdint.h>

struct domain;

#define FWIN_MAX_REGIONS 1024

struct fregion {
    uint64_t va;
    uint64_t npages;
    struct domain *target;       /* whose frames; holds one foreign_ref */
};

struct fwindow {
    uint64_t base, pages;        /* the window */
    unsigned n;                  /* regions in use */
    struct fregion r[FWIN_MAX_REGIONS];
};

void fwin_init(struct fwindow *w, uint64_t base, uint64_t pages);
/* Reserve npages; returns the region index (>= 0) or -KEEL_ENOSPC. */
int fwin_alloc(struct fwindow *w, uint64_t npages, struct domain *target);
/* Index of the region exactly [va, va + npages pages), or -KEEL_EINVAL. */
int fwin_find(const struct fwindow *w, uint64_t va, uint64_t npages);
void fwin_remove(struct fwindow *w, unsigned idx);

#endif /* HV_FOREIGN_H */

/*
 * First-fit allocator for the privileged domain's foreign window.  Regions
 * are kept sorted by va so that a free gap is found in one pass; the window
 * holds at most FWIN_MAX_REGIONS regions, which bounds both the pass and the
 * memory (the struct is allocated once, with the domain).  Pure logic,
 * unit-tested on the host.
 */
#include <keel/abi.h>
#include <hv/foreign.h>

#define PAGE 4096ull

void fwin_init(struct fwindow *w, uint64_t base, uint64_t pages)
{
    w->base = base;
    w->pages = pages;
    w->n = 0;
}

static void insert_at(struct fwindow *w, unsigned idx, uint64_t va, uint64_t npages,
                      struct domain *target)
{
    for (unsigned i = w->n; i > idx; i--)
        w->r[i] = w->r[i - 1];
    w->r[idx] = (struct fregion){ .va = va, .npages = npages, .target = target };
    w->n++;
}

int fwin_alloc(struct fwindow *w, uint64_t npages, struct domain *target)
{
    uint64_t cursor = w->base, end = w->base + w->pages * PAGE;

    if (npages == 0 || npages > w->pages || w->n == FWIN_MAX_REGIONS)
        return -KEEL_ENOSPC;
    for (unsigned i = 0; i <= w->n; i++) {
        uint64_t gap_end = i < w->n ? w->r[i].va : end;
        if ((gap_end - cursor) / PAGE >= npages) {
            insert_at(w, i, cursor, npages, target);
            return (int)i;
        }
        if (i < w->n)
            cursor = w->r[i].va + w->r[i].npages * PAGE;
    }
    return -KEEL_ENOSPC;
}

int fwin_find(const struct fwindow *w, uint64_t va, uint64_t npages)
{
    for (unsigned i = 0; i < w->n; i++)
        if (w->r[i].va == va && w->r[i].npages == npages)
            return (int)i;
    return -KEEL_EINVAL;
}

void fwin_remove(struct fwindow *w, unsigned idx)
{
    if (idx >= w->n)
        return;
    for (unsigned i = idx; i + 1 < w->n; i++)
        w->r[i] = w->r[i + 1];
    w->n--;
}

/*
 * Whether a granter's pages may leave it (MEMORY_OP DECREASE, memory.c):
 * none may hold its grant table or be pinned.  The table's lock is what
 * every pin takes while it resolves a frame (grant_pin.c), so a page found
 * free here stays free until grant_pages_release: the caller frees the
 * frames in between.
 */
#include <hv/grant.h>
#include <hv/domain.h>

static bool holds_table(const struct grant_table *gt, uint64_t pa)
{
    uint32_t pages = (gt->nr_entries + KEEL_GRANT_ENTRIES_PER_PAGE - 1) /
                     KEEL_GRANT_ENTRIES_PER_PAGE;

    for (uint32_t i = 0; i < pages; i++)
        if (gt->table_pa[i] == pa)
            return true;
    return false;
}

static bool pin_in(struct grant_table *gt, uint64_t first, uint64_t npages)
{
    uint32_t ref = 0;
    struct grant_active *a;

    while ((a = grant_active_next(gt, &ref)))
        if ((a->pins_ro || a->pins_rw) && a->page >= first && a->page - first < npages)
            return true;
    return false;
}

int grant_pages_hold(struct domain *d, uint64_t gva, uint64_t npages,
                     struct grant_table **held)
{
    struct grant_table *gt = d->grant->gt;
    uint64_t first = (gva - KEEL_GUEST_BASE) / PAGE_SIZE;

    *held = NULL;
    if (!gt)
        return 0;                /* only d itself makes one, and d is here */
    spin_lock(&gt->lock);
    *held = gt;
    if (pin_in(gt, first, npages))
        return -KEEL_EBUSY;
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa;
        if (!as_lookup(&d->as, gva + i * PAGE_SIZE, &pa, NULL, NULL) &&
            holds_table(gt, pa & PAGE_MASK))
            return -KEEL_EBUSY;
    }
    return 0;
}

void grant_pages_release(struct grant_table *held)
{
    if (held)
        spin_unlock(&held->lock);
}

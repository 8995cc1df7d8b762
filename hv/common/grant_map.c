/*
 * MAP and UNMAP: granted pages in the caller's grant window.
 *
 * The window PTE is AS_FOREIGN, so the grantee's as_destroy never frees the
 * frame; the pin keeps it alive until the PTE is gone.  The order is the
 * whole story: map only after pinning, unpin only after the PTE is removed
 * and the TLB entry flushed.  A domain has one vCPU and only that vCPU
 * changes its window, so its address space is the loaded one here and
 * as_unmap's local invlpg is the only flush needed: any other CPU that ran
 * this vCPU has reloaded CR3 since (arch_switch_to's rule).
 */
#include <hv/grant.h>
#include <hv/domain.h>
#include <hv/guest_access.h>

static uint64_t handle_va(uint32_t h)
{
    return KEEL_GRANT_WINDOW_VA + (uint64_t)h * PAGE_SIZE;
}

/* Pin, take a handle, map; undo in reverse on failure. */
static int map_one(struct domain *d, struct grant_dom *gd, const struct keel_grant_map *op,
                   uint32_t *handle)
{
    bool rw = !(op->flags & KEEL_GRANT_MAP_READONLY);
    struct grant_pin pin;
    long h = maptrack_alloc(&gd->mt);
    int rc;

    if (h < 0)
        return (int)h;
    if ((rc = grant_pin(d->id, op->domid, op->ref, rw, &pin)))
        goto out_handle;
    /* the window's page tables are d's: handles < its grant_maps bound them */
    rc = as_map_charged(&d->as, handle_va((uint32_t)h), pin.pa,
                        KEEL_RIGHT_R | (rw ? KEEL_RIGHT_W : 0), AS_FOREIGN, &d->charge);
    if (rc)
        goto out_pin;
    maptrack_get_slot(&gd->mt, (uint32_t)h)->pin = pin;
    *handle = (uint32_t)h;
    return 0;
out_pin:
    grant_unpin(&pin);
out_handle:
    maptrack_free(&gd->mt, (uint32_t)h);
    return rc;
}

static void unmap_one(struct domain *d, struct grant_dom *gd, uint32_t h)
{
    struct grant_mapping *m = maptrack_get(&gd->mt, h);
    struct grant_pin pin = m->pin;

    as_unmap(&d->as, handle_va(h), NULL, NULL);    /* flushes our TLB entry */
    maptrack_free(&gd->mt, h);
    grant_unpin(&pin);
}

long grant_map(struct domain *d, uint64_t uop)
{
    struct keel_grant_map op;
    struct grant_dom *gd = d->grant;
    uint32_t h = 0;
    int rc;

    if ((rc = guest_range_check(d, uop, sizeof(op), KEEL_RIGHT_R | KEEL_RIGHT_W)))
        return rc;
    if ((rc = copy_from_guest(d, &op, uop, sizeof(op))))
        return rc;
    if ((op.flags & ~KEEL_GRANT_MAP_READONLY) || op.pad)
        return -KEEL_EINVAL;
    if ((rc = map_one(d, gd, &op, &h)))
        return rc;
    op.handle = h;
    op.va = handle_va(h);
    /* checked writable above; if d's rights changed since, do not leave a
     * map the caller cannot know about */
    if ((rc = copy_to_guest(d, uop, &op, sizeof(op))))
        unmap_one(d, gd, h);
    return rc;
}

long grant_unmap(struct domain *d, uint64_t handle)
{
    struct grant_dom *gd = d->grant;

    if (!maptrack_get(&gd->mt, handle))
        return -KEEL_EINVAL;
    unmap_one(d, gd, (uint32_t)handle);
    return 0;
}

/* d is dying: its vCPU has left every CPU, so no TLB holds its window. */
void grant_unmap_all(struct domain *d, struct grant_dom *gd)
{
    for (uint32_t h = 0; h < gd->mt.nr_chunks * MAPTRACK_CHUNK; h++)
        if (maptrack_get(&gd->mt, h))
            unmap_one(d, gd, h);
}

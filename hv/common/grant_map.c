/*
 * MAP and UNMAP: granted pages in the caller's grant window, or pinned for
 * the caller's device (KEEL_GRANT_MAP_DEVICE).
 *
 * The window PTE is AS_FOREIGN, so the grantee's as_destroy never frees the
 * frame; the pin keeps it alive until the PTE is gone.  The order is the
 * whole story: map only after pinning, unpin only after the PTE is removed
 * and the TLB entry flushed.  A domain has one vCPU and only that vCPU
 * changes its window, so its address space is the loaded one here and
 * as_unmap's local invlpg is the only flush needed: any other CPU that ran
 * this vCPU has reloaded CR3 since (arch_switch_to's rule).
 *
 * A device pin is the same pin and handle with no PTE: the caller's device
 * reaches the frame by its machine address, so only a domain trusted with
 * DMA (one that owns a PCI function, hv/pci.h) may ask.  The pin is what
 * keeps the frame the granter's page and out of every free list (END and
 * DECREASE are refused while it is pinned, a dying granter hands the frame
 * to the pin: grant_pin.c), exactly as for a map; a dying owner's devices
 * are quiesced before its pins go (domain_destroy's order).
 */
#include <hv/grant.h>
#include <hv/domain.h>
#include <hv/guest_access.h>
#include <hv/pci.h>

#define MAP_FLAGS (KEEL_GRANT_MAP_READONLY | KEEL_GRANT_MAP_DEVICE)

static uint64_t handle_va(uint32_t h)
{
    return KEEL_GRANT_WINDOW_VA + (uint64_t)h * PAGE_SIZE;
}

/* Pin, take a handle, map (not for a device); undo in reverse on failure.
 * *addr: the window address, or the frame's for a device pin. */
static int map_one(struct domain *d, struct grant_dom *gd, const struct keel_grant_map *op,
                   uint32_t *handle, uint64_t *addr)
{
    bool rw = !(op->flags & KEEL_GRANT_MAP_READONLY);
    bool device = op->flags & KEEL_GRANT_MAP_DEVICE;
    struct grant_mapping *m;
    struct grant_pin pin;
    long h = maptrack_alloc(&gd->mt);
    int rc;

    if (h < 0)
        return (int)h;
    if ((rc = grant_pin(d->id, op->domid, op->ref, rw, &pin)))
        goto out_handle;
    /* the window's page tables are d's: handles < its grant_maps bound them */
    if (!device && (rc = as_map_charged(&d->as, handle_va((uint32_t)h), pin.pa,
                                        KEEL_RIGHT_R | (rw ? KEEL_RIGHT_W : 0), AS_FOREIGN,
                                        &d->charge)))
        goto out_pin;
    m = maptrack_get_slot(&gd->mt, (uint32_t)h);
    m->pin = pin;
    m->device = device;
    *handle = (uint32_t)h;
    *addr = device ? pin.pa : handle_va((uint32_t)h);
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

    if (!m->device)
        as_unmap(&d->as, handle_va(h), NULL, NULL);    /* flushes our TLB entry */
    maptrack_free(&gd->mt, h);
    grant_unpin(&pin);
}

long grant_map(struct domain *d, uint64_t uop)
{
    struct keel_grant_map op;
    struct grant_dom *gd = d->grant;
    uint32_t h = 0;
    uint64_t addr = 0;
    int rc;

    if ((rc = guest_range_check(d, uop, sizeof(op), KEEL_RIGHT_R | KEEL_RIGHT_W)))
        return rc;
    if ((rc = copy_from_guest(d, &op, uop, sizeof(op))))
        return rc;
    if ((op.flags & ~MAP_FLAGS) || op.pad)
        return -KEEL_EINVAL;
    if ((op.flags & KEEL_GRANT_MAP_DEVICE) && !pci_owns_a_function(d))
        return -KEEL_EPERM;
    if ((rc = map_one(d, gd, &op, &h, &addr)))
        return rc;
    op.handle = h;
    if (op.flags & KEEL_GRANT_MAP_DEVICE)
        op.maddr = addr;
    else
        op.va = addr;
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

/* d is dying: its vCPU has left every CPU, so no TLB holds its window, and
 * its devices were quiesced (pci_domain_release), so none still uses a
 * frame it pinned. */
void grant_unmap_all(struct domain *d, struct grant_dom *gd)
{
    for (uint32_t h = 0; h < gd->mt.nr_chunks * MAPTRACK_CHUNK; h++)
        if (maptrack_get(&gd->mt, h))
            unmap_one(d, gd, h);
}

/*
 * Domctls on a guest's memory: foreign mappings into the privileged
 * domain's window, and page rights.  Pages shared from a boot module
 * (domctl_module.c) are not the guest's own: MAP_FOREIGN refuses them
 * (AS_OWNED only) and SET_RIGHTS never makes them writable.
 *
 * A foreign region maps frames the target owns; the target's foreign_refs
 * counts the regions, and DESTROY refuses a target with any (-KEEL_EBUSY),
 * so a mapping never outlives its frames.  Only the privileged domain's
 * own vCPU changes its window, so the window needs no lock.
 */
#include <hv/domctl.h>
#include <hv/foreign.h>
#include <hv/domain.h>
#include <hv/lib.h>

bool in_guest_memory(const struct domain *d, uint64_t gva, uint64_t npages)
{
    if (gva % PAGE_SIZE || gva < KEEL_GUEST_BASE || npages == 0)
        return false;
    uint64_t first = (gva - KEEL_GUEST_BASE) / PAGE_SIZE;
    return first <= d->mem_pages && npages <= d->mem_pages - first;
}

static void unmap_pages(struct domain *self, uint64_t va, uint64_t npages)
{
    uint64_t pa;
    unsigned flags;

    for (uint64_t i = 0; i < npages; i++)
        as_unmap(&self->as, va + i * PAGE_SIZE, &pa, &flags);
}

static int map_pages(struct domain *self, struct domain *t, uint64_t va,
                     uint64_t gva, uint64_t npages)
{
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa;
        unsigned rights, flags;
        int rc = as_lookup(&t->as, gva + i * PAGE_SIZE, &pa, &rights, &flags);
        if (rc == 0 && !(flags & AS_OWNED))
            rc = -KEEL_EINVAL;
        /* the window's page tables are the caller's, bounded by its
         * foreign_pages limit */
        if (rc == 0)
            rc = as_map_charged(&self->as, va + i * PAGE_SIZE, pa & PAGE_MASK,
                                KEEL_RIGHT_R | KEEL_RIGHT_W, AS_FOREIGN, &self->charge);
        if (rc) {
            unmap_pages(self, va, i);
            return rc;
        }
    }
    return 0;
}

long domctl_map_foreign(struct vcpu *v, struct keel_domctl *op)
{
    struct domain *self = v->domain, *t;
    uint64_t gva = op->u.map_foreign.gva, npages = op->u.map_foreign.npages;
    int rc = domctl_guest(v, op, &t), idx;

    if (rc)
        return rc;
    if (!self->fwin)
        return -KEEL_EPERM;
    if (!in_guest_memory(t, gva, npages))
        return -KEEL_EINVAL;
    idx = fwin_alloc(self->fwin, npages, t);
    if (idx < 0)
        return idx;
    uint64_t va = self->fwin->r[idx].va;
    /* the target's MEMORY_OP DECREASE cannot free a frame between the
     * lookup and the count that makes it refuse (memory.c) */
    spin_lock(&t->mem_lock);
    if (!(rc = map_pages(self, t, va, gva, npages)))
        __atomic_fetch_add(&t->foreign_refs, 1, __ATOMIC_ACQ_REL);
    spin_unlock(&t->mem_lock);
    if (rc) {
        fwin_remove(self->fwin, (unsigned)idx);
        return rc;
    }
    op->u.map_foreign.va = va;
    return 0;
}

long domctl_unmap_foreign(struct vcpu *v, struct keel_domctl *op)
{
    struct domain *self = v->domain;
    uint64_t va = op->u.unmap_foreign.va, npages = op->u.unmap_foreign.npages;
    int idx;

    if (!self->fwin)
        return -KEEL_EPERM;
    idx = fwin_find(self->fwin, va, npages);
    if (idx < 0)
        return idx;
    unmap_pages(self, va, npages);
    __atomic_fetch_sub(&self->fwin->r[idx].target->foreign_refs, 1, __ATOMIC_ACQ_REL);
    fwin_remove(self->fwin, (unsigned)idx);
    return 0;
}

int domctl_pages_are(const struct domain *t, uint64_t gva, uint64_t npages,
                     unsigned mask, unsigned want, int err)
{
    for (uint64_t i = 0; i < npages; i++) {
        unsigned flags;
        if (as_lookup(&t->as, gva + i * PAGE_SIZE, NULL, NULL, &flags))
            return -KEEL_EINVAL;
        if ((flags & mask) != want)
            return err;
    }
    return 0;
}

/* Only before the target first runs: its rights bound what it may grant
 * (grant_check_page), and a grant is checked once, when it is pinned.  A
 * guest that never ran has no grant table (only its own SETUP makes one),
 * so no pin can exist or appear while its rights change, and afterwards
 * only its own MEMORY_OP PROTECT changes them, never on a pinned page
 * (memory.c): no pin outlives the rights it was checked against, and no
 * CPU caches an entry that changes under it. */
long domctl_set_rights(struct vcpu *v, struct keel_domctl *op)
{
    uint64_t gva = op->u.set_rights.gva, npages = op->u.set_rights.npages;
    uint32_t rights = op->u.set_rights.rights;
    struct domain *t;
    int rc = domctl_new_guest(v, op, &t);

    if (rc)
        return rc;
    if (rights & ~(KEEL_RIGHT_R | KEEL_RIGHT_W | KEEL_RIGHT_X))
        return -KEEL_EINVAL;
    if ((rights & KEEL_RIGHT_W) && (rights & KEEL_RIGHT_X))
        return -KEEL_EINVAL;
    if (!in_guest_memory(t, gva, npages))
        return -KEEL_EINVAL;
    /* a shared module page (AS_READONLY, MAP_MODULE) never becomes
     * writable: checked for the whole range first, so a refused call
     * changes nothing (as_set_rights refuses it too) */
    if ((rights & KEEL_RIGHT_W) &&
        (rc = domctl_pages_are(t, gva, npages, AS_READONLY, 0, -KEEL_EACCES)))
        return rc;
    for (uint64_t i = 0; i < npages; i++)
        if ((rc = as_set_rights(&t->as, gva + i * PAGE_SIZE, rights)))
            return rc;
    return 0;
}

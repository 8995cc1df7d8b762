/*
 * KEEL_DOMCTL_MAP_MODULE: a guest's read-only pages become a boot module's
 * frames (keel/domctl.h has the contract).
 *
 * Why it is safe: boot modules are reserved at boot, whole pages, never in
 * the frame allocator and never freed, and never writable (dom0 sees them
 * r--).  A shared page is mapped AS_FOREIGN | AS_READONLY: as_destroy never
 * frees it, as_map/as_set_rights never give it KEEL_RIGHT_W, and every path
 * that hands a guest frame to someone else (MAP_FOREIGN, grant pins)
 * requires AS_OWNED, so it refuses it.  The guest has never run, dom0 holds
 * no foreign mapping of it and it has no grant table yet, so no CPU caches
 * its entries and nobody else holds the frames that are freed here.
 *
 * Every check comes first (check_args; then every page still the guest's
 * own: not shared already, not foreign); only then is anything
 * changed, page by page, with steps that cannot fail once checked.
 */
#include <hv/domctl.h>
#include <hv/domain.h>
#include <hv/sched.h>
#include <hv/lib.h>

static int check_args(const struct domain *t, const struct keel_domctl *op,
                      uint64_t *module_pa)
{
    uint64_t gva = op->u.map_module.gva, npages = op->u.map_module.npages;
    uint64_t offset = op->u.map_module.offset;
    uint32_t m = op->u.map_module.module, rights = op->u.map_module.rights;

    if (t->vcpu->started || t->state != KEEL_DOMSTATE_PAUSED ||
        __atomic_load_n(&t->foreign_refs, __ATOMIC_ACQUIRE))
        return -KEEL_EBUSY;
    if (rights & KEEL_RIGHT_W)
        return -KEEL_EACCES;
    if (!(rights & KEEL_RIGHT_R) || (rights & ~(KEEL_RIGHT_R | KEEL_RIGHT_X)))
        return -KEEL_EINVAL;
    if (m >= hv_nr_boot_modules || npages == 0)
        return -KEEL_EINVAL;
    /* whole pages only: a module's last partial page may hold bytes that
     * are not the module's (its loader's padding, or another module's) */
    uint64_t mpages = hv_boot_modules[m].bytes / PAGE_SIZE;
    if (offset > mpages || npages > mpages - offset)
        return -KEEL_EINVAL;
    if (gva % PAGE_SIZE || gva < KEEL_GUEST_BASE)
        return -KEEL_EINVAL;
    uint64_t first = (gva - KEEL_GUEST_BASE) / PAGE_SIZE;
    if (first > t->mem_pages || npages > t->mem_pages - first)
        return -KEEL_EINVAL;
    *module_pa = hv_boot_modules[m].phys + offset * PAGE_SIZE;
    return 0;
}

/* as_map into the entry as_unmap just cleared cannot fail (its table
 * stays, the arguments were checked); if it ever did, the guest's frame goes
 * back and the error is returned. */
static int share_page(struct domain *t, uint64_t va, uint64_t module_pa,
                      unsigned rights)
{
    uint64_t old;
    unsigned old_rights, flags;
    int rc = as_lookup(&t->as, va, NULL, &old_rights, NULL);

    if (rc || (rc = as_unmap(&t->as, va, &old, &flags)))
        return rc;
    if ((rc = as_map(&t->as, va, module_pa, rights, AS_FOREIGN | AS_READONLY))) {
        BUG_ON(as_map(&t->as, va, old, old_rights, flags));
        return rc;
    }
    frame_free(old);
    t->mem_frames--;                 /* no longer its own (GET_INFO) */
    return 0;
}

long domctl_map_module(struct vcpu *v, struct keel_domctl *op)
{
    uint64_t gva = op->u.map_module.gva, npages = op->u.map_module.npages;
    uint64_t module_pa = 0;
    struct domain *t;
    int rc = domctl_guest(v, op, &t);

    if (rc || (rc = check_args(t, op, &module_pa)) ||
        (rc = domctl_pages_are(t, gva, npages, AS_OWNED, AS_OWNED, -KEEL_EEXIST)))
        return rc;
    for (uint64_t i = 0; i < npages && !rc; i++)
        rc = share_page(t, gva + i * PAGE_SIZE, module_pa + i * PAGE_SIZE,
                        op->u.map_module.rights);
    return rc;
}

/*
 * MEMORY_OP: a domain's memory on demand (contract in keel/memory.h).
 *
 * The range the toolstack gave at CREATE, [KEEL_GUEST_BASE, + mem_pages
 * pages), is both where the pages may go and the most frames the domain
 * may hold (mem_frames <= mem_pages).  Frames come from the free frames no
 * reserve holds, less a floor kept for the hypervisor's own allocations
 * (CREATE of other domains, its heap), so a guest that grows until refused
 * harms nobody; its page tables come from there too and are bounded by the
 * range (the tables of a domain created whole).
 *
 * d->mem_lock serializes the changes with MAP_FOREIGN (domctl_mem.c), so a
 * frame dom0 maps cannot be given back under it; the grant table's lock,
 * taken inside, keeps pins out while DECREASE checks and frees
 * (grant_busy.c).  Only the domain's own vCPU, or dom0 before the domain
 * ever ran, gets here: as_unmap's local invlpg is the only flush needed
 * (any other CPU that ran this vCPU has reloaded CR3 since, the rule of
 * arch_switch_to that grant_map.c relies on too).
 *
 * PROTECT lowers (and gives back) the rights of pages that were read-write
 * and the domain's own: a page is one iff it is AS_OWNED and R|W now, or
 * AS_LOWERED (as_lower_rights set it when it took rights from an R|W
 * page; SET_RIGHTS clears it).  Text (R|X), read-only data (R), guard
 * pages, module and device pages never qualify, so nothing ever gets more
 * than it had.  The grant table's lock, held across the change like
 * DECREASE, keeps pins out: a pinned page is refused, and a pin made later
 * checks the new rights (grant_check_page), so no grantee ever writes a
 * page its granter cannot.
 */
#include <hv/domain.h>
#include <hv/domctl.h>
#include <hv/grant.h>
#include <hv/guest_access.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <keel/memory.h>

/* Frames kept free of any guest's growth, for the hypervisor's heap and
 * the fixed structures of the next CREATE. */
#define MEMORY_FLOOR_FRAMES 256u

static bool args_ok(const struct domain *d, uint64_t cmd, const struct keel_memory_op *op)
{
    unsigned any = KEEL_RIGHT_R | KEEL_RIGHT_W;
    bool protect = cmd == KEEL_MEMORY_PROTECT;

    if (protect ? op->rights & ~any || op->rights == KEEL_RIGHT_W : op->rights != 0)
        return false;
    if (op->pad || op->npages == 0 || op->npages > KEEL_MEMORY_OP_MAX_PAGES)
        return false;
    if (op->gva % PAGE_SIZE || op->gva < KEEL_GUEST_BASE)
        return false;
    uint64_t first = (op->gva - KEEL_GUEST_BASE) / PAGE_SIZE;
    return first < d->mem_pages && op->npages <= d->mem_pages - first;
}

static bool room_for(const struct domain *d, uint64_t npages)
{
    uint64_t free = frames_free_count(), held = frames_reserved_count();
    uint64_t need = npages + npages / 512 + 4 + MEMORY_FLOOR_FRAMES;

    return npages <= d->mem_pages - d->mem_frames && free >= held && free - held >= need;
}

static void give_back(struct domain *d, uint64_t gva, uint64_t npages)
{
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa;
        unsigned flags;
        if (!as_unmap(&d->as, gva + i * PAGE_SIZE, &pa, &flags))
            frame_free(pa & PAGE_MASK);
    }
    d->mem_frames -= npages;
}

static long increase(struct domain *d, uint64_t gva, uint64_t npages)
{
    for (uint64_t i = 0; i < npages; i++)
        if (!as_lookup(&d->as, gva + i * PAGE_SIZE, NULL, NULL, NULL))
            return -KEEL_EEXIST;
    if (!room_for(d, npages))
        return -KEEL_ENOMEM;
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa = frame_alloc_zeroed();
        int rc = pa ? as_map(&d->as, gva + i * PAGE_SIZE, pa,
                             KEEL_RIGHT_R | KEEL_RIGHT_W, AS_OWNED) : -KEEL_ENOMEM;
        if (rc) {
            if (pa)
                frame_free(pa);
            give_back(d, gva, i);
            return -KEEL_ENOMEM;
        }
        d->mem_frames++;
    }
    return 0;
}

static long decrease(struct domain *d, uint64_t gva, uint64_t npages)
{
    struct grant_table *held;
    long rc;

    if ((rc = domctl_pages_are(d, gva, npages, AS_OWNED, AS_OWNED, -KEEL_EINVAL)))
        return rc;
    if (__atomic_load_n(&d->foreign_refs, __ATOMIC_ACQUIRE))
        return -KEEL_EBUSY;
    if (!(rc = grant_pages_hold(d, gva, npages, &held)))
        give_back(d, gva, npages);
    grant_pages_release(held);
    return rc;
}

/* Was the page at gva read-write and its domain's own (see the top)? */
static bool was_read_write(const struct domain *d, uint64_t gva)
{
    unsigned rights, flags;

    if (as_lookup(&d->as, gva, NULL, &rights, &flags))
        return false;
    if ((flags & ~AS_LOWERED) != AS_OWNED)
        return false;
    return rights == (KEEL_RIGHT_R | KEEL_RIGHT_W) || (flags & AS_LOWERED);
}

static long protect(struct domain *d, uint64_t gva, uint64_t npages, unsigned rights)
{
    struct grant_table *held;
    long rc;

    for (uint64_t i = 0; i < npages; i++)
        if (!was_read_write(d, gva + i * PAGE_SIZE))
            return -KEEL_EINVAL;
    if (!(rc = grant_pages_hold(d, gva, npages, &held)))
        for (uint64_t i = 0; i < npages; i++)
            as_lower_rights(&d->as, gva + i * PAGE_SIZE, rights);
    grant_pages_release(held);
    return rc;
}

/* The caller itself, or (privileged) a guest it is building. */
static long target(struct vcpu *v, keel_domid_t domid, struct domain **out)
{
    struct domain *self = v->domain, *t;

    if (domid == KEEL_DOMID_SELF || domid == self->id) {
        *out = self;
        return 0;
    }
    if (!self->privileged)
        return -KEEL_EPERM;
    if (!(t = domain_lookup(domid)) || t->privileged)
        return -KEEL_ESRCH;
    if (t->vcpu->started)
        return -KEEL_EBUSY;
    *out = t;
    return 0;
}

long hc_memory_op(struct vcpu *v, const struct hc_args *args)
{
    uint64_t cmd = args->a[0];
    struct keel_memory_op op;
    struct domain *d;
    long rc;

    if (cmd != KEEL_MEMORY_INCREASE && cmd != KEEL_MEMORY_DECREASE &&
        cmd != KEEL_MEMORY_PROTECT)
        return -KEEL_ENOSYS;
    if (copy_from_guest(v->domain, &op, args->a[1], sizeof(op)))
        return -KEEL_EFAULT;
    if ((rc = target(v, op.domid, &d)))
        return rc;
    if (!args_ok(d, cmd, &op))
        return -KEEL_EINVAL;
    spin_lock(&d->mem_lock);
    if (cmd == KEEL_MEMORY_INCREASE)
        rc = increase(d, op.gva, op.npages);
    else if (cmd == KEEL_MEMORY_DECREASE)
        rc = decrease(d, op.gva, op.npages);
    else
        rc = protect(d, op.gva, op.npages, op.rights);
    spin_unlock(&d->mem_lock);
    return rc;
}

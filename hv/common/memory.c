/*
 * MEMORY_OP: a domain's memory on demand (contract in keel/memory.h).
 *
 * The range the toolstack gave at CREATE, [KEEL_GUEST_BASE, + mem_pages
 * pages), is both where the pages may go and the most frames the domain
 * may hold (mem_frames <= mem_pages).  Frames come from the free frames no
 * reserve holds, less a floor kept for the hypervisor's own allocations
 * (CREATE of other domains, its heap), so a guest that grows until refused
 * harms nobody.  INCREASE reserves the pages and the page tables they may
 * need at once, under the allocator's lock and only above the floor
 * (charge_open_keeping), then takes them out of that reservation: two
 * CPUs growing at once cannot both pass a check that only one of them
 * fits, and nothing after the reservation can fail.  The tables it made
 * are charged to the domain (charge_count: GET_INFO's hv_frames), bounded
 * by its range (keel_memory_tables), and the rest of the reservation goes
 * back at once.
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

#define TABLE_SPAN (512 * PAGE_SIZE)          /* what one page table maps */
#define DIR_SPAN   (512 * TABLE_SPAN)         /* what one page directory maps */

_Static_assert(KEEL_GUEST_BASE % TABLE_SPAN == 0 && KEEL_SHARED_INFO_VA < DIR_SPAN &&
               KEEL_GUEST_BASE + KEEL_GUEST_MAX_BYTES <= 512 * DIR_SPAN,
               "the range's tables are PTs and PDs under CREATE's PDPT (keel_memory_tables)");

static bool args_ok(const struct domain *d, uint64_t cmd, const struct keel_memory_op *op)
{
    unsigned any = KEEL_RIGHT_R | KEEL_RIGHT_W;
    bool protect = cmd == KEEL_MEMORY_PROTECT;

    if (protect ? op->rights & ~any || op->rights == KEEL_RIGHT_W : op->rights != 0)
        return false;
    if (op->pad || op->npages == 0 || op->npages > KEEL_MEMORY_OP_MAX_PAGES)
        return false;
    return in_guest_memory(d, op->gva, op->npages);
}

/* The page tables backing [gva, + npages pages) may make: a PT for each
 * 2 MiB it touches that has none, a PD for each GiB past the first it
 * touches (it may exist: an overestimate, given back).  Under mem_lock, so
 * nobody else makes them meanwhile. */
static uint64_t tables_wanted(const struct domain *d, uint64_t gva, uint64_t npages)
{
    uint64_t end = gva + npages * PAGE_SIZE, n = 0;

    for (uint64_t va = gva - gva % TABLE_SPAN; va < end; va += TABLE_SPAN)
        n += !as_has_table(&d->as, va);
    for (uint64_t g = gva / DIR_SPAN; g <= (end - 1) / DIR_SPAN; g++)
        n += g > 0;
    return n;
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

/* Back the pages out of `take`, which holds them and their tables: never
 * short, but an as_map that failed all the same gives back what it had.
 * *pages: the frames it took for pages (freed again or not). */
static long back_pages(struct domain *d, uint64_t gva, uint64_t npages,
                       struct hv_charge *take, uint64_t *pages)
{
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa = charge_frame(take);
        *pages += pa != 0;
        int rc = pa ? as_map_charged(&d->as, gva + i * PAGE_SIZE, pa,
                                     KEEL_RIGHT_R | KEEL_RIGHT_W, AS_OWNED, take) : -KEEL_ENOMEM;
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

long memory_increase(struct domain *d, uint64_t gva, uint64_t npages)
{
    struct hv_charge take;
    uint64_t pages = 0;
    long rc;

    for (uint64_t i = 0; i < npages; i++)
        if (!as_lookup(&d->as, gva + i * PAGE_SIZE, NULL, NULL, NULL))
            return -KEEL_EEXIST;
    if (npages > d->mem_pages - d->mem_frames ||
        charge_open_keeping(&take, npages + tables_wanted(d, gva, npages),
                            KEEL_MEMORY_FLOOR_FRAMES))
        return -KEEL_ENOMEM;
    rc = back_pages(d, gva, npages, &take, &pages);
    charge_count(&d->charge, take.used - pages);   /* the tables: kept until DESTROY */
    charge_close(&take);                           /* the rest of the reservation */
    return rc;
}

/* The privileged domain maps d's memory (MAP_FOREIGN, under mem_lock like
 * us): its pages may not be taken away nor their rights lowered
 * (keel/memory.h, -KEEL_EBUSY). */
static bool foreign_mapped(const struct domain *d)
{
    return __atomic_load_n(&d->foreign_refs, __ATOMIC_ACQUIRE) != 0;
}

static long decrease(struct domain *d, uint64_t gva, uint64_t npages)
{
    struct grant_table *held;
    long rc;

    if ((rc = domctl_pages_are(d, gva, npages, AS_OWNED, AS_OWNED, -KEEL_EINVAL)))
        return rc;
    if (foreign_mapped(d))
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
    if (foreign_mapped(d))
        return -KEEL_EBUSY;
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
        rc = memory_increase(d, op.gva, op.npages);
    else if (cmd == KEEL_MEMORY_DECREASE)
        rc = decrease(d, op.gva, op.npages);
    else
        rc = protect(d, op.gva, op.npages, op.rights);
    spin_unlock(&d->mem_lock);
    return rc;
}

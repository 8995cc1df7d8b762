/*
 * A guest's stack backed on first touch (KEEL_DOMCTL_SET_STACK, contract in
 * keel/domctl.h).
 *
 * The toolstack names the stack's range once, before the guest first runs;
 * a not-present access to a page of it that has no frame (from the guest's
 * ring-3 code: hv_guest_exception; from a hypercall of its own:
 * guest_access.c) gets what MEMORY_OP INCREASE of that page gives (it is
 * that call: memory_increase), a zeroed frame counted in mem_frames, its
 * page tables charged.  So a
 * guest with a 256 KiB stack holds frames for the few pages it uses, and
 * its limits do not change: the page is inside its memory (at most
 * mem_pages frames), and the machine keeps the same floor as for INCREASE,
 * so a guest growing its stack never takes what a reserve holds for
 * another.  Anything else (a page outside the range: the guard page below
 * it; a page mapped but not present: PROTECT lowered it to 0; growth
 * refused) is the fault it was, and the guest alone dies of it.
 *
 * Only the domain's own vCPU backs its stack, under its mem_lock like
 * MEMORY_OP (MAP_FOREIGN of dom0 takes it too); a not-present entry is
 * never cached in a TLB, so mapping it needs no flush anywhere.
 */
#include <hv/domain.h>
#include <hv/domctl.h>
#include <hv/lib.h>

#define PF_PRESENT  1u
#define PF_RESERVED 8u
#define PF_FETCH    16u

long domctl_set_stack(struct vcpu *v, struct keel_domctl *op)
{
    uint64_t gva = op->u.set_stack.gva, npages = op->u.set_stack.npages;
    struct domain *t;
    int rc = domctl_new_guest(v, op, &t);

    if (rc)
        return rc;
    if (op->u.set_stack.pad || !in_guest_memory(t, gva, npages))
        return -KEEL_EINVAL;
    t->stack_lo = gva;
    t->stack_hi = gva + npages * PAGE_SIZE;
    return 0;
}

/* Back the page holding gva if it is an unbacked page of d's stack. */
static bool back_stack_page(struct domain *d, uint64_t gva)
{
    uint64_t page = gva & PAGE_MASK;
    bool backed;

    if (gva < d->stack_lo || gva >= d->stack_hi)
        return false;
    spin_lock(&d->mem_lock);
    backed = memory_increase(d, page, 1) == 0;
    spin_unlock(&d->mem_lock);
    return backed;
}

bool stack_fault(struct domain *d, uint64_t cr2, uint64_t error_code)
{
    if (error_code & (PF_PRESENT | PF_RESERVED | PF_FETCH))
        return false;
    return back_stack_page(d, cr2);
}

bool stack_touch(struct domain *d, uint64_t gva)
{
    struct vcpu *cur = this_cpu()->current;

    return cur && cur->domain == d && back_stack_page(d, gva);
}

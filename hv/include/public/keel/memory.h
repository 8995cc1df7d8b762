/*
 * Memory on demand: KEEL_HC_MEMORY_OP(uint32_t cmd, struct keel_memory_op *op).
 *
 * A domain's memory is the range [KEEL_GUEST_BASE, KEEL_GUEST_BASE +
 * mem_pages pages) its toolstack gave it at CREATE (keel/domctl.h): that
 * range is also its maximum.  The toolstack may create it with only some
 * of those pages backed (KEEL_CREATE_ON_DEMAND) and back the pages it
 * needs to reach main; the guest asks for the others when it needs them
 * (its heap growing) and gives pages back when it no longer does.
 *
 *   INCREASE(gva, npages)   back each page of [gva, gva + npages pages)
 *                           with a new zeroed frame, rw- NX.  All or
 *                           nothing.
 *   DECREASE(gva, npages)   give the frames of those pages back; the pages
 *                           are unmapped (an access faults).  All or nothing.
 *   PROTECT(gva, npages, rights)
 *                           set the rights of pages that are read-write
 *                           memory of the domain's own (backed by INCREASE
 *                           or at CREATE rw-) to KEEL_RIGHT_R | KEEL_RIGHT_W,
 *                           KEEL_RIGHT_R (a write faults and the guest
 *                           is killed) or 0 (not present: any access
 *                           faults); never executable.  A page keeps
 *                           its frame and is always NX.  It may go back to
 *                           read-write later; no other page (text r-x,
 *                           read-only data, guard pages, module, device or
 *                           shared pages) ever changes.  All or nothing.
 *
 * Arguments and errors (checked before anything changes):
 *   cmd unknown                                          -KEEL_ENOSYS
 *   pad != 0, npages 0 or > KEEL_MEMORY_OP_MAX_PAGES,
 *   rights != 0 for INCREASE / DECREASE, rights other
 *   than R|W, R or 0 for PROTECT,
 *   gva not page aligned, or the range not inside the
 *   domain's memory (its text is inside; the shared-info
 *   page, grant window and device windows are not)       -KEEL_EINVAL
 *   INCREASE: a page of the range backed already         -KEEL_EEXIST
 *   INCREASE: the domain would hold more than mem_pages
 *   frames, or the machine has no frames left that no
 *   domain's reserve holds (beyond a floor kept for the
 *   hypervisor's own structures)                         -KEEL_ENOMEM
 *   DECREASE: a page not backed by a frame the domain
 *   owns (unbacked, or shared read-only from its image)  -KEEL_EINVAL
 *   PROTECT: a page not read-write memory the domain
 *   owns (unbacked, text, read-only data, a guard page,
 *   a module page; pages PROTECT lowered do qualify)      -KEEL_EINVAL
 *   DECREASE, PROTECT: a page holds the domain's grant table, is
 *   pinned by a grant someone maps, pins for a device or copies, or the
 *   privileged domain maps the domain's memory           -KEEL_EBUSY
 *   domid other than KEEL_DOMID_SELF (or the caller's
 *   own id) from an unprivileged domain                  -KEEL_EPERM
 *   domid of another domain from the privileged one: it
 *   must be a guest that has never run                   -KEEL_ESRCH / -KEEL_EBUSY
 *   op not readable / writable                           -KEEL_EFAULT
 *
 * A refused call changes nothing and harms nobody: the guest's libos turns
 * -KEEL_ENOMEM into malloc returning NULL with errno ENOMEM.
 *
 * Pages PROTECT lowered: the hypervisor honours their rights in everything
 * it does for the domain.  A hypercall that would write one (or read one
 * of rights 0) fails -KEEL_EFAULT; granting one writable (or one of rights
 * 0 at all) fails when a grantee maps or copies it (-KEEL_EACCES,
 * keel/grant.h), and PROTECT refuses a page a grant pins, so a grantee
 * never writes a page its granter cannot.  DECREASE gives them back like
 * any owned page (INCREASE then backs a fresh read-write one); INCREASE
 * of one is -KEEL_EEXIST.  The domain's own vCPU sees the change on
 * return (the hypervisor flushes its TLB entries).
 *
 * Accounting.  The frames come out of the machine's free frames that no
 * domain has reserved (keel/domctl.h, "reserve"), first come first served:
 * a guest's growth never takes what is reserved for another, and nothing
 * is set aside for it in advance.  INCREASE takes the frames it backs and
 * the page tables it may have to make in one step, atomic with every
 * other CPU's, and only if KEEL_MEMORY_FLOOR_FRAMES frames no reserve
 * holds are left after it: the hypervisor keeps those for its own
 * structures (the next CREATE) whatever guests grow at once.  The page
 * tables INCREASE makes are charged to the domain: GET_INFO's hv_frames
 * and hv_frames_max both count them (hv_frames_max is the reserve of its
 * limits plus them), at most keel_memory_tables(mem_pages) over its life,
 * kept until DESTROY.  They are not reserved at CREATE (the frames they
 * map are not either): when the machine has no frame for a table,
 * INCREASE is -KEEL_ENOMEM like for a page, nothing taken.  GET_INFO's
 * mem_frames is how many frames back its memory now.  DESTROY gives every
 * frame back.
 */
#ifndef KEEL_PUBLIC_MEMORY_H
#define KEEL_PUBLIC_MEMORY_H

#include "abi.h"

#define KEEL_MEMORY_INCREASE  1
#define KEEL_MEMORY_DECREASE  2
#define KEEL_MEMORY_PROTECT   3

/* Pages one call may change: bounds the time one hypercall takes (every
 * frame is zeroed); ask again for more. */
#define KEEL_MEMORY_OP_MAX_PAGES  1024u

/* Free frames no reserve holds that INCREASE always leaves (1 MiB). */
#define KEEL_MEMORY_FLOOR_FRAMES  256u

/* The most page tables INCREASE makes for a domain of mem_pages pages
 * (mem_pages <= KEEL_GUEST_MAX_BYTES / KEEL_PAGE_SIZE): a page table per
 * 2 MiB of its range (KEEL_GUEST_BASE is 2 MiB aligned) and a page
 * directory per GiB it reaches past the first (whose directory, like the
 * top two levels, CREATE makes for the shared-info page).  A domain
 * created with all its memory has them from CREATE instead. */
static inline uint64_t keel_memory_tables(uint64_t mem_pages)
{
    uint64_t end = KEEL_GUEST_BASE + mem_pages * KEEL_PAGE_SIZE;

    return (mem_pages + 511) / 512 + (end - 1) / (1ull << 30);
}

struct keel_memory_op {
    uint64_t gva;          /* first page, page aligned */
    uint64_t npages;       /* 1 .. KEEL_MEMORY_OP_MAX_PAGES */
    keel_domid_t domid;    /* KEEL_DOMID_SELF, or a guest being built (privileged) */
    uint16_t rights;       /* PROTECT: KEEL_RIGHT_R [| KEEL_RIGHT_W], or 0; else 0 */
    uint32_t pad;
};

#endif /* KEEL_PUBLIC_MEMORY_H */

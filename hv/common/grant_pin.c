/*
 * Pinning a grant: the one place where a grant entry is read and a granted
 * frame is resolved.  A pin (a map, or a copy while it runs) counts in the
 * reference's active record and holds a reference on the granter's
 * grant_table, so neither the record nor the frame can go while it exists.
 *
 * The entry is read once, validated, and then the in-use bit is set with a
 * compare-and-swap against exactly the value validated: a granter ending
 * the grant itself (cmpxchg of flags to 0) and a grantee pinning it cannot
 * both succeed.  The hypervisor's own counts, not those bits, decide
 * whether END may proceed and whether a frame may be freed.
 */
#include <hv/grant.h>
#include <hv/domain.h>

#define PIN_TRIES 4   /* entry changed under us this often: -KEEL_EAGAIN */

uint64_t *grant_entry_ptr(struct grant_table *gt, uint32_t ref)
{
    ref = (uint32_t)index_nospec(ref, gt->nr_entries);   /* checked by the caller */
    uint64_t *page = phys_to_virt(gt->table_pa[ref / KEEL_GRANT_ENTRIES_PER_PAGE]);

    return page + ref % KEEL_GRANT_ENTRIES_PER_PAGE;
}

static bool pinned(const struct grant_active *a)
{
    return a->pins_ro || a->pins_rw;
}

/* The frame behind page index `page` of the granter, for a use the
 * granter's own rights on that page allow (grant_check_page): only frames
 * it owns, nothing of a page it cannot read, nothing writable of a page it
 * cannot write.  After it has run only its own MEMORY_OP PROTECT changes
 * them (SET_RIGHTS is refused then, domctl_mem.c), under gt->lock and
 * never on a pinned page (memory.c), and it has no table before, so what
 * is checked here holds for as long as the pin lasts. */
static int resolve_frame(struct domain *g, uint32_t page, bool rw, uint64_t *pa)
{
    unsigned rights, flags;
    int rc;

    if (page >= g->mem_pages)
        return -KEEL_EINVAL;
    if (as_lookup(&g->as, KEEL_GUEST_BASE + (uint64_t)page * PAGE_SIZE, pa, &rights, &flags))
        return -KEEL_EINVAL;
    if ((rc = grant_check_page(rights, flags, rw)))
        return rc;
    *pa &= PAGE_MASK;
    return 0;
}

/* Validate entry e for this use and find its frame; under gt->lock. */
static int check_use(struct grant_table *gt, struct grant_active *a, uint64_t e,
                     keel_domid_t caller, bool rw, uint64_t *pa)
{
    int rc = grant_check_entry(e, caller, rw);

    if (rc)
        return rc;
    if ((rc = resolve_frame(gt->dom, grant_entry_page(e), rw, pa)))
        return rc;
    /* in use: the frame was fixed by the first pin; the entry must agree */
    if (pinned(a) && grant_entry_page(e) != a->page)
        return -KEEL_EBUSY;
    return 0;
}

static int pin_locked(struct grant_table *gt, keel_domid_t caller, uint32_t ref,
                      bool rw, uint64_t *pa)
{
    struct grant_active *a;
    uint64_t *ep, e;
    int rc = -KEEL_EAGAIN;

    if (gt->dead)
        return -KEEL_ESRCH;
    if (ref >= gt->nr_entries)
        return -KEEL_EINVAL;
    if (!(a = grant_active_get(gt, ref)))
        return -KEEL_ENOMEM;
    ep = grant_entry_ptr(gt, ref);
    for (int i = 0; i < PIN_TRIES && rc == -KEEL_EAGAIN; i++) {
        e = __atomic_load_n(ep, __ATOMIC_ACQUIRE);
        rc = check_use(gt, a, e, caller, rw, pa);
        uint64_t busy = e | (rw ? KEEL_GTF_WRITING : KEEL_GTF_READING);
        if (!rc && !__atomic_compare_exchange_n(ep, &e, busy, false, __ATOMIC_ACQ_REL,
                                                __ATOMIC_ACQUIRE))
            rc = -KEEL_EAGAIN;
    }
    if (rc)
        return rc;
    if (!pinned(a)) {
        *a = (struct grant_active){ .pa = *pa, .page = grant_entry_page(e) };
        gt->nr_pinned++;
    }
    if (rw)
        a->pins_rw++;
    else
        a->pins_ro++;
    return 0;
}

int grant_pin(keel_domid_t caller, uint32_t granter, uint32_t ref, bool rw,
              struct grant_pin *out)
{
    struct grant_table *gt;
    keel_domid_t gid;
    uint64_t pa = 0;
    int rc = grant_resolve_domid(granter, caller, &gid);

    if (rc)
        return rc;
    gt = grant_table_get(gid);
    if (!gt)
        return domain_lookup(gid) ? -KEEL_ENOENT : -KEEL_ESRCH;
    spin_lock(&gt->lock);
    rc = pin_locked(gt, caller, ref, rw, &pa);
    spin_unlock(&gt->lock);
    if (rc) {
        grant_table_put(gt);
        return rc;
    }
    /* the lookup's reference now belongs to the pin */
    *out = (struct grant_pin){ .gt = gt, .ref = ref, .rw = rw, .pa = pa };
    return 0;
}

/* The granter is dead and record a was the owner of its frame: hand the
 * frame to another record still pinning it (the same page may be granted
 * under several references), or free it.  Only for dead tables, so the
 * scan costs nothing in the common case. */
static void release_orphan(struct grant_table *gt, struct grant_active *a)
{
    uint32_t i = 0;
    struct grant_active *o;

    a->owns_frame = false;
    while ((o = grant_active_next(gt, &i))) {
        if (o != a && pinned(o) && o->pa == a->pa) {
            o->owns_frame = true;
            return;
        }
    }
    frame_free(a->pa);
}

void grant_unpin(struct grant_pin *p)
{
    struct grant_table *gt = p->gt;
    struct grant_active *a;

    spin_lock(&gt->lock);
    a = grant_active_find(gt, p->ref);     /* pinned: it exists */
    uint32_t *count = p->rw ? &a->pins_rw : &a->pins_ro;
    BUG_ON(*count == 0);
    if (--*count == 0 && !gt->dead) {
        uint64_t bit = p->rw ? KEEL_GTF_WRITING : KEEL_GTF_READING;
        __atomic_fetch_and(grant_entry_ptr(gt, p->ref), ~bit, __ATOMIC_RELEASE);
    }
    if (!pinned(a)) {
        gt->nr_pinned--;
        if (a->owns_frame)
            release_orphan(gt, a);
    }
    spin_unlock(&gt->lock);
    grant_table_put(gt);
    p->gt = NULL;
}

/* The granter d is dying (no vCPU, memory not yet freed): take every pinned
 * frame out of its address space, so that as_destroy leaves it alone, and
 * give it to the record pinning it.  A page pinned under several references
 * is taken once; the others find it gone and share through release_orphan. */
void grant_table_orphan_frames(struct grant_table *gt, struct domain *d)
{
    uint32_t i = 0;
    struct grant_active *a;

    while ((a = grant_active_next(gt, &i))) {
        uint64_t va = KEEL_GUEST_BASE + (uint64_t)a->page * PAGE_SIZE, pa;
        unsigned rights, flags;

        if (!pinned(a) || as_lookup(&d->as, va, &pa, &rights, &flags))
            continue;
        if ((pa & PAGE_MASK) != a->pa || !(flags & AS_OWNED))
            continue;
        as_unmap(&d->as, va, NULL, NULL);
        a->owns_frame = true;
    }
}

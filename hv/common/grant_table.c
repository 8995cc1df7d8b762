/*
 * Granter state: the per-domain grant records, found by domid, and the
 * table's life: SETUP, END, and the granter's death.
 *
 * grant_doms[] is the only way from a domid to grant state, and it is
 * changed only under grant_index_lock: a domain's entry (d->grant, made at
 * CREATE) is published once the domain has its id and removed by
 * grant_domain_destroy before anything is freed.
 * Someone holding a grant_table reference (taken under that lock) may use
 * the struct after the granter died; the table then reads as dead and its
 * guest memory is never touched again.
 */
#include <hv/grant.h>
#include <hv/domain.h>
#include <hv/guest_access.h>

static spinlock_t grant_index_lock = SPINLOCK_INIT;
static struct grant_dom *grant_doms[DOMAIN_TABLE_SIZE];

/* Everything of fixed size at CREATE, so that SETUP and the first MAP
 * allocate nothing but frames out of the domain's charge. */
int grant_domain_init(struct domain *d)
{
    struct grant_dom *gd = kzalloc(sizeof(*gd));

    if (!gd)
        return -KEEL_ENOMEM;
    d->grant = gd;
    maptrack_init(&gd->mt, &d->charge, d->limits.grant_maps);
    gd->spare = kzalloc(sizeof(*gd->spare));
    return gd->spare ? 0 : -KEEL_ENOMEM;
}

void grant_domain_publish(struct domain *d)
{
    spin_lock(&grant_index_lock);
    grant_doms[d->id] = d->grant;
    spin_unlock(&grant_index_lock);
}

void grant_domain_free(struct domain *d)
{
    struct grant_dom *gd = d->grant;

    if (!gd)
        return;
    maptrack_destroy(&gd->mt);
    kfree(gd->spare);
    kfree(gd);
    d->grant = NULL;
}

struct grant_table *grant_table_get(keel_domid_t id)
{
    struct grant_table *gt = NULL;

    spin_lock(&grant_index_lock);
    if (id < DOMAIN_TABLE_SIZE && grant_doms[id])
        gt = grant_doms[id]->gt;
    if (gt)
        __atomic_fetch_add(&gt->refs, 1, __ATOMIC_RELAXED);
    spin_unlock(&grant_index_lock);
    return gt;
}

void grant_table_put(struct grant_table *gt)
{
    if (__atomic_sub_fetch(&gt->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    BUG_ON(gt->nr_pinned);       /* every pin holds a reference */
    grant_active_free(gt);
    kfree(gt);
}

/* The frames of the table pages; the range was checked R|W already. */
static int table_frames(struct domain *d, uint64_t gva, uint32_t pages, uint64_t *pa)
{
    for (uint32_t i = 0; i < pages; i++) {
        unsigned rights, flags;
        if (as_lookup(&d->as, gva + i * PAGE_SIZE, &pa[i], &rights, &flags) ||
            !(flags & AS_OWNED))
            return -KEEL_EINVAL;
        pa[i] &= PAGE_MASK;
    }
    return 0;
}

/* The first SETUP's table: the one made at CREATE. */
static struct grant_table *table_new(struct domain *d, struct grant_dom *gd)
{
    struct grant_table *gt = gd->spare;

    gd->spare = NULL;
    gt->lock = (spinlock_t)SPINLOCK_INIT;
    gt->refs = 1;                /* the living granter's */
    gt->dom = d;
    gt->charge = &d->charge;
    spin_lock(&grant_index_lock);
    gd->gt = gt;
    spin_unlock(&grant_index_lock);
    return gt;
}

long grant_setup(struct domain *d, uint64_t gva, uint64_t nr_entries)
{
    uint64_t pa[GRANT_TABLE_MAX_PAGES];
    struct grant_dom *gd = d->grant;
    struct grant_table *gt;
    uint32_t pages;
    int rc = grant_check_setup(gva, nr_entries, d->mem_pages);

    if (rc)
        return rc;
    if (nr_entries > d->limits.grant_entries)
        return -KEEL_ENOSPC;         /* its records could outgrow its reserve */
    pages = (uint32_t)((nr_entries + KEEL_GRANT_ENTRIES_PER_PAGE - 1) / KEEL_GRANT_ENTRIES_PER_PAGE);
    if ((rc = guest_range_check(d, gva, pages * PAGE_SIZE, KEEL_RIGHT_R | KEEL_RIGHT_W)))
        return rc;
    if ((rc = table_frames(d, gva, pages, pa)))
        return rc;
    gt = gd->gt ? gd->gt : table_new(d, gd);
    /* Active records are made on first pin (grant_active.c); with nothing
     * pinned, every record that exists is unpinned: nothing to reset. */
    spin_lock(&gt->lock);
    if (gt->nr_pinned) {
        spin_unlock(&gt->lock);
        return -KEEL_EBUSY;
    }
    gt->nr_entries = (uint32_t)nr_entries;
    memcpy(gt->table_pa, pa, pages * sizeof(pa[0]));
    spin_unlock(&gt->lock);
    return 0;
}

long grant_end(struct domain *d, uint64_t ref)
{
    struct grant_table *gt = d->grant->gt;
    struct grant_active *a;
    long rc = 0;

    if (!gt)
        return -KEEL_ENOENT;
    spin_lock(&gt->lock);
    if (ref >= gt->nr_entries) {
        rc = -KEEL_EINVAL;
    } else if ((a = grant_active_find(gt, (uint32_t)ref)) && (a->pins_ro || a->pins_rw)) {
        rc = -KEEL_EBUSY;
    } else {
        uint64_t *ep = grant_entry_ptr(gt, (uint32_t)ref);
        uint64_t e = __atomic_fetch_and(ep, ~0xffffull, __ATOMIC_ACQ_REL);
        if (!(grant_entry_flags(e) & KEEL_GTF_PERMIT))
            rc = -KEEL_ENOENT;
    }
    spin_unlock(&gt->lock);
    return rc;
}

/* The granter dies: no new pins, pinned frames survive it (see grant.h). */
static void table_die(struct grant_table *gt, struct domain *d)
{
    spin_lock(&gt->lock);
    grant_table_orphan_frames(gt, d);
    gt->dead = true;
    gt->dom = NULL;
    gt->charge = NULL;
    spin_unlock(&gt->lock);
    grant_table_put(gt);
}

void grant_domain_destroy(struct domain *d)
{
    struct grant_dom *gd = d->grant;

    spin_lock(&grant_index_lock);
    grant_doms[d->id] = NULL;
    spin_unlock(&grant_index_lock);
    /* its maps first: it may have mapped its own grants */
    grant_unmap_all(d, gd);
    if (gd->gt)
        table_die(gd->gt, d);
    gd->gt = NULL;                   /* the last pin frees it */
}

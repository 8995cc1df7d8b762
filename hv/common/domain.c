/*
 * The domain table and the birth and death of domains.
 *
 * A domain is created paused with all of its memory: mem_pages zeroed
 * frames mapped at KEEL_GUEST_BASE (rw, NX, AS_OWNED), or none of it with
 * KEEL_CREATE_ON_DEMAND (MEMORY_OP backs pages later, memory.c), plus a shared-info
 * frame, every structure of fixed size it will need (vCPU and FPU area,
 * port and grant bookkeeping), and the reserve its limits call for
 * (hv/domain.h).  Creation either succeeds completely or returns every
 * frame it took.  Destruction waits until the vCPU has left every CPU,
 * gives the untaken part of the reserve back, and then frees the address
 * space (which frees every AS_OWNED frame and the page tables), the
 * shared-info frame, the vCPU and the struct: frames_free_count() is back
 * where it was before CREATE (once the last map of its grants is gone).
 *
 * The table is indexed by domid; ids are handed out round-robin from 1 so
 * that a stale id held by dom0 is unlikely to name a new domain at once.
 * Id 0 is the privileged domain.  dom_lock protects the table only; a
 * domain's fields are changed by dom0's (single) vCPU or by the domain's own.
 * Other domains reach it only through event channels, which hold a
 * reference (domain_get) or a bound port (hv/evtchn.h) while they do.
 */
#include <hv/domain.h>
#include <hv/evtchn.h>
#include <hv/foreign.h>
#include <hv/grant.h>
#include <hv/pci.h>
#include <hv/lib.h>

/* The heap's 512-byte class (hv/mm/heap.c): the PCI record inside costs
 * a domain that is never lent a device nothing (docs/memory.md). */
_Static_assert(sizeof(struct domain) <= 512, "struct domain stays in its heap class");

static spinlock_t dom_lock = SPINLOCK_INIT;
static struct domain *dom_table[DOMAIN_TABLE_SIZE];
static unsigned dom_count;
static uint32_t next_id = 1;
static uint64_t next_serial = 1;     /* under dom_lock */

void domain_init(void)
{
    dom_count = 0;
}

/* Free whatever a (possibly half-built) domain holds. */
static void domain_free(struct domain *d)
{
    charge_close(&d->charge);          /* nothing takes from it any more */
    if (d->as.pml4)
        as_destroy(&d->as);
    if (d->shared_info_pa)
        frame_free(d->shared_info_pa);
    if (d->vcpu) {
        if (d->vcpu->has_context)
            arch_vcpu_release(d->vcpu);
        arch_vcpu_free(&d->vcpu->arch);
        kfree(d->vcpu);
    }
    evtchn_domain_free(d);
    grant_domain_free(d);
    kfree(d->fwin);
    kfree(d);
}

static int populate(struct domain *d, uint64_t pages)
{
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t pa = frame_alloc_zeroed();
        if (!pa)
            return -KEEL_ENOMEM;
        int rc = as_map(&d->as, KEEL_GUEST_BASE + i * PAGE_SIZE, pa,
                        KEEL_RIGHT_R | KEEL_RIGHT_W, AS_OWNED);
        if (rc) {
            frame_free(pa);
            return rc;
        }
        d->mem_frames++;
    }
    return 0;
}

static int setup_shared_info(struct domain *d)
{
    uint64_t pa = frame_alloc_zeroed();

    if (!pa)
        return -KEEL_ENOMEM;
    d->shared_info_pa = pa;
    d->shared_info = phys_to_virt(pa);
    shared_info_init(d->shared_info);
    return as_map(&d->as, KEEL_SHARED_INFO_VA, pa, KEEL_RIGHT_R | KEEL_RIGHT_W, AS_FOREIGN);
}

static int alloc_parts(struct domain *d, uint64_t populate_pages, bool privileged)
{
    int rc;

    d->vcpu = kzalloc(sizeof(*d->vcpu));
    if (!d->vcpu)
        return -KEEL_ENOMEM;
    d->vcpu->domain = d;
    d->vcpu->state = VCPU_PAUSED;
    d->vcpu->paused = true;
    if ((rc = arch_vcpu_alloc(&d->vcpu->arch)))
        return rc;
    if (privileged) {
        d->fwin = kzalloc(sizeof(*d->fwin));
        if (!d->fwin)
            return -KEEL_ENOMEM;
        fwin_init(d->fwin, KEEL_DOM0_FOREIGN_VA, d->limits.foreign_pages);
    }
    if ((rc = evtchn_domain_init(d)) || (rc = grant_domain_init(d)))
        return rc;
    if ((rc = as_create(&d->as)))
        return rc;
    if ((rc = setup_shared_info(d)))
        return rc;
    return populate(d, populate_pages);
}

/* Pick a free id; under dom_lock.  Negative if none. */
static int alloc_id(bool privileged)
{
    if (privileged)
        return dom_table[0] ? -KEEL_EEXIST : 0;
    for (unsigned n = 0; n < KEEL_DOMID_MAX; n++) {
        uint32_t id = next_id;
        next_id = next_id >= KEEL_DOMID_MAX ? 1 : next_id + 1;
        if (!dom_table[id])
            return (int)id;
    }
    return -KEEL_ENOMEM;
}

/* Fail early rather than zero gigabytes and give them back.  Frames the
 * reserves hold are not free for CREATE (frame_alloc will not take them). */
static bool room_for(uint64_t mem_pages, uint64_t reserve)
{
    uint64_t free = frames_free_count(), held = frames_reserved_count();

    return free >= held && free - held >= mem_pages + mem_pages / 256 + 16 + reserve;
}

int domain_create(uint64_t mem_pages, const struct keel_domain_limits *limits,
                  bool privileged, bool on_demand, struct domain **out)
{
    struct keel_domain_limits lim;
    struct domain *d;
    int rc, id;

    if (mem_pages < DOMAIN_MIN_PAGES || mem_pages > DOMAIN_MAX_PAGES)
        return -KEEL_EINVAL;
    if ((rc = limits_resolve(limits, privileged, &lim)))
        return rc;
    uint64_t populate_pages = on_demand ? 0 : mem_pages;
    if (!room_for(populate_pages, keel_domain_hv_frames(&lim)))
        return -KEEL_ENOMEM;
    d = kzalloc(sizeof(*d));
    if (!d)
        return -KEEL_ENOMEM;
    d->privileged = privileged;
    d->mem_pages = mem_pages;
    d->mem_lock = (spinlock_t)SPINLOCK_INIT;
    d->state = KEEL_DOMSTATE_PAUSED;
    d->limits = lim;
    if ((rc = charge_open(&d->charge, keel_domain_hv_frames(&lim)))) {
        kfree(d);
        return rc;
    }
    if ((rc = alloc_parts(d, populate_pages, privileged))) {
        domain_free(d);
        return rc;
    }
    spin_lock(&dom_lock);
    id = alloc_id(privileged);
    if (id >= 0) {
        d->id = (keel_domid_t)id;
        d->serial = next_serial++;
        dom_table[id] = d;
        dom_count++;
    }
    spin_unlock(&dom_lock);
    if (id < 0) {
        domain_free(d);
        return id;
    }
    grant_domain_publish(d);         /* its grants can be found by id now */
    *out = d;
    return 0;
}

int domain_destroy(struct domain *d)
{
    if (d->privileged)
        return -KEEL_EPERM;
    if (__atomic_load_n(&d->foreign_refs, __ATOMIC_ACQUIRE))
        return -KEEL_EBUSY;
    spin_lock(&dom_lock);
    dom_table[d->id] = NULL;
    dom_count--;
    spin_unlock(&dom_lock);
    /* Nobody finds it by id now.  Closing its ports unlinks it from every
     * peer; after that only references taken before can reach it, and
     * they are short (no CPU blocks in the hypervisor). */
    evtchn_domain_close_all(d);
    while (__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE))
        cpu_relax();
    vcpu_kill_and_wait(d->vcpu);
    pci_domain_release(d);           /* devices quiesced before memory and pins go */
    grant_domain_destroy(d);         /* before its memory goes */
    domain_free(d);                  /* its reserve goes back first */
    return 0;
}

struct domain *domain_lookup(uint32_t domid)
{
    struct domain *d = NULL;

    spin_lock(&dom_lock);
    if (domid < DOMAIN_TABLE_SIZE)
        d = dom_table[index_nospec(domid, DOMAIN_TABLE_SIZE)];
    spin_unlock(&dom_lock);
    return d;
}

struct domain *domain_get(uint32_t domid)
{
    struct domain *d = NULL;

    spin_lock(&dom_lock);
    if (domid < DOMAIN_TABLE_SIZE && (d = dom_table[index_nospec(domid, DOMAIN_TABLE_SIZE)]))
        __atomic_fetch_add(&d->refs, 1, __ATOMIC_ACQ_REL);
    spin_unlock(&dom_lock);
    return d;
}

void domain_ref(struct domain *d)
{
    __atomic_fetch_add(&d->refs, 1, __ATOMIC_ACQ_REL);
}

void domain_put(struct domain *d)
{
    __atomic_fetch_sub(&d->refs, 1, __ATOMIC_RELEASE);
}

unsigned domain_count(void)
{
    return __atomic_load_n(&dom_count, __ATOMIC_RELAXED);
}

/*
 * Domains (hv/common/domain.c, domain_state.c).  Arch code relies only on
 * `as`.
 *
 * Ownership.  A domain owns: its struct, its vCPU, its address space (every
 * AS_OWNED frame in it: the guest memory), and its shared-info frame (mapped
 * AS_FOREIGN and freed explicitly, because timers write to it).  Domain
 * destruction returns all of it.  Frames of a domain mapped into the
 * privileged domain's foreign window are counted in foreign_refs; a domain
 * with foreign_refs != 0 cannot be destroyed (-KEEL_EBUSY), so no mapping
 * can outlive the frame it points to.
 *
 * Hypervisor memory.  What CREATE allocates (the struct, vCPU and FPU
 * area, port and grant bookkeeping, page tables of the memory, shared
 * info) is allocated at once or CREATE fails.  Everything after CREATE is
 * whole frames out of the domain's charge, a reserve sized by its limits
 * (hv/common/limits.c): nothing a domain does can make the hypervisor
 * allocate beyond it, and nothing can make an allocation within it fail
 * (but a run of contiguous DMA pages on a fragmented machine).
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <keel/keel.h>
#include "mm.h"
#include "pci.h"
#include "sched.h"

struct fwindow;                       /* hv/foreign.h */
struct evtchn_dom;                    /* hv/evtchn.h */
struct grant_dom;                     /* hv/grant.h */

/* Sanity limits.  Guests are unikernels: a few MiB each, thousands of them. */
#define DOMAIN_MIN_PAGES   4ull
#define DOMAIN_MAX_PAGES   (KEEL_GUEST_MAX_BYTES >> 12)
#define DOMAIN_TABLE_SIZE  ((unsigned)KEEL_DOMID_MAX + 1)

struct domain {
    struct addr_space as;
    keel_domid_t id;
    bool privileged;
    struct vcpu *vcpu;               /* one vCPU per domain for now */
    uint64_t shared_info_pa;         /* hypervisor-owned frame */
    uint64_t mem_pages;              /* its memory's range, and its maximum */
    uint64_t mem_frames;             /* frames backing it now (memory.c) */
    spinlock_t mem_lock;             /* MEMORY_OP against MAP_FOREIGN */
    uint64_t stack_lo, stack_hi;     /* backed on first touch (stack.c) */
    uint32_t state;                  /* KEEL_DOMSTATE_* */
    int32_t exit_code;
    struct keel_crash_info crash;
    /* the rest is hv/common's */
    struct keel_shared_info *shared_info;  /* direct-map view of the frame */
    uint32_t foreign_refs;           /* regions of it mapped by dom0 */
    struct fwindow *fwin;            /* privileged only: foreign window */
    struct evtchn_dom *evtchn;       /* hv/evtchn.h: ports, upcall entry */
    struct pci_dom pci;              /* hv/pci.h: lent PCI functions */
    uint64_t serial;                 /* unique for the machine's life */
    uint32_t refs;                   /* domain_get()/domain_ref() holders */
    struct grant_dom *grant;         /* hv/grant.h: made at CREATE */
    struct keel_domain_limits limits;   /* resolved at CREATE, fixed */
    struct hv_charge charge;         /* its reserve, from limits */
};

/* ---- limits.c ---- */
/* The defaults filled in; -KEEL_EINVAL for a limit above its maximum or a
 * foreign window for an unprivileged domain. */
int limits_resolve(const struct keel_domain_limits *in, bool privileged,
                   struct keel_domain_limits *out);

/* ---- domain.c ---- */
void domain_init(void);
/* New paused domain with mem_pages zeroed frames at KEEL_GUEST_BASE (rw, NX)
 * (none with on_demand: MEMORY_OP backs them, memory.c), its shared-info
 * page, and the reserve its limits call for.  id 0 is given to the
 * privileged domain.  -KEEL_EINVAL, -KEEL_ENOMEM. */
int domain_create(uint64_t mem_pages, const struct keel_domain_limits *limits,
                  bool privileged, bool on_demand, struct domain **out);
/* Tear down a domain that no CPU is running; -KEEL_EBUSY with foreign refs. */
int domain_destroy(struct domain *d);
struct domain *domain_lookup(uint32_t domid);    /* NULL if none */
/* References for code that may meet a concurrent DESTROY (event channels):
 * domain_get looks up with a reference; domain_ref adds one to a domain
 * the caller knows is alive; DESTROY waits, after closing the domain's
 * ports, until every reference is put back.  Hold them briefly. */
struct domain *domain_get(uint32_t domid);       /* NULL if none */
void domain_ref(struct domain *d);
void domain_put(struct domain *d);
unsigned domain_count(void);

/* ---- domain_state.c ---- */
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
/* Called on the domain's own vCPU; never for a dead domain. */
void domain_shutdown(struct domain *d, int32_t code);
void domain_crash(struct domain *d, uint32_t vector, uint64_t error_code,
                  uint64_t fault_addr);
void domain_get_info(struct domain *d, struct keel_domain_info *info);
/* Set bits in d's pending word and wake its vCPU. */
void domain_set_pending(struct domain *d, uint64_t bits);

/* ---- stack.c ---- */
/* true if the page fault (cr2, error_code) of d's own vCPU in ring 3 was
 * a first touch of its stack (SET_STACK) and the page is now backed: the
 * guest retries the access.  false: the fault stands. */
bool stack_fault(struct domain *d, uint64_t cr2, uint64_t error_code);
/* The same for a hypercall of d's reaching an unbacked page gva of its
 * stack (guest_access.c); false unless d is this CPU's current domain. */
bool stack_touch(struct domain *d, uint64_t gva);

/* ---- memory.c ---- */
/* MEMORY_OP INCREASE of d's own [gva, + npages) (keel/memory.h),
 * with d's mem_lock held: frames and their page tables charged, the
 * machine's floor kept.  0, -KEEL_EEXIST, -KEEL_ENOMEM. */
long memory_increase(struct domain *d, uint64_t gva, uint64_t npages);

/* ---- shared_info.c ---- */
void shared_info_init(struct keel_shared_info *si);

/* ---- dom0.c ---- */
/* Build dom0 from boot module 0 and unpause it; powers off on failure. */
void dom0_build(void);

#endif /* HV_DOMAIN_H */

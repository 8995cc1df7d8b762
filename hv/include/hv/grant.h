/*
 * Grant tables inside the hypervisor (the contract is keel/grant_table.h;
 * the design is docs/grants.md).
 *
 * grant_check.c    every argument and entry check (pure, host-tested)
 * grant_maptrack.c a grantee's map handles (pure, host-tested)
 * grant_table.c    per-domain state by domid, SETUP, END, death
 * grant_active.c   a granter's active records, in chunks (pure, host-tested)
 * grant_pin.c      reading an entry, pinning and unpinning a grant
 * grant_map.c      MAP/UNMAP into the grant window (or a device pin), the
 *                  grantee's death
 * grant_copy.c     COPY
 * grant_op.c       the hypercall: decode and dispatch
 *
 * Lifetimes.  Granter state (struct grant_table) is reference counted: one
 * reference for the living domain, one per pin (a map or a copy in flight).
 * When the granter dies its table is marked dead, every frame still pinned
 * is taken out of its address space (so as_destroy cannot free it) and
 * given to a pin record, which frees it when its last pin goes.  Nothing
 * else in the hypervisor holds a grant_table pointer, so no lookup races a
 * free.
 *
 * Memory.  A domain's grant state and its (empty) table struct are made at
 * CREATE; what grows later is whole frames out of a domain's charge
 * (hv/mm.h): the granter's for the records of its references in use (up
 * to its grant_entries limit), the grantee's for its map handles and the
 * page tables of its grant window (up to its grant_maps).
 *
 * Lock order: grant_index_lock -> grant_table.lock -> addr_space.lock ->
 * frame/heap locks.  A grantee's maptrack is touched only by its own (single)
 * vCPU, or at its death when that vCPU is gone: it needs no lock.
 */
#ifndef HV_GRANT_H
#define HV_GRANT_H

#include <keel/grant_table.h>
#include <keel/domctl.h>
#include <hv/lib.h>
#include <hv/mm.h>

struct domain;
struct vcpu;

#define GRANT_TABLE_MAX_PAGES \
    (KEEL_GRANT_MAX_ENTRIES / KEEL_GRANT_ENTRIES_PER_PAGE)

/* The hypervisor's own record of one grant reference in use. */
struct grant_active {
    uint64_t pa;                 /* the frame, fixed while pinned */
    uint32_t page;               /* its page index in the granter */
    uint32_t pins_ro;            /* read-only maps + reading copies */
    uint32_t pins_rw;            /* writable maps + writing copies */
    bool owns_frame;             /* granter dead: we free pa at the last unpin */
};

/* Active records come in chunks of one frame, allocated on first pin
 * (grant_active.c). */
#define GRANT_ACTIVE_CHUNK  KEEL_HV_GRANT_RECORDS_PER_FRAME
#define GRANT_ACTIVE_CHUNKS \
    ((KEEL_GRANT_MAX_ENTRIES + GRANT_ACTIVE_CHUNK - 1) / GRANT_ACTIVE_CHUNK)

struct grant_table {
    spinlock_t lock;
    uint32_t refs;               /* atomic; see above */
    bool dead;                   /* granter gone: no new pins, no entry access */
    struct domain *dom;          /* valid while !dead */
    uint32_t nr_entries;         /* 0 until SETUP */
    uint32_t nr_pinned;          /* records with pins */
    struct hv_charge *charge;    /* the granter's, while !dead: pays for records */
    uint64_t table_pa[GRANT_TABLE_MAX_PAGES];
    /* records of references kC .. kC+C-1, C = GRANT_ACTIVE_CHUNK (NULL
     * until one is pinned); records stay when a new SETUP shrinks
     * nr_entries, all unpinned */
    struct grant_active *active[GRANT_ACTIVE_CHUNKS];
};

/* One use of a grant: what a map or a copy holds until it is undone. */
struct grant_pin {
    struct grant_table *gt;      /* holds one reference */
    uint32_t ref;
    bool rw;
    uint64_t pa;
};

/* ---- grant_check.c: pure checks ---- */
/* May `caller` use entry e, writably if rw?  0 or -KEEL_ENOENT/-KEEL_EACCES. */
int grant_check_entry(uint64_t e, keel_domid_t caller, bool rw);
/* May a grantee use, writably if rw, a page the granter maps with these
 * KEEL_RIGHT_* rights and AS_* flags?  0; -KEEL_EINVAL if the frame is not
 * the granter's own (not AS_OWNED); -KEEL_EACCES if the granter cannot
 * read it (a guard page), or for rw if it cannot write it or may execute it. */
int grant_check_page(unsigned rights, unsigned flags, bool rw);
uint64_t grant_entry_pack(uint16_t flags, keel_domid_t domid, uint32_t page);
uint16_t grant_entry_flags(uint64_t e);
uint32_t grant_entry_page(uint64_t e);
/* SETUP arguments against the caller's memory size. */
int grant_check_setup(uint64_t gva, uint64_t nr_entries, uint64_t mem_pages);
/* One copy segment's shape (not its memory): flags, lengths, page bounds. */
int grant_check_copy(const struct keel_grant_copy *c);
/* A domid argument: KEEL_DOMID_SELF becomes self; -KEEL_ESRCH if out of range. */
int grant_resolve_domid(uint32_t domid, keel_domid_t self, keel_domid_t *out);

/* ---- grant_active.c: active records; the caller holds gt->lock ---- */
/* ref's record, or NULL when none of its chunk was ever pinned (so it is
 * not pinned either). */
struct grant_active *grant_active_find(struct grant_table *gt, uint32_t ref);
/* ref's record, allocating its chunk out of gt->charge; NULL when that
 * is used up (never below the granter's limit). */
struct grant_active *grant_active_get(struct grant_table *gt, uint32_t ref);
/* Every existing record from *ref on: the next one (*ref is then its
 * reference + 1), or NULL at the end.  Start with *ref = 0. */
struct grant_active *grant_active_next(struct grant_table *gt, uint32_t *ref);
void grant_active_free(struct grant_table *gt);

/* ---- grant_maptrack.c: a grantee's handles ---- */
#define MAPTRACK_CHUNK   KEEL_HV_MAPS_PER_FRAME     /* one frame */
#define MAPTRACK_CHUNKS  (KEEL_GRANT_MAX_MAPS / MAPTRACK_CHUNK)
#define MAPTRACK_DIR_MIN (KEEL_HV_MAPTRACK_DIR_MIN / MAPTRACK_CHUNK)

struct grant_mapping {
    struct grant_pin pin;        /* pin.gt == NULL: free */
    uint32_t next_free;
    bool device;                 /* a device pin: no PTE in the window */
};

/* The first chunks' pointers are here; a domain that grows past them gets
 * a directory (one frame of its charge) holding every chunk's pointer, so
 * the window's size costs a domain that maps little nothing. */
struct maptrack {
    struct grant_mapping *chunk[MAPTRACK_DIR_MIN];
    struct grant_mapping **dir;  /* NULL until chunk MAPTRACK_DIR_MIN */
    uint32_t free_head;          /* MAPTRACK_NONE: no free slot in any chunk */
    uint32_t nr_chunks, nr_used;
    uint32_t max;                /* handles 0 .. max - 1: the grant_maps limit */
    struct hv_charge *charge;    /* the grantee's: pays for the chunks */
};
#define MAPTRACK_NONE 0xffffffffu

void maptrack_init(struct maptrack *mt, struct hv_charge *charge, uint32_t max);
/* A free handle (chunks are allocated on demand out of the charge);
 * -KEEL_ENOSPC at the limit, -KEEL_ENOMEM if the charge is used up. */
long maptrack_alloc(struct maptrack *mt);
void maptrack_free(struct maptrack *mt, uint32_t handle);
/* The mapping of a handle in use, or NULL for anything else. */
struct grant_mapping *maptrack_get(struct maptrack *mt, uint64_t handle);
/* The slot of a handle maptrack_alloc returned, in use or not yet. */
struct grant_mapping *maptrack_get_slot(struct maptrack *mt, uint32_t handle);
void maptrack_destroy(struct maptrack *mt);   /* all handles must be free */

/* ---- grant_table.c ---- */
/* Per-domain grant state (d->grant), made at CREATE, found by domid once
 * published. */
struct grant_dom {
    struct grant_table *gt;      /* NULL until SETUP */
    struct grant_table *spare;   /* made at CREATE; SETUP's table */
    struct maptrack mt;
};
int grant_domain_init(struct domain *d);              /* CREATE: 0 / -KEEL_ENOMEM */
void grant_domain_publish(struct domain *d);          /* once d has its id */
void grant_domain_free(struct domain *d);             /* memory only */
/* A reference on domain id's table (NULL: none), and dropping one. */
struct grant_table *grant_table_get(keel_domid_t id);
void grant_table_put(struct grant_table *gt);
long grant_setup(struct domain *d, uint64_t gva, uint64_t nr_entries);
long grant_end(struct domain *d, uint64_t ref);
/* ---- grant_busy.c ---- */
/* Lock d's grant table (if it has one: *held) so that no pin starts, and
 * check that no page of [gva, gva + npages pages) holds the table or is
 * pinned: 0 or -KEEL_EBUSY.  Release in either case. */
int grant_pages_hold(struct domain *d, uint64_t gva, uint64_t npages,
                     struct grant_table **held);
void grant_pages_release(struct grant_table *held);

/* ---- grant_pin.c ---- */
/* Validate entry `ref` of granter for a use by caller and pin it:
 * 0 with *out filled, or -KEEL_Exxx.  grant_unpin undoes it. */
int grant_pin(keel_domid_t caller, uint32_t granter, uint32_t ref, bool rw,
              struct grant_pin *out);
void grant_unpin(struct grant_pin *p);
uint64_t *grant_entry_ptr(struct grant_table *gt, uint32_t ref);  /* under lock, !dead */
/* Under gt->lock: move d's pinned frames out of its address space. */
void grant_table_orphan_frames(struct grant_table *gt, struct domain *d);

/* ---- grant_map.c, grant_copy.c ---- */
long grant_map(struct domain *d, uint64_t uop);
long grant_unmap(struct domain *d, uint64_t handle);
long grant_copy(struct domain *d, uint64_t uops, uint64_t count);
/* Undo d's maps of others' pages (before d's address space goes). */
void grant_unmap_all(struct domain *d, struct grant_dom *gd);

/* ---- grant_op.c: the hypercall ---- */
struct hc_args;
long hc_grant_table_op(struct vcpu *v, const struct hc_args *args);

/* Called by domain_destroy once d's vCPU has left every CPU and before its
 * memory is freed: undo its maps, end its table. */
void grant_domain_destroy(struct domain *d);

#endif /* HV_GRANT_H */

/*
 * Grant tables: how one domain lets another use some of its pages.
 *
 * KEEL_HC_GRANT_TABLE_OP(uint32_t cmd, uint64_t a1, uint64_t a2).
 *
 * The granter keeps an array of struct keel_grant_entry in its own memory
 * and tells the hypervisor where it is (SETUP).  Granting is a plain write
 * into the entry: first domid and page, then (after a store barrier; a
 * compiler barrier on x86-64) flags with KEEL_GTF_PERMIT.  The index of an
 * entry is its grant reference; the granter hands it to the grantee (in a
 * ring page, the device page, ...).
 *
 * The grantee then either maps the page (MAP: it appears in the caller's
 * grant window, see KEEL_GRANT_WINDOW_VA) or copies to and from it without
 * mapping (COPY).  While a grant is mapped or a copy is in flight the
 * hypervisor sets KEEL_GTF_READING / KEEL_GTF_WRITING in the entry.
 *
 * Ending a grant.  The granter MUST NOT reuse a granted page before the grant
 * has ended.  END(ref) ends it, or fails with -KEEL_EBUSY while it is in use.
 * A granter may also end it itself with a 16-bit compare-and-swap of flags
 * from (PERMIT [| READONLY]) to 0: that fails exactly when the hypervisor
 * has set an in-use bit, because the hypervisor sets those with a
 * compare-and-swap of the whole entry against the value it validated.
 *
 * What the hypervisor trusts.  It reads each entry once (one 64-bit load),
 * decides on that copy, and keeps its own count of every use.  A granter
 * that scribbles on its table (clears flags of a mapped grant, clears the
 * in-use bits, changes the page) can only confuse itself: a mapped frame
 * stays mapped, pinned and readable by the grantee until it is unmapped.
 *
 * Never more than the granter has.  A grant is bounded by the granter's
 * own rights on the page, whatever its entry says: a page the granter may
 * only read (text, read-only data, its start-info page, its device page)
 * can be mapped and copied read-only, never written; a page it cannot
 * touch (a guard page) cannot be used at all; only pages of its own memory
 * can be granted (not the shared-info page, not the read-only module pages
 * its text may be shared from).  A guest's page rights are fixed once it
 * runs (keel/domctl.h SET_RIGHTS), so a map keeps the rights it was given.
 *
 * Lifetime.  A page granted by a domain that dies stays valid for everyone
 * who still has it mapped, until the last of them unmaps it; a domain that
 * dies with grants of others mapped has those maps undone, after which the
 * granters can END them.
 *
 * Every bad argument is an error code, never harm to the hypervisor:
 *   -KEEL_EINVAL  unknown flags, ref >= the table's size, a copy segment that
 *                 leaves its page, a handle that is not mapped, bad SETUP,
 *                 an entry whose page is outside the granter's memory or
 *                 not its own (a shared boot module page)
 *   -KEEL_ENOENT  the granter has no table, or the entry does not grant this
 *                 caller the page (no PERMIT, other domid, ended)
 *   -KEEL_ESRCH   no such granter domain
 *   -KEEL_EPERM   MAP with KEEL_GRANT_MAP_DEVICE by a domain that owns no
 *                 PCI function
 *   -KEEL_EACCES  writable use of a read-only grant, or of a page the granter
 *                 itself may not write (or may execute); any use of a page
 *                 the granter may not read (a guard page)
 *   -KEEL_EFAULT  a pointer in the caller's memory is not mapped with the
 *                 rights needed (or is a hypervisor / non-canonical address)
 *   -KEEL_EBUSY   END while the grant is in use, SETUP while any is; a
 *                 use of a grant in use whose entry now names another page
 *   -KEEL_EAGAIN  the entry kept changing while the hypervisor read it
 *   -KEEL_ENOSPC  a limit the toolstack set for the caller (keel/domctl.h,
 *                 struct keel_domain_limits): SETUP of more entries than
 *                 its grant_entries, a MAP while it holds grant_maps maps
 *   -KEEL_ENOMEM  the hypervisor is out of memory: never for a domain
 *                 within its limits, whose memory is reserved at CREATE
 *   -KEEL_E2BIG   too many copy segments in one call
 */
#ifndef KEEL_PUBLIC_GRANT_TABLE_H
#define KEEL_PUBLIC_GRANT_TABLE_H

#include "abi.h"

typedef uint32_t keel_grant_ref_t;
typedef uint32_t keel_grant_handle_t;

/* One grant.  8 bytes, 8-byte aligned (the table is page aligned). */
struct keel_grant_entry {
    uint16_t flags;           /* KEEL_GTF_* */
    keel_domid_t domid;       /* the only domain that may use the grant */
    uint32_t page;            /* page index in the granter's memory:
                               * gva = KEEL_GUEST_BASE + page * KEEL_PAGE_SIZE */
};

#define KEEL_GTF_PERMIT    (1u << 0)  /* granter: the grant is valid */
#define KEEL_GTF_READONLY  (1u << 1)  /* granter: the grantee may only read */
#define KEEL_GTF_READING   (1u << 2)  /* hv: in use read-only (map or copy) */
#define KEEL_GTF_WRITING   (1u << 3)  /* hv: in use writable (map or copy) */

#define KEEL_GRANT_ENTRIES_PER_PAGE (KEEL_PAGE_SIZE / sizeof(struct keel_grant_entry))
#define KEEL_GRANT_MAX_ENTRIES      8192u   /* 16 pages of table */
#define KEEL_GRANT_MAX_MAPS         KEEL_GRANT_WINDOW_PAGES
#define KEEL_GRANT_COPY_MAX         128u    /* segments per COPY call */

/*
 * SETUP(a1 = gva, a2 = nr_entries): the caller's table is nr_entries entries
 * at gva (page aligned, inside the caller's own memory, readable and
 * writable by the caller).  1 <= nr_entries <= KEEL_GRANT_MAX_ENTRIES
 * (-KEEL_EINVAL), and at most the caller's grant_entries limit
 * (-KEEL_ENOSPC; 512 unless the toolstack said otherwise).  May be
 * repeated to move or resize the table while no grant is in use
 * (-KEEL_EBUSY otherwise).  Returns 0.
 */
#define KEEL_GNTOP_SETUP   1
/*
 * MAP(a1 = struct keel_grant_map *): map the page granted by op->domid
 * under op->ref into the caller's grant window, read-only with
 * KEEL_GRANT_MAP_READONLY, else read-write (never executable).  Returns 0
 * with op->handle and op->va filled in; va is always
 * KEEL_GRANT_WINDOW_VA + handle * KEEL_PAGE_SIZE.  Handles are below the
 * caller's grant_maps limit (128 unless the toolstack said otherwise):
 * one more map is -KEEL_ENOSPC.
 *
 * With KEEL_GRANT_MAP_DEVICE nothing is mapped: the page is pinned for a
 * device's DMA and op->maddr is its machine address (op->va is not
 * filled in; the handle still counts against grant_maps and is undone by
 * UNMAP like any other).  Only a domain that owns a PCI function may ask
 * (-KEEL_EPERM otherwise: keel/pci.h, an owner is trusted with the
 * machine's memory through its device anyway).  The pin keeps the frame
 * the granter's page, whatever the granter does (END, and MEMORY_OP
 * DECREASE or PROTECT of the page, are -KEEL_EBUSY; a granter that dies
 * leaves the frame with the pin), until UNMAP; so the owner must not
 * UNMAP while its device may still touch the page.  READONLY says the
 * device will only read it.
 */
#define KEEL_GNTOP_MAP     2
/* UNMAP(a1 = handle): undo one MAP of the caller.  Returns 0. */
#define KEEL_GNTOP_UNMAP   3
/* END(a1 = ref): the granter ends its own grant: flags become 0.  Returns 0;
 * -KEEL_EBUSY while mapped or copied; -KEEL_ENOENT if it was not granted. */
#define KEEL_GNTOP_END     4
/*
 * COPY(a1 = struct keel_grant_copy *, a2 = count): count segments, each
 * copied on its own; each gets its status (0 or -KEEL_Exxx) in place.
 * Returns the number of segments that failed (0: all done), or a negative
 * error if the array itself is unusable (nothing is copied then).
 */
#define KEEL_GNTOP_COPY    5

#define KEEL_GRANT_MAP_READONLY  1u
#define KEEL_GRANT_MAP_DEVICE    2u   /* pin for DMA, return maddr, map nothing */

struct keel_grant_map {
    keel_domid_t domid;       /* IN: granter (KEEL_DOMID_SELF allowed) */
    uint16_t flags;           /* IN: KEEL_GRANT_MAP_* */
    keel_grant_ref_t ref;     /* IN */
    keel_grant_handle_t handle;  /* OUT */
    uint32_t pad;             /* must be 0 */
    union {
        uint64_t va;          /* OUT: where it is mapped */
        uint64_t maddr;       /* OUT with KEEL_GRANT_MAP_DEVICE */
    };
};

/*
 * One side of a copy segment: a granted page (ref of granter domid, at
 * offset) when the segment's flag for that side is set, else the caller's
 * own memory at gva.  Either way the bytes [start, start + len) must lie in
 * one page.  At least one side must be a grant.
 */
struct keel_grant_copy_ptr {
    uint64_t gva;             /* own memory */
    keel_grant_ref_t ref;     /* grant */
    keel_domid_t domid;       /* grant: granter (KEEL_DOMID_SELF allowed) */
    uint16_t offset;          /* grant: byte offset in the page */
};

#define KEEL_GRANT_COPY_SRC_GREF  1u
#define KEEL_GRANT_COPY_DST_GREF  2u

struct keel_grant_copy {
    struct keel_grant_copy_ptr src, dst;
    uint16_t len;             /* <= KEEL_PAGE_SIZE */
    uint16_t flags;           /* KEEL_GRANT_COPY_* */
    int32_t status;           /* OUT: 0 or -KEEL_Exxx */
};

#ifdef __cplusplus
static_assert(sizeof(struct keel_grant_entry) == 8, "grant entry layout");
static_assert(sizeof(struct keel_grant_copy) == 40, "grant copy layout");
#else
_Static_assert(sizeof(struct keel_grant_entry) == 8, "grant entry layout");
_Static_assert(sizeof(struct keel_grant_map) == 24, "grant map layout");
_Static_assert(sizeof(struct keel_grant_copy) == 40, "grant copy layout");
#endif

#endif /* KEEL_PUBLIC_GRANT_TABLE_H */

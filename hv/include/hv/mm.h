/*
 * Memory: the physical frame allocator, the hypervisor heap, and address
 * spaces (page tables owned by the hypervisor).  Implemented in hv/mm/ (pure
 * frame/heap logic, unit-tested on the host) and hv/arch/x86_64/ (paging).
 *
 * A domain's memory *is* its page tables: each user PTE that maps a frame the
 * domain owns carries AS_OWNED, so destroying the address space returns every
 * such frame.  Rights 0 keeps the frame but makes the page not present (a
 * guard page); the frame is still owned and still freed.
 */
#ifndef HV_MM_H
#define HV_MM_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "arch.h"
#include "lib.h"

#define PAGE_SIZE 4096ul
#define PAGE_MASK (~(PAGE_SIZE - 1))

static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + HV_DIRECT_MAP_BASE); }
uint64_t virt_to_phys(const void *va);   /* direct-map or hv-image address */

/* frames: 0 means failure (frame 0 is never handed out) */
uint64_t frame_alloc(void);              /* contents undefined */
uint64_t frame_alloc_zeroed(void);       /* from the zero pool if it can */
void frame_free(uint64_t pa);             /* panics on a double free */
/* Free frames, the zero pool's included: prezeroing never changes it. */
uint64_t frames_free_count(void);
uint64_t frames_total_count(void);
/* n physically contiguous frames (slow: boot-time and large blocks) */
uint64_t frames_alloc_range(uint64_t n);
void frames_free_range(uint64_t pa, uint64_t n);

/* The zero pool (hv/mm/frame.c): at most FRAME_POOL_MAX free frames (and
 * an eighth of all frames) zeroed ahead of time by idle CPUs.
 * frames_prezero_some zeroes up to max_pages (<= FRAME_PREZERO_MAX) free
 * frames into the pool and says whether it did any; call it with
 * interrupts off (a batch abandoned half done would lose its frames) and
 * in small batches (the CPU takes no interrupt meanwhile). */
#define FRAME_POOL_MAX     4096
#define FRAME_PREZERO_MAX  16
bool frames_prezero_some(unsigned max_pages);
uint64_t frames_pool_count(void);        /* ready frames in the pool */

/* Reserves (hv/mm/frame.c): free frames set aside so that later
 * allocations out of them cannot fail.  They still count as free, but
 * frame_alloc, frame_alloc_zeroed and frames_alloc_range never take one:
 * they fail first.  frames_reserve is all or nothing (false: fewer than n
 * free frames are not reserved already). */
bool frames_reserve(uint64_t n);
/* The same, and only if `keep` free frames no reserve holds are left after
 * it (a floor that other CPUs reserving at once cannot dip into either). */
bool frames_reserve_keeping(uint64_t n, uint64_t keep);
void frames_unreserve(uint64_t n);
uint64_t frame_alloc_reserved(void);     /* zeroed, out of a reserve */
/* n contiguous frames out of the reserves (contents undefined): 0 when
 * fewer than n are reserved, or when no free run is that long. */
uint64_t frames_alloc_range_reserved(uint64_t n);
uint64_t frames_reserved_count(void);

/* A domain's hypervisor memory (hv/mm/charge.c): every frame the
 * hypervisor allocates for a domain after CREATE comes out of the reserve
 * CREATE took for it, `max` frames worked out from its limits
 * (keel_domain_hv_frames), so such an allocation never fails while the
 * domain keeps to its limits and never takes another domain's memory.
 * Charged frames are freed with frame_free (charge_page_free) when their
 * structure goes, which is never before the charge is closed. */
struct hv_charge {
    uint64_t left;                       /* reserved frames not taken yet */
    uint64_t used;                       /* frames taken (only grows) */
    uint64_t max;
    bool closed;                         /* charge_close has begun */
};
int charge_open(struct hv_charge *c, uint64_t max);   /* 0 / -KEEL_ENOMEM */
/* The same, leaving `keep` unreserved free frames (frames_reserve_keeping). */
int charge_open_keeping(struct hv_charge *c, uint64_t max, uint64_t keep);
/* A zeroed frame out of c's reserve; 0 when all max are taken or the
 * charge is closed. */
uint64_t charge_frame(struct hv_charge *c);
void *charge_page(struct hv_charge *c);  /* the same, through the direct map */
/* n machine-contiguous frames out of c's reserve (contents undefined), or
 * 0: fewer than n left, or no free run that long (then none is taken). */
uint64_t charge_frames_range(struct hv_charge *c, uint64_t n);
void charge_page_free(void *page);
/* The domain is going: its reserve's untaken frames go back. */
void charge_close(struct hv_charge *c);
/* c's domain now also holds n frames taken through another charge (closed
 * since): they count as taken and as part of its reserve (GET_INFO's
 * hv_frames and hv_frames_max), never as `left`. */
void charge_count(struct hv_charge *c, uint64_t n);

/* Boot-time set-up (arch code): RAM ranges and ranges to keep out,
 * [start, end) in bytes.  The bitmap is carved out of RAM above 1 MiB and
 * reached through to_virt.  Returns 0, or -1 if there is no usable RAM. */
struct phys_range { uint64_t start, end; };
int frames_init(const struct phys_range *ram, unsigned nram,
                const struct phys_range *rsv, unsigned nrsv,
                void *(*to_virt)(uint64_t pa));

/* hypervisor heap; kzalloc'd memory is zeroed; align <= 64 honoured for
 * sizes that are multiples of 64 */
void *kzalloc(size_t size);
void kfree(void *p);                     /* NULL is fine; a bad pointer panics */
/* page provider of the heap (hv/mm/phys.c; tests supply their own) */
void *heap_pages_get(uint64_t npages);
void heap_pages_put(void *p, uint64_t npages);

/* address spaces */
struct addr_space {
    uint64_t pml4;             /* physical address of the top table */
    spinlock_t lock;           /* serializes map/unmap/set_rights (arch) */
};

/* flags for as_map */
#define AS_OWNED    (1u << 0)  /* frame belongs to the domain: freed with it */
#define AS_FOREIGN  (1u << 1)  /* frame belongs to someone else: never freed */
#define AS_READONLY (1u << 2)  /* with AS_FOREIGN: never writable (boot module
                                  pages shared with a guest): as_map and
                                  as_set_rights refuse KEEL_RIGHT_W */
#define AS_MMIO     (1u << 3)  /* alone: device memory (a lent BAR, keel/pci.h),
                                  mapped uncached, never freed, and never
                                  reached through the direct map */
#define AS_LOWERED  (1u << 4)  /* from as_lower_rights only: an AS_OWNED page
                                  that was read-write and whose own domain
                                  took rights away (MEMORY_OP PROTECT);
                                  as_set_rights clears it, as_map
                                  refuses it */

int  as_create(struct addr_space *as);          /* 0 / -KEEL_ENOMEM */
/* Frees every page-table page and every AS_OWNED frame.  The address space
 * must not be live on any CPU. */
void as_destroy(struct addr_space *as);
/* Map the 4 KiB user page at va (ring 3, below KEEL_USER_VA_END) to frame pa
 * with KEEL_RIGHT_* rights (0 = present bit clear).  -KEEL_EEXIST if va is
 * mapped already, -KEEL_ENOMEM if a table page could not be had. */
int  as_map(struct addr_space *as, uint64_t va, uint64_t pa, unsigned rights, unsigned flags);
/* The same, with the table pages it needs out of a domain's charge
 * (-KEEL_ENOMEM when it has none left): for mappings a domain asks for
 * after CREATE (its grant window, dom0's foreign window). */
int  as_map_charged(struct addr_space *as, uint64_t va, uint64_t pa, unsigned rights,
                    unsigned flags, struct hv_charge *charge);
/* Whether the page table that would map va exists (a window's tables are
 * made by its first mapping and stay until as_destroy). */
bool as_has_table(const struct addr_space *as, uint64_t va);
/* Change rights of a mapped page, keeping its frame. -KEEL_ENOENT if none,
 * -KEEL_EACCES for KEEL_RIGHT_W on an AS_READONLY page. */
int  as_set_rights(struct addr_space *as, uint64_t va, unsigned rights);
/* The same for a page that was read-write: rights R|W clears AS_LOWERED,
 * fewer (R, or 0 = not present) set it, so that the page may later get
 * R|W back and no other page ever does.  The caller checked the page. */
int  as_lower_rights(struct addr_space *as, uint64_t va, unsigned rights);
/* Remove a mapping; returns its frame and flags.  Does not free the frame. */
int  as_unmap(struct addr_space *as, uint64_t va, uint64_t *pa, unsigned *flags);
/* Look up va: 0 with frame, rights and flags, or -KEEL_ENOENT. */
int  as_lookup(const struct addr_space *as, uint64_t va, uint64_t *pa,
               unsigned *rights, unsigned *flags);

#endif /* HV_MM_H */

/* A minimal domain builder for the hypervisor tests (not the toolstack's):
 * enough to start tests/hv/guest.c from a boot module with an argument. */
#ifndef TBUILD_H
#define TBUILD_H
#include "tlib.h"

#define TGUEST_PAGES 64     /* 256 KiB, as guest.c's note says */

/* Create, load and unpause a guest running `mode`; returns its domid or a
 * negative error.  tbuild_prepare does all but the unpause. */
long tbuild_start(const struct keel_module *img, const char *mode);
long tbuild_prepare(const struct keel_module *img, const char *mode);
/* Wait (blocking, timer-bounded) until domid has ended; fills *info.
 * Returns 0, or -1 after timeout_ms. */
int tbuild_wait(uint32_t domid, struct keel_domain_info *info, unsigned timeout_ms);
uint64_t tbuild_free_frames(void);
struct keel_physinfo tbuild_physinfo(void);          /* KEEL_DOMCTL_PHYSINFO */
struct keel_domain_info tbuild_info(uint32_t domid);  /* KEEL_DOMCTL_GET_INFO */
/* KEEL_DOMCTL_SET_AFFINITY (cpu, or KEEL_CPU_ANY): 0 or the error. */
/* A bare paused domain of pages pages (CREATE flags), or 0; DESTROY. */
uint32_t tbuild_create(uint64_t pages, uint32_t flags);
long tbuild_destroy(uint32_t domid);
long tbuild_set_affinity(uint32_t domid, uint32_t cpu);
/* KEEL_DOMCTL_SET_RIGHTS: 0 or the error. */
long tbuild_set_rights(uint32_t domid, uint64_t gva, uint64_t npages, uint32_t rights);
/* Non-zero: tbuild_start maps the whole pages inside every non-writable
 * segment's file bytes from this boot module (KEEL_DOMCTL_MAP_MODULE) after
 * loading, as dom0's builder does; tbuild_shared counts the pages. */
extern uint32_t tbuild_share_module;
extern uint64_t tbuild_shared;
/* The limits tbuild_start creates its guest with (all 0: the defaults). */
extern struct keel_domain_limits tbuild_limits;
/* Non-zero: tbuild_start creates its guest KEEL_CREATE_ON_DEMAND with a
 * range of this many pages and backs the first TGUEST_PAGES (what it
 * starts with is the same); the guest asks for the rest itself. */
extern uint64_t tbuild_range_pages;
/* The first foreign mapping gives dom0's foreign window its page tables,
 * which stay with dom0: take them (0 or an error) before counting frames. */
long tbuild_warm_up(void);
#endif

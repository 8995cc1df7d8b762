/*
 * Grant tables for applications and drivers (keel/grant_table.h is the
 * hypervisor's contract).
 *
 * NOTE for engineer A: written by B (channels) because the channel needed
 * it before grant.c existed; change freely, keep these calls or tell B.
 *
 * Contract:
 *  - The libos owns the domain's one grant table (LIBOS_GRANT_ENTRIES
 *    entries, set up on first use).  References the toolstack assigned in
 *    the device page (ring_ref .. ring_ref + ring_pages - 1 of every
 *    GRANTER entry) are granted with libos_grant_set; all others come from
 *    libos_grant_access, which never hands those out.
 *  - Functions return >= 0 on success (a reference or handle), or
 *    -KEEL_Exxx as the hypervisor answered; errno is not touched.
 *  - page arguments are page-aligned addresses in the caller's own memory.
 */
#ifndef LIBOS_GRANT_H
#define LIBOS_GRANT_H

#include <stdint.h>
#include <keel/grant_table.h>

#define LIBOS_GRANT_ENTRIES 512u   /* one page of table */

/* Grant page to domid under a reference of our choosing.  -KEEL_ENOSPC if
 * every free reference is taken. */
long libos_grant_access(keel_domid_t domid, const void *page, int readonly);
/* Grant page under a reference the toolstack chose. -KEEL_EBUSY if it is
 * granted already. */
int libos_grant_set(keel_grant_ref_t ref, keel_domid_t domid, const void *page,
                    int readonly);
/* End a grant (-KEEL_EBUSY while the grantee uses it); a reference from
 * libos_grant_access becomes free again. */
int libos_grant_end(keel_grant_ref_t ref);

/* Map domid's grant ref into our grant window; returns the handle and the
 * address in *va. */
long libos_grant_map(keel_domid_t domid, keel_grant_ref_t ref, int readonly,
                     void **va);
int libos_grant_unmap(keel_grant_handle_t handle);
/* KEEL_GNTOP_COPY: returns how many segments failed (each has its status),
 * or a negative error. */
long libos_grant_copy(struct keel_grant_copy *seg, unsigned count);

#endif /* LIBOS_GRANT_H */

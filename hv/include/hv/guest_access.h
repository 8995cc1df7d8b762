/*
 * The only way hv/common touches guest memory (hv/common/guest_access.c).
 *
 * Addresses are guest virtual addresses in domain d's address space.  Every
 * page of the range is looked up in d's page tables and must be mapped with
 * the user right the access needs (R to read, W to write); the copy goes
 * through the hypervisor's direct map of the frame.  A range that wraps,
 * reaches KEEL_USER_VA_END, or touches a page without the right fails with
 * -KEEL_EFAULT.  A failing copy may have copied a prefix.
 */
#ifndef HV_GUEST_ACCESS_H
#define HV_GUEST_ACCESS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <keel/abi.h>

struct domain;

/* Pure range check: [gva, gva + len) lies in the user half, no wrap. */
static inline bool guest_range_ok(uint64_t gva, uint64_t len)
{
    if (gva >= KEEL_USER_VA_END)
        return false;
    return len <= KEEL_USER_VA_END - gva;
}

int copy_from_guest(struct domain *d, void *dst, uint64_t gva, size_t len);
int copy_to_guest(struct domain *d, uint64_t gva, const void *src, size_t len);
/* Check the whole range without copying (rights: KEEL_RIGHT_R or _W). */
int guest_range_check(struct domain *d, uint64_t gva, size_t len, unsigned rights);

#endif /* HV_GUEST_ACCESS_H */

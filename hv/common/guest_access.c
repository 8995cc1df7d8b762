/*
 * Checked access to guest memory.  Everything hv/common reads from or writes
 * to a guest goes through here: the range is checked with overflow-safe
 * arithmetic, then walked page by page through the domain's own page tables
 * (as_lookup), so the hypervisor sees exactly what the guest's ring-3 code
 * could, never more: a page without the user right R (read) or W (write) is
 * -KEEL_EFAULT, as is anything at or above KEEL_USER_VA_END.  A lent BAR
 * mapped into the guest (AS_MMIO) is -KEEL_EFAULT too: the hypervisor
 * never reads or writes a device on a guest's behalf.
 *
 * Frames cannot disappear during a copy: a domain's own frames are freed
 * only after its vCPU has left every CPU, and foreign mappings only by its
 * own (single) vCPU's UNMAP_FOREIGN.
 */
#include <hv/guest_access.h>
#include <hv/domain.h>
#include <hv/lib.h>

/* The direct-map address of gva if mapped with `need` rights, else NULL.
 * A page of the caller's own stack not yet touched is backed first, as
 * the guest's own access would have done (stack.c). */
static uint8_t *guest_page(struct domain *d, uint64_t gva, unsigned need)
{
    uint64_t pa;
    unsigned rights, flags;

    if (as_lookup(&d->as, gva & PAGE_MASK, &pa, &rights, &flags) != 0 &&
        (!stack_touch(d, gva) ||
         as_lookup(&d->as, gva & PAGE_MASK, &pa, &rights, &flags) != 0))
        return NULL;
    if ((rights & need) != need || (flags & AS_MMIO))
        return NULL;            /* device memory: not in the direct map */
    return (uint8_t *)phys_to_virt(pa & PAGE_MASK) + (gva & ~PAGE_MASK);
}

/* Copy len bytes between buf and guest range at gva, page by page. */
static int guest_copy(struct domain *d, uint64_t gva, uint8_t *buf, size_t len,
                      bool to_guest)
{
    unsigned need = to_guest ? KEEL_RIGHT_W : KEEL_RIGHT_R;

    if (!guest_range_ok(gva, len))
        return -KEEL_EFAULT;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (gva & ~PAGE_MASK));
        uint8_t *p = guest_page(d, gva, need);
        if (!p)
            return -KEEL_EFAULT;
        if (to_guest)
            memcpy(p, buf, chunk);
        else
            memcpy(buf, p, chunk);
        gva += chunk;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

int copy_from_guest(struct domain *d, void *dst, uint64_t gva, size_t len)
{
    return guest_copy(d, gva, dst, len, false);
}

int copy_to_guest(struct domain *d, uint64_t gva, const void *src, size_t len)
{
    return guest_copy(d, gva, (uint8_t *)src, len, true);
}

int guest_range_check(struct domain *d, uint64_t gva, size_t len, unsigned rights)
{
    uint64_t page, last;

    if (!guest_range_ok(gva, len))
        return -KEEL_EFAULT;
    if (len == 0)
        return 0;
    last = (gva + len - 1) & PAGE_MASK;
    for (page = gva & PAGE_MASK; ; page += PAGE_SIZE) {
        if (!guest_page(d, page, rights))
            return -KEEL_EFAULT;
        if (page == last)
            return 0;
    }
}

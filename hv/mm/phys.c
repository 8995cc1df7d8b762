/*
 * The hypervisor side of the frame allocator, the heap and charges:
 * everything that needs the direct map, kept apart from the pure logic in
 * frame.c, heap.c and charge.c.
 */
#include <hv/mm.h>
#include <hv/lib.h>

uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= HV_IMAGE_BASE)
        return v - HV_IMAGE_BASE;
    BUG_ON(v < HV_DIRECT_MAP_BASE);
    return v - HV_DIRECT_MAP_BASE;
}

void *heap_pages_get(uint64_t npages)
{
    uint64_t pa = npages == 1 ? frame_alloc() : frames_alloc_range(npages);

    return pa ? phys_to_virt(pa) : NULL;
}

void heap_pages_put(void *p, uint64_t npages)
{
    frames_free_range(virt_to_phys(p), npages);
}

void *charge_page(struct hv_charge *c)
{
    uint64_t pa = charge_frame(c);

    return pa ? phys_to_virt(pa) : NULL;
}

void charge_page_free(void *page)
{
    if (page)
        frame_free(virt_to_phys(page));
}

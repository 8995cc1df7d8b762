/*
 * Guest memory layout (see layout.h): lib/'s image_layout places start
 * info, arguments, the device page and rings, heap, guard page and stack;
 * what is dom0's own is where the arguments and devices sit in it.
 */
#include <stdio.h>
#include <keel/abi.h>
#include <keel/domctl.h>
#include <keel/start_info.h>
#include <image/layout.h>
#include "layout.h"

#define PAGE      KEEL_PAGE_SIZE
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))
#define SI_BYTES  ((sizeof(struct keel_start_info) + 15) & ~(size_t)15)

int layout_plan(const struct image_info *img, uint64_t args_bytes,
                struct layout *l, char *msg, size_t msglen)
{
    return layout_plan_dev(img, args_bytes, 0, 0, 0, l, msg, msglen);
}

int layout_plan_dev(const struct image_info *img, uint64_t args_bytes,
                    int dev_page, uint64_t ring_pages, uint64_t hosts_pages,
                    struct layout *l, char *msg, size_t msglen)
{
    uint64_t stack = img->note.stack_bytes;
    uint64_t used = img->seg_end - KEEL_GUEST_BASE;   /* <= mem, checked */
    /* device page, rings and hosts table: bounded below, so no sum wraps */
    uint64_t hosts = dev_page ? hosts_pages * PAGE : 0;
    uint64_t dev = dev_page ? (1 + ring_pages) * PAGE + hosts : 0;
    uint64_t mem = img->note.mem_bytes + hosts;
    struct image_layout il;

    /* the first three keep SI_BYTES + args_bytes and dev from wrapping */
    if (args_bytes > mem || ring_pages > (1u << 20) || hosts_pages > (1u << 20) ||
        image_layout(img->seg_end, mem, stack, SI_BYTES + args_bytes,
                     dev / PAGE, &il)) {
        snprintf(msg, msglen, "image asks for %llu KiB of memory but needs "
                 "more: %llu KiB of segments, %llu KiB of start info and "
                 "arguments, %llu KiB of devices, a guard page and a %llu "
                 "KiB stack",
                 (unsigned long long)(img->note.mem_bytes >> 10),
                 (unsigned long long)(used >> 10),
                 (unsigned long long)(PAGE_UP(SI_BYTES + args_bytes) >> 10),
                 (unsigned long long)(dev >> 10),
                 (unsigned long long)(stack >> 10));
        return -1;
    }
    l->mem_base = KEEL_GUEST_BASE;
    l->mem_bytes = mem;
    l->si_va = il.info_va;
    l->args_va = l->si_va + SI_BYTES;
    l->args_bytes = args_bytes;
    l->dev_va = dev ? il.extra_va : 0;
    l->rings_va = dev ? l->dev_va + PAGE : 0;
    l->ring_pages = dev ? ring_pages : 0;
    l->hosts_va = hosts ? l->rings_va + ring_pages * PAGE : 0;
    l->hosts_pages = hosts / PAGE;
    l->heap_start = il.heap_start;
    l->stack_top = il.stack_top;
    l->stack_bytes = stack;
    l->stack_backed = stack > LAYOUT_START_STACK ? l->stack_top - LAYOUT_START_STACK :
                      l->stack_top - stack;
    l->heap_end = il.heap_end;
    l->heap_backed = il.heap_end - il.heap_start > LAYOUT_START_HEAP ?
                     il.heap_start + LAYOUT_START_HEAP : il.heap_end;
    return 0;
}

static unsigned put(struct region *r, unsigned n, uint64_t from, uint64_t to,
                    uint32_t rights)
{
    if (to <= from)
        return n;
    r[n] = (struct region){ from, (to - from) / PAGE, rights };
    return n + 1;
}

/* image_check keeps the segments in address order, on pages of their own. */
unsigned layout_regions(const struct image_info *img, const struct layout *l,
                        struct region *r)
{
    unsigned n = 0;
    uint64_t at = l->mem_base;

    for (unsigned k = 0; k < img->nsegs; k++) {
        const struct image_seg *s = &img->seg[k];
        uint64_t first = s->vaddr & ~(uint64_t)(PAGE - 1);
        uint64_t end = PAGE_UP(s->vaddr + s->memsz);
        n = put(r, n, at, first, 0);           /* hole between segments */
        n = put(r, n, first, end, image_seg_rights(s->flags));
        at = end;
    }
    /* start info, arguments, the device page and the hosts table are the
     * toolstack's word: read-only, so no grant of the guest's can make them
     * writable either; the ring pages and the heap are the guest's */
    uint64_t ro_end = l->dev_va ? l->rings_va : l->heap_start;
    uint64_t hosts = l->hosts_va ? l->hosts_va : l->heap_backed;
    uint64_t hosts_end = hosts + l->hosts_pages * PAGE;
    n = put(r, n, at, l->si_va, 0);
    n = put(r, n, l->si_va, ro_end, KEEL_RIGHT_R);
    n = put(r, n, ro_end, hosts, KEEL_RIGHT_R | KEEL_RIGHT_W);
    n = put(r, n, hosts, hosts_end, KEEL_RIGHT_R);
    n = put(r, n, hosts_end, l->heap_backed, KEEL_RIGHT_R | KEEL_RIGHT_W);
    /* the rest of the heap, the guard page and the stack below
     * stack_backed have no frames */
    n = put(r, n, l->stack_backed, l->stack_top, KEEL_RIGHT_R | KEEL_RIGHT_W);
    return n;
}

uint64_t layout_start_bytes(const struct layout *l)
{
    return l->heap_backed - l->mem_base + (l->stack_top - l->stack_backed);
}

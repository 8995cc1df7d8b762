/*
 * Guest memory layout (see layout.h).
 *
 * Everything is computed as offsets from mem_base that are each bounded by
 * the image's mem_bytes (at most KEEL_GUEST_MAX_BYTES, 2^36), so no sum
 * below can wrap even for hostile argument sizes.
 */
#include <stdio.h>
#include <keel/abi.h>
#include <keel/domctl.h>
#include <keel/start_info.h>
#include "layout.h"

#define PAGE      KEEL_PAGE_SIZE
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))
#define SI_BYTES  ((sizeof(struct keel_start_info) + 15) & ~(size_t)15)

int layout_plan(const struct image_info *img, uint64_t args_bytes,
                struct layout *l, char *msg, size_t msglen)
{
    return layout_plan_dev(img, args_bytes, 0, 0, l, msg, msglen);
}

int layout_plan_dev(const struct image_info *img, uint64_t args_bytes,
                    int dev_page, uint64_t ring_pages, struct layout *l,
                    char *msg, size_t msglen)
{
    uint64_t mem = img->note.mem_bytes, stack = img->note.stack_bytes;
    uint64_t used = img->seg_end - KEEL_GUEST_BASE;   /* <= mem, checked */
    /* device page and rings: bounded by the caller (a few hundred pages) */
    uint64_t dev = dev_page ? (1 + ring_pages) * PAGE : 0;

    if (args_bytes > mem || ring_pages > (1u << 20) ||
        PAGE_UP(SI_BYTES + args_bytes) > mem - used ||
        dev > mem - used - PAGE_UP(SI_BYTES + args_bytes) ||
        stack > mem - used - PAGE_UP(SI_BYTES + args_bytes) - dev ||
        PAGE > mem - used - PAGE_UP(SI_BYTES + args_bytes) - dev - stack) {
        snprintf(msg, msglen, "image asks for %llu KiB of memory but needs "
                 "more: %llu KiB of segments, %llu KiB of start info and "
                 "arguments, %llu KiB of devices, a guard page and a %llu "
                 "KiB stack",
                 (unsigned long long)(mem >> 10),
                 (unsigned long long)(used >> 10),
                 (unsigned long long)(PAGE_UP(SI_BYTES + args_bytes) >> 10),
                 (unsigned long long)(dev >> 10),
                 (unsigned long long)(stack >> 10));
        return -1;
    }
    l->mem_base = KEEL_GUEST_BASE;
    l->mem_bytes = mem;
    l->si_va = img->seg_end;
    l->args_va = l->si_va + SI_BYTES;
    l->args_bytes = args_bytes;
    l->dev_va = dev ? l->si_va + PAGE_UP(SI_BYTES + args_bytes) : 0;
    l->rings_va = dev ? l->dev_va + PAGE : 0;
    l->ring_pages = dev ? ring_pages : 0;
    l->heap_start = l->si_va + PAGE_UP(SI_BYTES + args_bytes) + dev;
    l->stack_top = KEEL_GUEST_BASE + mem;
    l->stack_bytes = stack;
    l->heap_end = l->stack_top - stack - PAGE;
    return 0;
}

uint32_t layout_seg_rights(uint32_t pflags)
{
    uint32_t r = KEEL_RIGHT_R;

    if (pflags & ELF_PF_W)
        r |= KEEL_RIGHT_W;
    if (pflags & ELF_PF_X)
        r |= KEEL_RIGHT_X;
    return r;
}

static unsigned put(struct region *r, unsigned n, uint64_t from, uint64_t to,
                    uint32_t rights)
{
    if (to <= from)
        return n;
    r[n] = (struct region){ from, (to - from) / PAGE, rights };
    return n + 1;
}

/* Segment indices sorted by address (at most IMAGE_MAX_SEGS: insertion). */
static void sort_segs(const struct image_info *img, unsigned *idx)
{
    for (unsigned i = 0; i < img->nsegs; i++) {
        unsigned j = i;
        for (; j > 0 && img->seg[idx[j - 1]].vaddr > img->seg[i].vaddr; j--)
            idx[j] = idx[j - 1];
        idx[j] = i;
    }
}

unsigned layout_regions(const struct image_info *img, const struct layout *l,
                        struct region *r)
{
    unsigned idx[IMAGE_MAX_SEGS], n = 0;
    uint64_t at = l->mem_base;

    sort_segs(img, idx);
    for (unsigned k = 0; k < img->nsegs; k++) {
        const struct image_seg *s = &img->seg[idx[k]];
        uint64_t first = s->vaddr & ~(uint64_t)(PAGE - 1);
        uint64_t end = PAGE_UP(s->vaddr + s->memsz);
        n = put(r, n, at, first, 0);           /* hole between segments */
        n = put(r, n, first, end, layout_seg_rights(s->flags));
        at = end;
    }
    /* start info, arguments and the device page are the toolstack's word:
     * read-only, so no grant of the guest's can make them writable either;
     * the ring pages and the heap after them are the guest's */
    uint64_t ro_end = l->dev_va ? l->rings_va : l->heap_start;
    n = put(r, n, at, l->si_va, 0);
    n = put(r, n, l->si_va, ro_end, KEEL_RIGHT_R);
    n = put(r, n, ro_end, l->heap_end, KEEL_RIGHT_R | KEEL_RIGHT_W);
    n = put(r, n, l->heap_end, l->heap_end + PAGE, 0);
    n = put(r, n, l->stack_top - l->stack_bytes, l->stack_top,
            KEEL_RIGHT_R | KEEL_RIGHT_W);
    return n;
}

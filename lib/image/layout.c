/*
 * The start-of-day layout (see image/layout.h).
 *
 * Each piece is first bounded by mem_bytes (at most KEEL_GUEST_MAX_BYTES,
 * 2^36), so the one sum that decides whether they fit cannot wrap, whatever
 * sizes a hostile note or argument list brings.
 */
#include <keel/abi.h>
#include <keel/domctl.h>
#include <image/layout.h>

#define IMG_PAGE       ((uint64_t)KEEL_PAGE_SIZE)
#define IMG_PAGE_UP(x) (((x) + IMG_PAGE - 1) & ~(IMG_PAGE - 1))

static int sizes_ok(uint64_t mem_bytes, uint64_t stack_bytes)
{
    return mem_bytes != 0 && mem_bytes % IMG_PAGE == 0 &&
           mem_bytes <= KEEL_GUEST_MAX_BYTES && stack_bytes != 0 &&
           stack_bytes % IMG_PAGE == 0 && stack_bytes < mem_bytes;
}

int image_layout(uint64_t image_end, uint64_t mem_bytes, uint64_t stack_bytes,
                 uint64_t info_bytes, uint64_t extra_pages,
                 struct image_layout *out)
{
    uint64_t base = KEEL_GUEST_BASE;

    if (!sizes_ok(mem_bytes, stack_bytes) || image_end < base ||
        image_end - base > mem_bytes || info_bytes > mem_bytes ||
        extra_pages > mem_bytes / IMG_PAGE)
        return -1;
    uint64_t used = IMG_PAGE_UP(image_end - base), info = IMG_PAGE_UP(info_bytes);
    if (used + info + extra_pages * IMG_PAGE + IMG_PAGE + stack_bytes > mem_bytes)
        return -1;
    out->info_va = base + used;
    out->extra_va = out->info_va + info;
    out->heap_start = out->extra_va + extra_pages * IMG_PAGE;
    out->stack_top = base + mem_bytes;
    out->heap_end = out->stack_top - stack_bytes - IMG_PAGE;
    return 0;
}

uint32_t image_seg_rights(uint32_t pflags)
{
    uint32_t r = KEEL_RIGHT_R;

    if (pflags & ELF_PF_W)
        r |= KEEL_RIGHT_W;
    if (pflags & ELF_PF_X)
        r |= KEEL_RIGHT_X;
    return r;
}

uint32_t image_page_rights(const struct image_info *img, uint64_t page_va)
{
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct image_seg *s = &img->seg[i];
        if (s->vaddr < page_va + IMG_PAGE && page_va < s->vaddr + s->memsz)
            return image_seg_rights(s->flags);
    }
    return 0;
}

/*
 * The start of day every Keel domain gets (keel/start_info.h has the
 * picture), as arithmetic both builders share: the hypervisor places dom0
 * with it (hv/common/layout.c), dom0's toolstack every guest
 * (dom0/layout.c), and image_check() asks it whether an image's note
 * leaves room for anything at all.
 *
 *   KEEL_GUEST_BASE ... image_end   the segments
 *   info_va                         start info and what the builder puts
 *                                   after it (modules, arguments):
 *                                   info_bytes, rounded up to pages
 *   extra_va                        extra_pages pages the builder places
 *                                   (dom0's guests: device page, rings)
 *   heap_start .. heap_end          the heap
 *   heap_end                        one guard page
 *   stack_top - stack_bytes         the stack; stack_top is the end of
 *                                   memory, KEEL_GUEST_BASE + mem_bytes
 */
#ifndef LIB_IMAGE_LAYOUT_H
#define LIB_IMAGE_LAYOUT_H

#include <stdint.h>
#include "elf_check.h"

struct image_layout {
    uint64_t info_va;          /* page aligned, right after the segments */
    uint64_t extra_va;         /* page aligned */
    uint64_t heap_start;       /* page aligned */
    uint64_t heap_end;         /* page aligned: the guard page */
    uint64_t stack_top;
};

/* 0 and *out filled, or -1 when the pieces do not fit in mem_bytes or an
 * input is out of range.  Every input is checked (mem_bytes and
 * stack_bytes as image_check checks a note's), so no sum can wrap. */
int image_layout(uint64_t image_end, uint64_t mem_bytes, uint64_t stack_bytes,
                 uint64_t info_bytes, uint64_t extra_pages,
                 struct image_layout *out);

/* Page rights (KEEL_RIGHT_*) for a segment's ELF_PF_* flags: text r-x,
 * rodata r--, data rw-.  A segment is always readable. */
uint32_t image_seg_rights(uint32_t pflags);

/* Rights of the page at page_va of a checked image: its one segment's
 * (image_check lets no two segments share a page), or 0 between them. */
uint32_t image_page_rights(const struct image_info *img, uint64_t page_va);

#endif /* LIB_IMAGE_LAYOUT_H */

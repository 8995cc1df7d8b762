/*
 * Where things go in a guest's memory (keel/start_info.h has the picture):
 *
 *   mem_base ... seg_end      the image's PT_LOAD segments, rights per ELF
 *   si_va                     start-info page, then the argument strings (r--)
 *   dev_va                    the device page (r--), if the guest has devices
 *   rings_va                  the ring pages of its GRANTER devices (rw-)
 *   hosts_va                  the run's hosts table (r--), if it gets one:
 *                             pages on top of the image's mem_bytes
 *   heap_start .. heap_end    the heap (rw-): backed up to heap_backed
 *                             (LAYOUT_START_HEAP), the rest on demand
 *   heap_end                  one guard page (unmapped)
 *   stack_top - stack_bytes   the stack (rw-), stack_top = end of memory:
 *                             backed from stack_backed (LAYOUT_START_STACK),
 *                             the rest on first touch (KEEL_DOMCTL_SET_STACK)
 *
 * Pure arithmetic on a checked image (image/elf_check.h), on the layout
 * every builder shares (image/layout.h), tested on the host.
 */
#ifndef DOM0_LAYOUT_H
#define DOM0_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <image/elf_check.h>

struct layout {
    uint64_t mem_base;
    uint64_t mem_bytes;
    uint64_t si_va;          /* page aligned, right after the segments */
    uint64_t args_va;        /* after struct keel_start_info, 16 aligned */
    uint64_t args_bytes;
    uint64_t dev_va;         /* 0: no device page */
    uint64_t rings_va;       /* ring_pages pages after the device page */
    uint64_t ring_pages;
    uint64_t hosts_va;       /* 0: no hosts table */
    uint64_t hosts_pages;
    uint64_t heap_start;     /* page aligned */
    uint64_t heap_backed;    /* page aligned: [heap_start, heap_backed) has
                                frames at start, the rest on demand */
    uint64_t heap_end;       /* page aligned: the guard page */
    uint64_t stack_top;      /* == mem_base + mem_bytes */
    uint64_t stack_bytes;
    uint64_t stack_backed;   /* page aligned: [stack_backed, stack_top) has
                                frames at start, the rest on first touch */
};

/* Heap a guest starts with: enough for the libos to reach main (argument
 * copies, stdio buffers) without asking for more; the rest of the heap
 * comes on demand (keel/memory.h). */
#define LAYOUT_START_HEAP (16u << 10)

/* Stack a guest starts with: what the libos and a small main use (a
 * hello guest touches under 4 KiB); the hypervisor backs the rest of the
 * stack when the guest first touches it (keel/domctl.h SET_STACK), so a
 * 256 KiB stack costs what the guest uses of it. */
#define LAYOUT_START_STACK (8u << 10)

/* A run of pages with one set of rights (KEEL_RIGHT_*; 0 = unmapped). */
struct region {
    uint64_t gva;
    uint64_t npages;
    uint32_t rights;
};

/* Segments, the gaps between them, start info, rings, hosts table, heap,
 * guard, stack. */
#define LAYOUT_MAX_REGIONS (2 * IMAGE_MAX_SEGS + 8)

/* Plan the memory of a checked image that gets args_bytes of argument
 * strings and no devices.  Returns 0, or -1 with the reason in msg if it
 * does not fit. */
int layout_plan(const struct image_info *img, uint64_t args_bytes,
                struct layout *l, char *msg, size_t msglen);

/* The same with a device page and ring_pages ring pages when dev_page is
 * set (taken from the heap), and hosts_pages pages of the hosts table
 * after them (added to the memory: the heap keeps its size; only with a
 * device page). */
int layout_plan_dev(const struct image_info *img, uint64_t args_bytes,
                    int dev_page, uint64_t ring_pages, uint64_t hosts_pages,
                    struct layout *l, char *msg, size_t msglen);

/* Cover the pages a guest starts with, [mem_base, heap_backed) and
 * [stack_backed, stack_top), with regions in address order; returns how
 * many were written to r[LAYOUT_MAX_REGIONS]. */
unsigned layout_regions(const struct image_info *img, const struct layout *l,
                        struct region *r);

/* Bytes of memory a guest starts with: what layout_regions covers. */
uint64_t layout_start_bytes(const struct layout *l);

#endif /* DOM0_LAYOUT_H */

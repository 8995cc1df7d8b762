/*
 * The memory layout of dom0, the one domain the hypervisor builds
 * (hv/common/layout.c, on lib/'s image_layout; the image itself is checked
 * by lib/'s image_check).  Pure logic, unit-tested on the host
 * (tests/unit/hv_layout_test.c).
 */
#ifndef HV_LAYOUT_H
#define HV_LAYOUT_H

#include <stdint.h>

/* Where the builder puts things, see keel/start_info.h. */
struct guest_layout {
    uint64_t mem_base, mem_bytes;
    uint64_t info_va;           /* start info, then modules[], then args */
    uint64_t modules_va;
    uint64_t args_va, args_bytes;
    uint64_t heap_start, heap_end;   /* heap_end is the guard page */
    uint64_t stack_top, stack_bytes;
};

int guest_layout_compute(uint64_t image_end, uint64_t mem_bytes,
                         uint64_t stack_bytes, unsigned nr_modules,
                         uint64_t args_bytes, struct guest_layout *out,
                         const char **why);

#endif /* HV_LAYOUT_H */

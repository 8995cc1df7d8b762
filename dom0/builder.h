/*
 * The domain builder: one guest from a checked image to a running domain.
 *
 *   elf_check + layout_plan  (refuse before anything is created)
 *   CREATE -> load segments, zero bss (foreign mappings, in batches)
 *          -> start info + argument strings -> SET_RIGHTS for every page
 *          -> SET_VCPU (rip = entry, rsp = stack_top, rdi = start info)
 *          -> UNPAUSE -> `start` and `timing` control lines
 *
 * `start` follows UNPAUSE so that no console write lands inside the timed
 * window; the launcher holds a domain's output until `start` names it.
 *
 * Any failure destroys what was created and reports `msg <idx> <name>:
 * <reason>` and `exit <idx> 126`; the other guests are not affected.
 */
#ifndef DOM0_BUILDER_H
#define DOM0_BUILDER_H

#include <stdint.h>
#include "elf_check.h"
#include "manifest.h"

struct guest {
    int idx;                     /* command-line order */
    const struct mf_guest *mf;   /* name and arguments */
    const void *image;           /* boot module, read-only */
    uint64_t image_size;
    struct image_info info;      /* valid once built */
    uint32_t domid;
    int status;                  /* exit status, -1 while running */
};

/* Build and unpause g.  Returns 0 when it runs; otherwise it has been
 * reported (status 126) and -1 is returned. */
int builder_start(struct guest *g, uint32_t nr_cpus);

/* KEEL_DOMCTL_DESTROY; logs a failure (nothing else can be done). */
void builder_destroy(uint32_t domid);

#endif /* DOM0_BUILDER_H */

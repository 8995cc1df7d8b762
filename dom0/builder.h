/*
 * The domain builder: one guest from a checked image to a running domain.
 *
 *   image_check, devices_plan (device entries and their ring pages),
 *   layout_plan_dev          (refuse before anything is created)
 *   CREATE -> devices_connect (event ports; backends learn the guest)
 *          -> load segments: read-only pages shared from the image's
 *             boot module (MAP_MODULE, share.h), the rest copied and bss
 *             zeroed (foreign mappings, in batches)
 *          -> the hosts table, for a guest with a NIC: the module's
 *             pages shared read-only (hosts.h)
 *          -> start info + argument strings -> device page, zeroed rings
 *          -> SET_RIGHTS for every page
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

#include <stdbool.h>
#include <stdint.h>
#include <image/elf_check.h>
#include "manifest.h"

struct devpage;

struct guest {
    int idx;                     /* command-line order */
    const struct mf_guest *mf;   /* name and arguments */
    const void *image;           /* boot module, read-only */
    uint64_t image_size;
    struct image_info info;      /* valid once built */
    uint32_t domid;
    uint32_t port;               /* dom0's, shared by its backends; 0: none */
    int status;                  /* exit status, -1 while running */
    struct devpage *dev;         /* while building: its device page */
    bool hold;                   /* build paused; builder_release starts it */
    uint64_t max_mem;            /* its maximum memory instead of the image's
                                    (keel run --guest-mem); 0: the image's */
    uint64_t dev_va;             /* held: where its device page is */
    uint64_t create_ns;          /* held: when CREATE was asked */
};

/* Build and unpause g.  Returns 0 when it runs; otherwise it has been
 * reported (status 126) and -1 is returned. */
int builder_start(struct guest *g, uint32_t nr_cpus);

/* Start a guest built with hold set (after chan_wire completed its device
 * page).  0, or -1 when it failed (reported, status 126, destroyed). */
int builder_release(struct guest *g);

/* KEEL_DOMCTL_DESTROY; logs a failure (nothing else can be done). */
void builder_destroy(uint32_t domid);

#endif /* DOM0_BUILDER_H */

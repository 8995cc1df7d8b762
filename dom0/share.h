/*
 * Which pages of a guest image are shared from its boot module
 * (KEEL_DOMCTL_MAP_MODULE) instead of copied.
 *
 * A page is shared when the guest would see exactly the module's bytes
 * there after a copy: it lies entirely inside [p_vaddr, p_vaddr + p_filesz)
 * of a segment that is readable and not writable, whose p_offset and
 * p_vaddr agree modulo the page size (so the page is one module page), and
 * no other segment touches it (its rights are that segment's alone).  Per
 * segment those pages are one run; the pages around it are copied.
 *
 * Pure arithmetic on a checked image (image/elf_check.h), tested on the host.
 */
#ifndef DOM0_SHARE_H
#define DOM0_SHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <image/elf_check.h>

struct share_run {
    uint64_t gva;        /* first shared page */
    uint64_t npages;
    uint64_t offset;     /* its page in the module (file), from the start */
    uint32_t rights;     /* KEEL_RIGHT_R [| KEEL_RIGHT_X] */
};

/* The run of segment i, or false when none of its pages can be shared. */
bool share_run(const struct image_info *info, unsigned i, struct share_run *out);

#endif /* DOM0_SHARE_H */

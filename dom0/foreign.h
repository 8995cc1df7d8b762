/*
 * Reading and writing another domain's memory through KEEL_DOMCTL_MAP_FOREIGN.
 *
 * Writes map the target range in batches of at most FOREIGN_BATCH pages
 * (the window is 4 GiB and holds a bounded number of regions, and a guest
 * may be larger), copy or zero, and unmap before returning: the hypervisor
 * refuses to destroy a domain that still has pages in dom0's window.
 */
#ifndef DOM0_FOREIGN_H
#define DOM0_FOREIGN_H

#include <stdint.h>

#define FOREIGN_BATCH 1024u   /* pages per mapping: 4 MiB */

/* Fill guest pages [first, end) (page aligned) of domain domid: bytes in
 * [src_va, src_va + src_len) come from src, every other byte is zero.
 * Returns 0 or -KEEL_E*. */
int foreign_load(uint32_t domid, uint64_t first, uint64_t end,
                 uint64_t src_va, const void *src, uint64_t src_len);

/* A one-page cache for reading a guest word by word (crash backtraces). */
struct foreign_reader {
    uint32_t domid;
    uint64_t lo, hi;          /* only addresses in [lo, hi) are read */
    uint64_t page;            /* guest page mapped at va, if va != 0 */
    uint64_t va;
};

void foreign_reader_init(struct foreign_reader *r, uint32_t domid,
                         uint64_t lo, uint64_t hi);
/* Read the 8-aligned word at gva; 0 or -KEEL_E*.  Fits bt_read_fn. */
int foreign_read64(void *reader, uint64_t gva, uint64_t *val);
/* Unmap the cached page (before the domain is destroyed). */
void foreign_reader_done(struct foreign_reader *r);

#endif /* DOM0_FOREIGN_H */

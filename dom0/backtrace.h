/*
 * Walking a crashed guest's frame-pointer chain.
 *
 * Keel images are built with frame pointers: each frame holds the caller's
 * rbp at [rbp] and the return address at [rbp + 8].  The walk reads guest
 * memory only through a callback (dom0 maps the guest's pages one at a
 * time) and trusts nothing it reads: it stops at a null, misaligned or
 * out-of-range frame pointer, at one that does not move towards the stack's
 * top (which would otherwise loop), at a zero return address, and after
 * `max` frames.
 */
#ifndef DOM0_BACKTRACE_H
#define DOM0_BACKTRACE_H

#include <stdint.h>

/* Read the 8-byte word at guest address addr (8-aligned); 0 on success. */
typedef int (*bt_read_fn)(void *ctx, uint64_t addr, uint64_t *val);

/* Fill pcs[] with one return address per frame, starting at the frame rbp
 * points to; frame pointers must lie in [lo, hi).  Returns how many (at
 * most max). */
unsigned backtrace_walk(uint64_t rbp, uint64_t lo, uint64_t hi,
                        bt_read_fn read, void *ctx, uint64_t *pcs,
                        unsigned max);

#endif /* DOM0_BACKTRACE_H */

/*
 * The frame the rbp chain misses.
 *
 * A backtrace follows saved frame pointers, but a function without a frame
 * (a leaf compiled with the leaf frame pointer omitted, as newlib's string
 * functions are) or one stopped before its prologue set rbp leaves rbp
 * pointing at its caller's frame: the chain then skips the caller, often
 * the most interesting frame.  The caller's return address is still on top
 * of the stack; these functions decide, from the crashed function's code in
 * the image, whether it is, and whether a value read there really is a
 * return address (it points just after a call instruction in executable
 * code) before the backtrace shows it.
 */
#ifndef DOM0_LEAF_H
#define DOM0_LEAF_H

#include <stdint.h>
#include <image/elf_check.h>

/* For a crash at rip inside the function starting at fn: returns 1 and the
 * offset from rsp of the return address when rbp does not yet hold this
 * function's frame, 0 when it does (or the code cannot be read). */
int leaf_return_slot(const struct image_info *img, const void *file,
                     uint64_t fn, uint64_t rip, uint64_t *slot);

/* Non-zero when addr follows a call instruction in an executable segment. */
int leaf_is_return_address(const struct image_info *img, const void *file,
                           uint64_t addr);

#endif /* DOM0_LEAF_H */

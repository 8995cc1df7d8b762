/*
 * Frameless functions in crash backtraces (see leaf.h).
 *
 * With frame pointers, GCC starts a framed function with `push %rbp`
 * (0x55), possibly after `endbr64`, and sets rbp with `mov %rsp,%rbp`
 * (48 89 e5) right after it or, when it schedules other instructions in
 * between, a little later.  So:
 *   no push first            frameless: return address at [rsp]
 *   stopped on the push      return address at [rsp]
 *   stopped right after it   return address at [rsp + 8] (if the mov
 *                            follows the push directly)
 *   anywhere else            rbp is this function's frame: nothing to add
 * Whatever the guess, the value found is only shown if it points just
 * after a call, so a wrong guess costs a frame, never a bogus one.
 */
#include <string.h>
#include "leaf.h"

static const uint8_t ENDBR64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const uint8_t MOV_RSP_RBP[3] = { 0x48, 0x89, 0xe5 };

/* len bytes of code at va, if they lie in the file part of an executable
 * segment; NULL otherwise. */
static const uint8_t *code_at(const struct image_info *img, const void *file,
                              uint64_t va, uint64_t len)
{
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct image_seg *s = &img->seg[i];
        if ((s->flags & ELF_PF_X) && va >= s->vaddr &&
            va - s->vaddr <= s->filesz && len <= s->filesz - (va - s->vaddr))
            return (const uint8_t *)file + s->offset + (va - s->vaddr);
    }
    return NULL;
}

int leaf_return_slot(const struct image_info *img, const void *file,
                     uint64_t fn, uint64_t rip, uint64_t *slot)
{
    const uint8_t *c = code_at(img, file, fn, 8);

    if (!c || rip < fn)
        return 0;
    if (memcmp(c, ENDBR64, 4) == 0) {
        fn += 4;
        c += 4;
        if (rip < fn) {
            *slot = 0;
            return 1;
        }
    }
    *slot = 0;
    if (c[0] != 0x55 || rip == fn)
        return 1;
    if (rip == fn + 1 && memcmp(c + 1, MOV_RSP_RBP, 3) == 0) {
        *slot = 8;
        return 1;
    }
    return 0;
}

int leaf_is_return_address(const struct image_info *img, const void *file,
                           uint64_t addr)
{
    const uint8_t *c;

    if (addr < 6 || !(c = code_at(img, file, addr - 6, 6)))
        return 0;
    /* c[0..5] are the 6 bytes before addr */
    return c[1] == 0xe8 ||                              /* call rel32 */
           (c[4] == 0xff && (c[5] & 0xf8) == 0xd0) ||   /* call *%reg */
           (c[3] == 0xff && (c[4] & 0xf8) == 0x50) ||   /* call *d8(%reg) */
           (c[0] == 0xff && (c[1] == 0x15 ||            /* call *d32(%rip) */
                             (c[1] & 0xf8) == 0x90));   /* call *d32(%reg) */
}

/*
 * Shared read-only pages of a guest image (see share.h).
 */
#include <keel/abi.h>
#include <keel/domctl.h>
#include <image/elf64.h>
#include "share.h"

#define SH_PAGE       ((uint64_t)KEEL_PAGE_SIZE)
#define SH_DOWN(x)    ((x) & ~(SH_PAGE - 1))
#define SH_UP(x)      SH_DOWN((x) + SH_PAGE - 1)

/* Leave out of [*lo, *hi) every page that segment j touches. */
static void clip(const struct image_seg *j, uint64_t *lo, uint64_t *hi)
{
    uint64_t jlo = SH_DOWN(j->vaddr), jhi = SH_UP(j->vaddr + j->memsz);

    if (jhi <= *lo || jlo >= *hi)
        return;
    if (jlo <= *lo)
        *lo = jhi < *hi ? jhi : *hi;
    else
        *hi = jlo;
}

bool share_run(const struct image_info *info, unsigned i, struct share_run *out)
{
    if (i >= info->nsegs)
        return false;
    const struct image_seg *s = &info->seg[i];
    if (!(s->flags & ELF_PF_R) || (s->flags & ELF_PF_W) ||
        s->offset % SH_PAGE != s->vaddr % SH_PAGE)
        return false;
    /* image_check keeps vaddr + filesz from wrapping */
    uint64_t lo = SH_UP(s->vaddr), hi = SH_DOWN(s->vaddr + s->filesz);
    for (unsigned j = 0; j < info->nsegs && lo < hi; j++)
        if (j != i)
            clip(&info->seg[j], &lo, &hi);
    if (lo >= hi)
        return false;
    *out = (struct share_run){
        .gva = lo, .npages = (hi - lo) / SH_PAGE,
        .offset = (s->offset + (lo - s->vaddr)) / SH_PAGE,
        .rights = KEEL_RIGHT_R | (s->flags & ELF_PF_X ? KEEL_RIGHT_X : 0),
    };
    return true;
}

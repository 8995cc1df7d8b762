/*
 * Guest memory access through foreign mappings (see foreign.h).
 */
#include <string.h>
#include <keel/abi.h>
#include "foreign.h"
#include "hc.h"

#define PAGE KEEL_PAGE_SIZE

static long map(uint32_t domid, uint64_t gva, uint64_t npages, uint64_t *va)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_MAP_FOREIGN, .domid = domid };

    op.u.map_foreign.gva = gva;
    op.u.map_foreign.npages = npages;
    long rc = hc_domctl(&op);
    *va = op.u.map_foreign.va;
    return rc < 0 ? rc : 0;
}

static void unmap(uint64_t va, uint64_t npages)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_UNMAP_FOREIGN };

    op.u.unmap_foreign.va = va;
    op.u.unmap_foreign.npages = npages;
    hc_domctl(&op);
}

/* Fill one mapped chunk [at, at + len) seen at dst. */
static void fill(uint8_t *dst, uint64_t at, uint64_t len, uint64_t src_va,
                 const uint8_t *src, uint64_t src_len)
{
    uint64_t s0 = src_va, s1 = src_va + src_len;
    uint64_t c0 = at > s0 ? at : s0;
    uint64_t c1 = at + len < s1 ? at + len : s1;

    if (c0 >= c1) {                      /* no source bytes in this chunk */
        memset(dst, 0, len);
        return;
    }
    memset(dst, 0, c0 - at);
    memcpy(dst + (c0 - at), src + (c0 - s0), c1 - c0);
    memset(dst + (c1 - at), 0, at + len - c1);
}

int foreign_load(uint32_t domid, uint64_t first, uint64_t end,
                 uint64_t src_va, const void *src, uint64_t src_len)
{
    for (uint64_t at = first; at < end;) {
        uint64_t npages = (end - at) / PAGE, va;
        if (npages > FOREIGN_BATCH)
            npages = FOREIGN_BATCH;
        long rc = map(domid, at, npages, &va);
        if (rc < 0)
            return (int)rc;
        fill((uint8_t *)(uintptr_t)va, at, npages * PAGE, src_va, src,
             src_len);
        unmap(va, npages);
        at += npages * PAGE;
    }
    return 0;
}

void foreign_reader_init(struct foreign_reader *r, uint32_t domid,
                         uint64_t lo, uint64_t hi)
{
    *r = (struct foreign_reader){ .domid = domid, .lo = lo, .hi = hi };
}

int foreign_read64(void *reader, uint64_t gva, uint64_t *val)
{
    struct foreign_reader *r = reader;
    uint64_t page = gva & ~(uint64_t)(PAGE - 1);

    if ((gva & 7) || gva < r->lo || gva >= r->hi || r->hi - gva < 8)
        return -KEEL_EFAULT;
    if (!r->va || r->page != page) {
        foreign_reader_done(r);
        uint64_t va;
        long rc = map(r->domid, page, 1, &va);
        if (rc < 0)
            return (int)rc;
        r->va = va;
        r->page = page;
    }
    memcpy(val, (const uint8_t *)(uintptr_t)r->va + (gva - page), 8);
    return 0;
}

void foreign_reader_done(struct foreign_reader *r)
{
    if (r->va)
        unmap(r->va, 1);
    r->va = 0;
}

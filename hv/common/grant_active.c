/*
 * A granter's active records (struct grant_active), one per grant reference,
 * in chunks of GRANT_ACTIVE_CHUNK (one frame) allocated the first time one
 * of their references is pinned and kept until the table is freed.
 *
 * Why chunks: a guest registers a whole page of 512 references (libos) and
 * its console uses 11.  Allocating every record at SETUP cost 12 KiB of
 * 24-byte records for each guest (docs/memory.md); one chunk is one frame.
 *
 * Why frames out of the granter's charge: whoever pins (the granter
 * itself, a grantee, a copy) makes the granter's records grow, and
 * references below its grant_entries limit bound how far, so the reserve
 * CREATE took for the granter always holds them (hv/common/limits.c).
 *
 * Every record in a chunk is valid, pinned or not (no pins: free; the first
 * pin rewrites it).  Callers hold gt->lock.  Pure logic over
 * charge_page/charge_page_free, host-tested.
 */
#include <hv/grant.h>
#include <hv/mm.h>

struct grant_active *grant_active_find(struct grant_table *gt, uint32_t ref)
{
    struct grant_active *c;

    if (ref >= KEEL_GRANT_MAX_ENTRIES)
        return NULL;
    ref = (uint32_t)index_nospec(ref, KEEL_GRANT_MAX_ENTRIES);
    c = gt->active[ref / GRANT_ACTIVE_CHUNK];
    return c ? &c[ref % GRANT_ACTIVE_CHUNK] : NULL;
}

struct grant_active *grant_active_get(struct grant_table *gt, uint32_t ref)
{
    struct grant_active **c;

    if (ref >= KEEL_GRANT_MAX_ENTRIES)
        return NULL;
    c = &gt->active[ref / GRANT_ACTIVE_CHUNK];
    if (!*c && !(*c = charge_page(gt->charge)))
        return NULL;
    return &(*c)[ref % GRANT_ACTIVE_CHUNK];
}

struct grant_active *grant_active_next(struct grant_table *gt, uint32_t *ref)
{
    while (*ref < KEEL_GRANT_MAX_ENTRIES) {
        struct grant_active *c = gt->active[*ref / GRANT_ACTIVE_CHUNK];
        if (c)
            return &c[(*ref)++ % GRANT_ACTIVE_CHUNK];
        *ref = (*ref / GRANT_ACTIVE_CHUNK + 1) * GRANT_ACTIVE_CHUNK;   /* next chunk */
    }
    return NULL;
}

void grant_active_free(struct grant_table *gt)
{
    for (unsigned i = 0; i < GRANT_ACTIVE_CHUNKS; i++) {
        charge_page_free(gt->active[i]);
        gt->active[i] = NULL;
    }
}

/*
 * A granter's active records (struct grant_active), one per grant reference,
 * in chunks of GRANT_ACTIVE_CHUNK allocated the first time one of their
 * references is pinned and kept until the table is freed.
 *
 * Why chunks: a guest registers a whole page of 512 references (libos) and
 * its console uses 11.  Allocating every record at SETUP cost 12 KiB of
 * 24-byte records, a 4-page heap block, for each guest: a third of what the
 * hypervisor spent on a small guest beside its memory (docs/memory.md).
 * One chunk of 64 records is 1.5 KiB.
 *
 * Every record in a chunk is valid, pinned or not (no pins: free; the first
 * pin rewrites it).  Callers hold gt->lock.  Pure logic over kzalloc/kfree,
 * host-tested.
 */
#include <hv/grant.h>
#include <hv/mm.h>

struct grant_active *grant_active_find(struct grant_table *gt, uint32_t ref)
{
    struct grant_active *c;

    if (ref >= KEEL_GRANT_MAX_ENTRIES)
        return NULL;
    c = gt->active[ref / GRANT_ACTIVE_CHUNK];
    return c ? &c[ref % GRANT_ACTIVE_CHUNK] : NULL;
}

struct grant_active *grant_active_get(struct grant_table *gt, uint32_t ref)
{
    struct grant_active **c;

    if (ref >= KEEL_GRANT_MAX_ENTRIES)
        return NULL;
    c = &gt->active[ref / GRANT_ACTIVE_CHUNK];
    if (!*c && !(*c = kzalloc(GRANT_ACTIVE_CHUNK * sizeof(**c))))
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
        kfree(gt->active[i]);
        gt->active[i] = NULL;
    }
}

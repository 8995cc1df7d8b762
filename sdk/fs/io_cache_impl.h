/*
 * Inside the block cache (io_cache.h): io_cache.c holds the slots, their
 * lists and the reads; io_cache_wb.c the writes and the write-back.
 *
 * Every slot is on exactly one list (free, clean, dirty), linked through
 * its own `link`, and a held block (clean or dirty) is also on its hash
 * bucket's chain.  So eviction takes the clean list's head, and the
 * write-back walks the dirty list from its head, with no search.
 */
#ifndef FS_IO_CACHE_IMPL_H
#define FS_IO_CACHE_IMPL_H

#include "io_cache.h"

#define IO_NONE UINT32_MAX

enum io_state { IO_FREE, IO_CLEAN, IO_DIRTY };

struct io_link {
    uint32_t prev, next;
};

struct io_list {
    uint32_t head, tail;        /* head: oldest */
};

struct io_slot {
    uint64_t block;
    uint32_t hnext;             /* hash chain */
    enum io_state state;
};

struct io_cache {
    struct io_cache_dev dev;
    size_t bs;
    uint32_t nslots, nbuckets;  /* nbuckets: a power of two */
    uint32_t ndirty;
    uint8_t *data;              /* nslots blocks */
    uint8_t *staging;           /* one request: dev.max_bytes */
    struct io_slot *slot;
    struct io_link *link;
    uint32_t *bucket;
    struct io_list list[3];     /* by enum io_state */
    uint64_t ra_next;           /* the block after the last miss's window */
    uint32_t ra_window;         /* its length in blocks */
    struct io_cache_stats stats;
};

static inline uint8_t *io_data(struct io_cache *c, uint32_t s)
{
    return c->data + (size_t)s * c->bs;
}

/* io_cache.c */
uint32_t io_find(const struct io_cache *c, uint64_t block);
/* s onto list `to`'s tail (the most recent end), off whichever it was on. */
void io_move(struct io_cache *c, uint32_t s, enum io_state to);
/* A slot for block, held from now (clean, unfilled), or IO_NONE when
 * every slot is dirty. */
uint32_t io_take(struct io_cache *c, uint64_t block);
/* The bytes [byte, byte + n) that held blocks cover, between them and
 * buf: into the cache, or out of it. */
void io_overlap(struct io_cache *c, uint64_t byte, uint8_t *buf, size_t n, bool into_cache);

#endif /* FS_IO_CACHE_IMPL_H */

/*
 * The block cache's writes and write-back (io_cache.h, io_cache_impl.h).
 */
#include <string.h>
#include "io_cache_impl.h"

/* The dirty run that starts at the log's head: entries that follow each
 * other on the disk as in the log, up to one request; copied to staging
 * and made clean.  How many blocks, and the first in *first. */
static uint32_t take_run(struct io_cache *c, uint64_t *first)
{
    uint32_t most = (uint32_t)(c->dev.max_bytes / c->bs), n = 0;
    uint32_t s = c->list[IO_DIRTY].head;

    *first = c->slot[s].block;
    while (s != IO_NONE && n < most && c->slot[s].block == *first + n) {
        uint32_t next = c->link[s].next;
        memcpy(c->staging + (size_t)n * c->bs, io_data(c, s), c->bs);
        io_move(c, s, IO_CLEAN);
        n++;
        s = next;
    }
    return n;
}

static int first_error(int a, int b)
{
    return a ? a : b;
}

int io_cache_writeback(struct io_cache *c)
{
    uint64_t end = UINT64_MAX;          /* where the previous request ended */
    int rc = 0;

    while (c->list[IO_DIRTY].head != IO_NONE) {
        uint64_t first;
        uint32_t n = take_run(c, &first);
        if (first != end && end != UINT64_MAX) {
            /* not the same stream: what came before reaches the disk first */
            rc = first_error(rc, c->dev.wait(c->dev.ctx));
            c->stats.waits++;
        }
        rc = first_error(rc, c->dev.write(c->dev.ctx, first * c->bs, c->staging, n * c->bs));
        c->stats.dev_writes++;
        end = first + n;
    }
    return first_error(rc, c->dev.wait(c->dev.ctx));
}

int io_cache_sync(struct io_cache *c)
{
    int rc = io_cache_writeback(c);

    return first_error(rc, c->dev.flush(c->dev.ctx));
}

/* One whole block, dirty at the log's tail.  A full half of the cache
 * dirty is written back first, in one go: large requests, and room kept
 * for the clean blocks libext2fs reads back. */
static int write_one(struct io_cache *c, uint64_t block, const void *buf)
{
    uint32_t s = io_find(c, block);
    int rc = 0;

    if (s == IO_NONE) {
        if (c->ndirty >= c->nslots / 2)
            rc = io_cache_writeback(c);
        s = io_take(c, block);
    }
    memcpy(io_data(c, s), buf, c->bs);
    io_move(c, s, IO_DIRTY);
    return rc;
}

/* Bytes not in whole blocks: after every dirty block (the order), to the
 * disk at once, and into the held blocks they touch (which stay as
 * dirty or clean as they were: a clean one now equals the disk). */
static int write_unaligned(struct io_cache *c, uint64_t byte, const uint8_t *buf, size_t n)
{
    int rc = io_cache_writeback(c);

    if (rc)
        return rc;
    c->stats.dev_writes++;
    rc = c->dev.write(c->dev.ctx, byte, buf, n);
    rc = first_error(rc, c->dev.wait(c->dev.ctx));
    if (!rc)
        io_overlap(c, byte, (uint8_t *)buf, n, true);
    return rc;
}

int io_cache_write(struct io_cache *c, uint64_t byte, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    int rc = 0;

    if (byte % c->bs || n % c->bs || !n)
        return write_unaligned(c, byte, p, n);
    for (size_t i = 0; i < n / c->bs; i++)
        rc = first_error(rc, write_one(c, byte / c->bs + i, p + i * c->bs));
    return rc;
}

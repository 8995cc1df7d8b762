/*
 * The block cache's slots and reads (io_cache.h, io_cache_impl.h).
 */
#include <stdlib.h>
#include <string.h>
#include "io_cache_impl.h"

static uint32_t bucket_of(const struct io_cache *c, uint64_t block)
{
    return (uint32_t)((block * 0x9e3779b97f4a7c15ull) >> 32) & (c->nbuckets - 1);
}

uint32_t io_find(const struct io_cache *c, uint64_t block)
{
    uint32_t s = c->bucket[bucket_of(c, block)];

    while (s != IO_NONE && c->slot[s].block != block)
        s = c->slot[s].hnext;
    return s;
}

static void unhash(struct io_cache *c, uint32_t s)
{
    uint32_t *p = &c->bucket[bucket_of(c, c->slot[s].block)];

    while (*p != s)
        p = &c->slot[*p].hnext;
    *p = c->slot[s].hnext;
}

static void unlink_slot(struct io_cache *c, uint32_t s)
{
    struct io_list *l = &c->list[c->slot[s].state];
    struct io_link *k = &c->link[s];

    if (k->prev == IO_NONE)
        l->head = k->next;
    else
        c->link[k->prev].next = k->next;
    if (k->next == IO_NONE)
        l->tail = k->prev;
    else
        c->link[k->next].prev = k->prev;
}

static void push_tail(struct io_cache *c, uint32_t s, enum io_state to)
{
    struct io_list *l = &c->list[to];

    c->link[s] = (struct io_link){ l->tail, IO_NONE };
    if (l->tail == IO_NONE)
        l->head = s;
    else
        c->link[l->tail].next = s;
    l->tail = s;
    c->slot[s].state = to;
}

void io_move(struct io_cache *c, uint32_t s, enum io_state to)
{
    c->ndirty -= c->slot[s].state == IO_DIRTY;
    unlink_slot(c, s);
    push_tail(c, s, to);
    c->ndirty += to == IO_DIRTY;
}

uint32_t io_take(struct io_cache *c, uint64_t block)
{
    uint32_t s = c->list[IO_FREE].head;

    if (s == IO_NONE) {
        s = c->list[IO_CLEAN].head;     /* the least recently used */
        if (s == IO_NONE)
            return IO_NONE;
        unhash(c, s);
    }
    io_move(c, s, IO_CLEAN);
    c->slot[s].block = block;
    uint32_t *b = &c->bucket[bucket_of(c, block)];
    c->slot[s].hnext = *b;
    *b = s;
    return s;
}

struct io_cache *io_cache_new(const struct io_cache_dev *dev, size_t bytes, size_t block_size)
{
    struct io_cache *c = calloc(1, sizeof(*c));
    uint32_t n = (uint32_t)(bytes / block_size), nb = 1;

    if (!c || n < 2 || block_size > dev->max_bytes)
        goto fail;
    while (nb < n)
        nb <<= 1;
    *c = (struct io_cache){ .dev = *dev, .bs = block_size, .nslots = n, .nbuckets = nb,
                            .ra_next = UINT64_MAX };
    c->data = malloc((size_t)n * block_size);
    c->staging = malloc(dev->max_bytes);
    c->slot = calloc(n, sizeof(*c->slot));
    c->link = calloc(n, sizeof(*c->link));
    c->bucket = malloc(nb * sizeof(*c->bucket));
    if (!c->data || !c->staging || !c->slot || !c->link || !c->bucket)
        goto fail;
    memset(c->bucket, 0xff, nb * sizeof(*c->bucket));
    for (unsigned l = 0; l < 3; l++)
        c->list[l] = (struct io_list){ IO_NONE, IO_NONE };
    for (uint32_t s = 0; s < n; s++)
        push_tail(c, s, IO_FREE);
    return c;
fail:
    io_cache_free(c);
    return NULL;
}

void io_cache_free(struct io_cache *c)
{
    if (!c)
        return;
    free(c->data);
    free(c->staging);
    free(c->slot);
    free(c->link);
    free(c->bucket);
    free(c);
}

size_t io_cache_block_size(const struct io_cache *c) { return c->bs; }
unsigned io_cache_dirty(const struct io_cache *c) { return c->ndirty; }
const struct io_cache_stats *io_cache_stats(const struct io_cache *c) { return &c->stats; }

/* How many blocks to read for a miss at block: 1, or a growing window
 * when it continues the last one, cut at the disk's end and before the
 * first block already held (which may be dirty: never read over it). */
static uint32_t window(struct io_cache *c, uint64_t block)
{
    uint32_t most = (uint32_t)(c->dev.max_bytes / c->bs), n = 1;
    uint64_t blocks = c->dev.bytes / c->bs;

    if (block == c->ra_next)
        n = c->ra_window * 2 < most ? c->ra_window * 2 : most;
    if (n > blocks - block)
        n = (uint32_t)(blocks - block);
    for (uint32_t i = 1; i < n; i++)
        if (io_find(c, block + i) != IO_NONE)
            n = i;
    c->ra_window = n;
    c->ra_next = block + n;
    return n;
}

/* A miss: read the window into staging, keep what a clean or free slot
 * can take (the block asked for first), give the caller its block. */
static int fill(struct io_cache *c, uint64_t block, void *buf)
{
    uint32_t n = block < c->dev.bytes / c->bs ? window(c, block) : 1;
    int rc = c->dev.read(c->dev.ctx, block * c->bs, c->staging, n * c->bs);

    c->stats.dev_reads++;
    if (rc)
        return rc;
    memcpy(buf, c->staging, c->bs);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = io_take(c, block + i);
        if (s == IO_NONE)
            break;
        memcpy(io_data(c, s), c->staging + (size_t)i * c->bs, c->bs);
        c->stats.read_ahead += i > 0;
    }
    return 0;
}

static int read_one(struct io_cache *c, uint64_t block, void *buf)
{
    uint32_t s = io_find(c, block);

    if (s == IO_NONE) {
        c->stats.misses++;
        return fill(c, block, buf);
    }
    c->stats.hits++;
    memcpy(buf, io_data(c, s), c->bs);
    if (c->slot[s].state == IO_CLEAN)
        io_move(c, s, IO_CLEAN);        /* the most recently used */
    return 0;
}

/* Many blocks: the held ones from the cache, runs of the others read
 * straight into buf, not kept (libext2fs keeps such tables itself). */
static int read_many(struct io_cache *c, uint64_t block, uint8_t *buf, size_t count)
{
    size_t most = c->dev.max_bytes / c->bs;

    for (size_t i = 0; i < count;) {
        uint32_t s = io_find(c, block + i);
        if (s != IO_NONE) {
            memcpy(buf + i * c->bs, io_data(c, s), c->bs);
            i++;
            continue;
        }
        size_t run = 1;
        while (i + run < count && run < most && io_find(c, block + i + run) == IO_NONE)
            run++;
        c->stats.dev_reads++;
        int rc = c->dev.read(c->dev.ctx, (block + i) * c->bs, buf + i * c->bs, run * c->bs);
        if (rc)
            return rc;
        i += run;
    }
    return 0;
}

void io_overlap(struct io_cache *c, uint64_t byte, uint8_t *buf, size_t n, bool into_cache)
{
    for (uint64_t b = byte / c->bs; b * c->bs < byte + n; b++) {
        uint32_t s = io_find(c, b);
        if (s == IO_NONE)
            continue;
        uint64_t from = b * c->bs > byte ? b * c->bs : byte;
        uint64_t to = (b + 1) * c->bs < byte + n ? (b + 1) * c->bs : byte + n;
        uint8_t *held = io_data(c, s) + (from - b * c->bs), *mine = buf + (from - byte);
        memcpy(into_cache ? held : mine, into_cache ? mine : held, to - from);
    }
}

/* Bytes not in whole blocks: the disk's, with every held block's bytes
 * over them (a held block is never older than the disk). */
static int read_unaligned(struct io_cache *c, uint64_t byte, uint8_t *buf, size_t n)
{
    int rc = c->dev.read(c->dev.ctx, byte, buf, n);

    c->stats.dev_reads++;
    if (!rc)
        io_overlap(c, byte, buf, n, false);
    return rc;
}

int io_cache_read(struct io_cache *c, uint64_t byte, void *buf, size_t n)
{
    if (byte % c->bs || n % c->bs || !n)
        return read_unaligned(c, byte, buf, n);
    if (n == c->bs)
        return read_one(c, byte / c->bs, buf);
    return read_many(c, byte / c->bs, buf, n / c->bs);
}

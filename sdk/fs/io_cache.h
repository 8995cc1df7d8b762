/*
 * The block cache under libext2fs's I/O manager (io_blk.c; docs/fs.md,
 * "The block cache").  Pure: it sees the disk only through struct
 * io_cache_dev, so tests/unit/fs_io_cache_test.c runs it over a fake.
 *
 *  - Blocks of one size (the file system's), a bounded number of them.
 *    A slot is free, clean (in least-recently-used order) or dirty (in
 *    the order of their last write: the write-back log).
 *  - Reads of one block go through the cache; a miss just past the last
 *    miss's window reads ahead, the window doubling up to one request
 *    (dev.max_bytes), stopped by the disk's end or a block already held.
 *    Reads of many blocks (libext2fs loading bitmaps or tables it keeps
 *    itself) take what is held and read the rest around the cache.
 *  - Writes of whole blocks are write-back: they stay dirty until half
 *    the slots are dirty, a sync, or a write of another size.
 *  - Write-back takes the log from its oldest entry and joins entries
 *    that follow each other in the log AND on the disk into one request
 *    of up to dev.max_bytes.  Requests of such a stream are in flight
 *    together; before a request that does not continue the previous one
 *    every earlier write is waited for.  So writes reach the disk in the
 *    order of their last change (a crash leaves a prefix of that order,
 *    give or take one sequential stream), which keeps the in-place rename
 *    (docs/fs.md) one block write after the blocks before it.
 *  - I/O not aligned to whole blocks (libext2fs's 1 KiB superblock on a
 *    file system of bigger blocks): a read overlays what is held on the
 *    disk's bytes; a write first writes back every dirty block, then goes
 *    to the disk and patches what is held.
 *
 * Errors are the device's (negative); a write-back error is returned by
 * the call that wrote back, and the blocks it covered count as written.
 */
#ifndef FS_IO_CACHE_H
#define FS_IO_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_cache_dev {
    void *ctx;
    uint64_t bytes;             /* the disk's size */
    size_t max_bytes;           /* one request's most: a multiple of the block size */
    /* Waits for the data. */
    int (*read)(void *ctx, uint64_t byte, void *buf, size_t n);
    /* Queues a write; buf may be reused when it returns. */
    int (*write)(void *ctx, uint64_t byte, const void *buf, size_t n);
    /* Every queued write answered: 0 or the first error since the last wait. */
    int (*wait)(void *ctx);
    /* Every write answered before it on stable storage. */
    int (*flush)(void *ctx);
};

struct io_cache_stats {
    uint64_t hits, misses, read_ahead;  /* blocks */
    uint64_t dev_reads, dev_writes;     /* requests */
    uint64_t waits;                     /* ordering waits inside write-backs */
};

struct io_cache;

/* A cache of about `bytes` in blocks of block_size (a power of two, at
 * least 512, at most dev->max_bytes); NULL when memory is short. */
struct io_cache *io_cache_new(const struct io_cache_dev *dev, size_t bytes, size_t block_size);
/* Drops everything held, dirty or not: write back first. */
void io_cache_free(struct io_cache *c);

size_t io_cache_block_size(const struct io_cache *c);
unsigned io_cache_dirty(const struct io_cache *c);
const struct io_cache_stats *io_cache_stats(const struct io_cache *c);

/* n bytes at byte (multiples of 512). */
int io_cache_read(struct io_cache *c, uint64_t byte, void *buf, size_t n);
int io_cache_write(struct io_cache *c, uint64_t byte, const void *buf, size_t n);
/* Every dirty block written and answered, in the order above. */
int io_cache_writeback(struct io_cache *c);
/* Write-back, then the device's flush: fsync's "on the host". */
int io_cache_sync(struct io_cache *c);

#endif /* FS_IO_CACHE_H */

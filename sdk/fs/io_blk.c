/*
 * libext2fs's I/O manager over blkfront (blkfront/blkfront.h), through a
 * write-back block cache (io_cache.h; docs/fs.md, "The block cache"):
 * the cache's device is the disk, written with up to BLKFRONT_INFLIGHT
 * requests in flight, and its sync (write-back, then blkfront_flush) is
 * libext2fs's flush, the last step of fsync and of every directory
 * change (docs/fs.md, "Durability").
 */
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include <libos/start.h>
#include <libos/time.h>
#include "fs_impl.h"
#include "io_cache.h"

#define CACHE_MOST   (4u << 20)
#define CACHE_LEAST  (64u << 10)

struct blk_chan {
    struct blkfront *bf;
    struct io_cache *cache;
    struct blkfront_io io[BLKFRONT_INFLIGHT];
    uint32_t busy;                      /* io[i] in flight: bit i */
    int error;                          /* the first since the last wait */
};

static struct blkfront *the_disk;

static int dev_read(void *ctx, uint64_t byte, void *buf, size_t n)
{
    struct blk_chan *c = ctx;

    for (size_t done = 0, k; done < n; done += k) {
        k = n - done < BLKFRONT_MAX_BYTES ? n - done : BLKFRONT_MAX_BYTES;
        int rc = blkfront_read(c->bf, (byte + done) / KEEL_BLK_SECTOR, (uint8_t *)buf + done, k);
        if (rc)
            return rc;
    }
    return 0;
}

static void write_done(struct blkfront_io *io, int status)
{
    struct blk_chan *c = io->arg;

    c->busy &= ~(1u << (io - c->io));
    if (status && !c->error)
        c->error = status;
}

/* blkfront copies the data when it submits: buf is free on return. */
static int submit_write(struct blk_chan *c, uint64_t byte, const void *buf, size_t n)
{
    while (c->busy == UINT32_MAX)
        blkfront_poll(c->bf, LIBOS_FOREVER);
    unsigned i = (unsigned)__builtin_ctz(~c->busy);
    c->io[i] = (struct blkfront_io){ .op = KEEL_BLK_OP_WRITE, .sector = byte / KEEL_BLK_SECTOR,
                                     .buf = (void *)buf, .bytes = n, .done = write_done,
                                     .arg = c };
    int rc;
    while ((rc = blkfront_submit(c->bf, &c->io[i])) == -KEEL_EAGAIN)
        blkfront_poll(c->bf, LIBOS_FOREVER);
    if (!rc)
        c->busy |= 1u << i;
    return rc;
}

static int dev_write(void *ctx, uint64_t byte, const void *buf, size_t n)
{
    for (size_t done = 0, k; done < n; done += k) {
        k = n - done < BLKFRONT_MAX_BYTES ? n - done : BLKFRONT_MAX_BYTES;
        int rc = submit_write(ctx, byte + done, (const uint8_t *)buf + done, k);
        if (rc)
            return rc;
    }
    return 0;
}

static int dev_wait(void *ctx)
{
    struct blk_chan *c = ctx;
    int rc;

    while (c->busy)
        blkfront_poll(c->bf, LIBOS_FOREVER);
    rc = c->error;
    c->error = 0;
    return rc;
}

/* A disk without a cache of its own has nothing to flush. */
static int dev_flush(void *ctx)
{
    int rc = blkfront_flush(((struct blk_chan *)ctx)->bf);

    return rc == -KEEL_ENOSYS ? 0 : rc;
}

static unsigned cache_sharers = 1;

void fs_blk_cache_share(unsigned n)
{
    cache_sharers = n ? n : 1;
}

/* An eighth of the heap shared by the disks, CACHE_LEAST..CACHE_MOST
 * each, less when memory is short: a 4 MiB guest keeps room for the
 * program and libext2fs's tables (four disks: each cache 64 KiB), a
 * large one holds a few MiB of file in flight. */
static struct io_cache *new_cache(struct blk_chan *c, size_t block_size)
{
    const struct keel_start_info *si = libos_start_info();
    size_t want = (size_t)(si->heap_end - si->heap_start) / 8 / cache_sharers;
    struct io_cache_dev dev = { c, blkfront_sectors(c->bf) * KEEL_BLK_SECTOR,
                                BLKFRONT_MAX_BYTES, dev_read, dev_write, dev_wait, dev_flush };
    struct io_cache *cache = NULL;

    want = want < CACHE_LEAST ? CACHE_LEAST : want > CACHE_MOST ? CACHE_MOST : want;
    for (; !cache && want >= 16 * block_size; want /= 2)
        cache = io_cache_new(&dev, want, block_size);
    return cache;
}

static errcode_t blk_open(const char *name, int flags, io_channel *out)
{
    io_channel ch;
    struct blk_chan *c;

    (void)flags;
    if (!the_disk)
        return ENODEV;
    ch = calloc(1, sizeof(*ch));
    c = calloc(1, sizeof(*c));
    if (ch && c) {
        c->bf = the_disk;
        c->cache = new_cache(c, 1024);
    }
    if (!ch || !c || !c->cache || !(ch->name = strdup(name))) {
        free(ch);
        if (c)
            io_cache_free(c->cache);
        free(c);
        return EXT2_ET_NO_MEMORY;
    }
    ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    ch->manager = fs_blk_io_manager;
    ch->block_size = 1024;
    ch->refcount = 1;
    ch->private_data = c;
    *out = ch;
    return 0;
}

static errcode_t blk_close(io_channel ch)
{
    struct blk_chan *c = ch->private_data;

    if (--ch->refcount > 0)
        return 0;
    io_cache_writeback(c->cache);       /* libext2fs flushed before: nothing is left */
    io_cache_free(c->cache);
    free(c);
    free(ch->name);
    free(ch);
    return 0;
}

/* The cache keeps its block size for smaller I/O (libext2fs's 1 KiB
 * superblock on a file system of bigger blocks: io_cache.h) and is made
 * anew for a larger one, the file system's once it is known. */
static errcode_t blk_set_blksize(io_channel ch, int blksize)
{
    struct blk_chan *c = ch->private_data;

    ch->block_size = blksize;
    if ((size_t)blksize <= io_cache_block_size(c->cache))
        return 0;
    struct io_cache *bigger = new_cache(c, (size_t)blksize);
    if (!bigger)
        return 0;                       /* the small one serves it */
    int rc = io_cache_writeback(c->cache);
    io_cache_free(c->cache);
    c->cache = bigger;
    return rc ? EXT2_ET_SHORT_WRITE : 0;
}

/* count < 0: -count bytes, as libext2fs's managers read it */
static size_t span(io_channel ch, int count)
{
    return count < 0 ? (size_t)-count : (size_t)count * (size_t)ch->block_size;
}

static errcode_t blk_error(int rc, bool write)
{
    if (!rc)
        return 0;
    if (rc == -KEEL_EROFS)
        return EXT2_ET_RO_FILSYS;
    return write ? EXT2_ET_SHORT_WRITE : EXT2_ET_SHORT_READ;
}

static errcode_t blk_transfer(io_channel ch, unsigned long long block, int count,
                              void *data, bool write)
{
    struct blk_chan *c = ch->private_data;
    uint64_t byte = block * (uint64_t)ch->block_size;
    size_t n = span(ch, count);

    if (byte % KEEL_BLK_SECTOR || n % KEEL_BLK_SECTOR)
        return EXT2_ET_UNIMPLEMENTED;
    if (!n)
        return 0;
    return blk_error(write ? io_cache_write(c->cache, byte, data, n)
                           : io_cache_read(c->cache, byte, data, n), write);
}

static errcode_t blk_read64(io_channel ch, unsigned long long block, int count, void *data)
{
    return blk_transfer(ch, block, count, data, false);
}

static errcode_t blk_write64(io_channel ch, unsigned long long block, int count,
                             const void *data)
{
    return blk_transfer(ch, block, count, (void *)data, true);
}

static errcode_t blk_read(io_channel ch, unsigned long block, int count, void *data)
{
    return blk_read64(ch, block, count, data);
}

static errcode_t blk_write(io_channel ch, unsigned long block, int count, const void *data)
{
    return blk_write64(ch, block, count, data);
}

/* fsync's last step (docs/fs.md, "Durability"): every block libext2fs
 * wrote, data and metadata, written back and answered, then the flush
 * that puts them on the host's stable storage. */
static errcode_t blk_flush(io_channel ch)
{
    struct blk_chan *c = ch->private_data;

    return blk_error(io_cache_sync(c->cache), true);
}

static errcode_t blk_set_option(io_channel ch, const char *option, const char *arg)
{
    (void)ch;
    (void)option;
    (void)arg;
    return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager blk_manager = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "Keel blkfront I/O manager",
    .open = blk_open,
    .close = blk_close,
    .set_blksize = blk_set_blksize,
    .read_blk = blk_read,
    .write_blk = blk_write,
    .flush = blk_flush,
    .set_option = blk_set_option,
    .read_blk64 = blk_read64,
    .write_blk64 = blk_write64,
};

io_manager fs_blk_io_manager = &blk_manager;

void fs_blk_attach(struct blkfront *bf)
{
    the_disk = bf;
}

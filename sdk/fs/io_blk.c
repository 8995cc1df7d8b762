/*
 * libext2fs's I/O manager over blkfront (blkfront/blkfront.h): the file
 * system's blocks are the disk's bytes, read and written in requests of
 * at most BLKFRONT_MAX_BYTES.  No cache here: libext2fs keeps the inode
 * table, bitmaps and directories it is working on itself, and a write
 * that reaches blkfront is on its way to the host, which is what
 * fsync's ordering (docs/fs.md, "Durability") relies on.
 */
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include "fs_impl.h"

static struct blkfront *the_disk;

static errcode_t blk_open(const char *name, int flags, io_channel *out)
{
    io_channel ch;

    (void)flags;
    if (!the_disk)
        return ENODEV;
    ch = calloc(1, sizeof(*ch));
    if (!ch)
        return ENOMEM;
    ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    ch->manager = fs_blk_io_manager;
    ch->name = strdup(name);
    ch->block_size = 1024;
    ch->refcount = 1;
    ch->private_data = the_disk;
    *out = ch;
    return 0;
}

static errcode_t blk_close(io_channel ch)
{
    if (--ch->refcount > 0)
        return 0;
    free(ch->name);
    free(ch);
    return 0;
}

static errcode_t blk_set_blksize(io_channel ch, int blksize)
{
    ch->block_size = blksize;
    return 0;
}

/* count < 0: -count bytes, as libext2fs's managers read it */
static size_t span(io_channel ch, int count)
{
    return count < 0 ? (size_t)-count : (size_t)count * (size_t)ch->block_size;
}

static errcode_t blk_transfer(io_channel ch, unsigned long long block, int count,
                              void *data, bool write)
{
    struct blkfront *bf = ch->private_data;
    uint64_t byte = block * (uint64_t)ch->block_size;
    size_t left = span(ch, count);
    uint8_t *p = data;

    if (byte % KEEL_BLK_SECTOR || left % KEEL_BLK_SECTOR)
        return EXT2_ET_UNIMPLEMENTED;
    while (left) {
        size_t n = left < BLKFRONT_MAX_BYTES ? left : BLKFRONT_MAX_BYTES;
        uint64_t sector = byte / KEEL_BLK_SECTOR;
        int rc = write ? blkfront_write(bf, sector, p, n) : blkfront_read(bf, sector, p, n);

        if (rc == -KEEL_EROFS)
            return EXT2_ET_RO_FILSYS;
        if (rc)
            return write ? EXT2_ET_SHORT_WRITE : EXT2_ET_SHORT_READ;
        p += n;
        byte += n;
        left -= n;
    }
    return 0;
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

/* Every write above was answered before it returned: a flush now covers
 * them all (keel/blk.h FLUSH). */
static errcode_t blk_flush(io_channel ch)
{
    int rc = blkfront_flush(ch->private_data);

    return rc == -KEEL_ENOSYS ? 0 : rc ? EXT2_ET_SHORT_WRITE : 0;
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

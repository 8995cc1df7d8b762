/*
 * blkfront: the guest's disk (keel/blk.h), a small block API for apps
 * that want raw blocks.  Linking it gives the image its disks when the
 * run has some for it (keel run --disk [NAME=]FILE[:ro][:MOUNTPOINT]).
 *
 *   blkfront_open(&bf)                       the first disk; -KEEL_ENODEV:
 *                                            none
 *   blkfront_open_nth(n, &bf)                disk n (0..), in the order of
 *                                            the run's --disk options for
 *                                            this guest; -KEEL_EBUSY: open
 *   blkfront_mount_point(bf)                 where the run wants it mounted
 *                                            ("/" unless --disk said)
 *   blkfront_sectors / _sector_size / _read_only
 *   blkfront_read / _write / _flush          wait for their answer
 *   blkfront_discard                         waits too; blkfront_discards
 *                                            says whether the disk can
 *   blkfront_submit + blkfront_poll          asynchronous: a callback per
 *                                            request, from blkfront_poll
 *
 * Contract:
 *  - Sectors count 512 bytes (KEEL_BLK_SECTOR) whatever the sector size;
 *    a request's first sector and its length are multiples of the sector
 *    size, its length at most BLKFRONT_MAX_BYTES.  The caller's buffer is
 *    any memory: blkfront copies through pages it granted once; or, with
 *    no copy in the guest at all, memory from blkfront_buffer_alloc (a
 *    request that starts on a page of it and lies inside it).
 *  - Status: 0; -KEEL_EINVAL (refused as malformed, here or by the
 *    backend); -KEEL_EROFS (a write to a read-only disk: the backend
 *    refuses it); -KEEL_EIO (the device failed); -KEEL_ENOSYS (not
 *    served); -KEEL_EPIPE (the backend is gone or cut us off).
 *  - DISCARD (keel/blk.h, KEEL_BLK_F_DISCARD): the sectors' contents
 *    become undefined, the host may give their space back.  bytes 0 and
 *    buf NULL, `sectors` of them (a multiple of the sector size, 1 to
 *    2^32 - 1) from `sector`, aligned; no data moves, no page is taken.
 *    -KEEL_ENOSYS at once on a writable disk without it; the backend
 *    refuses it on a read-only disk (-KEEL_EROFS), and a range past the
 *    disk's end (-KEEL_EINVAL).
 *  - blkfront_flush returns once every write answered before it is on
 *    the host's stable storage (keel/blk.h FLUSH): write, then flush.
 *  - At most BLKFRONT_INFLIGHT requests at once, and at most 352 KiB of
 *    data (88 granted pages: 32 requests of 8 KiB, 8 of the largest);
 *    submit says -KEEL_EAGAIN beyond: poll, then try again.  One thread; nothing is for upcalls.
 */
#ifndef BLKFRONT_BLKFRONT_H
#define BLKFRONT_BLKFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/blk.h>

#define BLKFRONT_INFLIGHT   32u  /* the ring's requests (keel/blk.h) */
#define BLKFRONT_MAX_BYTES  KEEL_BLK_REQ_MAX_BYTES
#define BLKFRONT_DISKS_MAX  8u   /* disks a guest opens */

struct blkfront;

struct blkfront_io {
    unsigned op;                 /* KEEL_BLK_OP_READ, _WRITE, _FLUSH, _DISCARD */
    uint64_t sector;
    void *buf;                   /* READ fills it, WRITE reads it */
    size_t bytes;
    void (*done)(struct blkfront_io *io, int status);
    void *arg;                   /* the caller's */
    uint32_t sectors;            /* DISCARD's 512-byte sectors; else unused */
};

int blkfront_open(struct blkfront **out);
int blkfront_open_nth(unsigned n, struct blkfront **out);
/* keel/blk.h settings' mount: absolute, NUL-terminated, at most
 * KEEL_BLK_MOUNT_MAX bytes; "/" when the toolstack gave none. */
const char *blkfront_mount_point(const struct blkfront *bf);
uint64_t blkfront_sectors(const struct blkfront *bf);
uint32_t blkfront_sector_size(const struct blkfront *bf);
bool blkfront_read_only(const struct blkfront *bf);

int blkfront_read(struct blkfront *bf, uint64_t sector, void *buf, size_t bytes);
int blkfront_write(struct blkfront *bf, uint64_t sector, const void *buf, size_t bytes);
int blkfront_flush(struct blkfront *bf);
/* DISCARD [sector, sector + sectors) and wait (see the contract). */
int blkfront_discard(struct blkfront *bf, uint64_t sector, uint32_t sectors);
bool blkfront_discards(const struct blkfront *bf);

/* Zero copy: bytes (rounded up to pages) of page-aligned memory granted
 * to the backend for the disk's life, for requests' buffers (the backend's
 * device reads and writes it in place; docs/blk.md "Zero copy").  At most
 * 1 MiB a disk in 16 buffers; NULL when over that, or out of memory or
 * grant references.  _free gives it back to blkfront, which keeps it
 * granted for a later alloc that fits in it (not to the C library). */
void *blkfront_buffer_alloc(struct blkfront *bf, size_t bytes);
void blkfront_buffer_free(struct blkfront *bf, void *buf);

/* Queue io (its memory stays the caller's until done runs): 0,
 * -KEEL_EAGAIN (all slots busy), -KEEL_EINVAL, -KEEL_ENOSYS (a DISCARD
 * the disk does not serve), -KEEL_EPIPE. */
int blkfront_submit(struct blkfront *bf, struct blkfront_io *io);
/* Run done for every answered request; how many.  Waits until
 * deadline_ns (LIBOS_FOREVER, or 0 not to wait) for at least one when
 * requests are in flight and none is answered yet. */
int blkfront_poll(struct blkfront *bf, uint64_t deadline_ns);

#endif /* BLKFRONT_BLKFRONT_H */

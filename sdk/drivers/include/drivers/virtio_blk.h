/*
 * The machine's disk: a virtio-blk PCI function, driven through its legacy
 * interface like the NIC (virtio_net.h; why legacy: docs/net.md, "dom0's
 * NIC driver").  dom0 links it today, a storage driver domain tomorrow;
 * the caller (blkback) moves sectors through the driver's own buffers and
 * never sees rings or registers.
 *
 * Contract:
 *  - Requests go through SLOTS: VIRTIO_BLK_SLOTS buffers of
 *    VIRTIO_BLK_SLOT_BYTES each, in the driver's DMA memory.  The caller
 *    takes a free slot (virtio_blk_slot_get), fills its data for a write,
 *    submits one request on it, and gets the slot back in the completion
 *    callback (read data is there, valid until virtio_blk_slot_put).  Or
 *    the data is the caller's, in pages it names by machine address
 *    (virtio_blk_submit_sg, zero copy; docs/blk.md).
 *  - Up to VIRTIO_BLK_SLOTS requests are in flight at once; they complete
 *    in whatever order the device answers.  virtio_blk_submit queues;
 *    virtio_blk_kick tells the device about everything queued (one
 *    notification for a batch).
 *  - A request is checked before it reaches the device: READ and WRITE of
 *    1..max_bytes bytes, a multiple of the logical sector size, from an
 *    aligned sector, inside the disk (-KEEL_EINVAL); WRITE on a read-only
 *    disk (-KEEL_EROFS); a slot not held by the caller or on the device
 *    already (-KEEL_EINVAL).
 *  - DISCARD (VIRTIO_BLK_F_DISCARD agreed when offered; info.discard)
 *    tells the device sectors [sector, sector + sectors) are unused: it
 *    may deallocate them (QEMU's discard=unmap punches a hole in the host
 *    file) or do nothing, so their contents are undefined after.  Checked
 *    like the others: bytes 0, 1..max_discard_sectors sectors, sector
 *    and count aligned to the logical sector, inside the disk
 *    (-KEEL_EINVAL: nothing is split here, the caller splits);
 *    -KEEL_EROFS on a read-only disk, -KEEL_ENOSYS when not agreed.  Its
 *    16-byte range goes in the slot's buffer (the device reads it there):
 *    the slot's data is not the caller's for a discard.
 *  - FLUSH completes once every write completed before it was submitted
 *    is on stable storage (the host file).  The driver negotiates
 *    VIRTIO_BLK_F_FLUSH whenever the device offers it, on purpose: then
 *    QEMU caches writes and syncs at each flush (a legacy driver without
 *    it gets a write-through disk, every write synced).  Without it a
 *    FLUSH completes at once with status 0: the device has no cache.
 *  - Completion status: 0, -KEEL_EIO (the device failed it, or answered
 *    nonsense: a status byte it never wrote, a length short of the
 *    data), -KEEL_ENOSYS (the device does not do that operation).
 *  - The device's used ring is distrusted: an entry that names no request
 *    in flight is skipped and counted (device_errors), never followed.
 *  - Completions are delivered from virtio_blk_poll / virtio_blk_event
 *    only, on the caller's thread; the callback may submit and kick.
 *    One thread uses one device at a time: nothing here locks.
 *  - Functions return 0 (or a count, a slot), or -KEEL_E* (keel/abi.h);
 *    they never print and never set errno.
 */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/event_channel.h>

#define VIRTIO_BLK_SECTOR      512u
#define VIRTIO_BLK_SLOTS       32u
#define VIRTIO_BLK_SLOT_BYTES  (11u * 4096u)   /* keel/blk.h's largest request */

#define VIRTIO_BLK_READ   0u
#define VIRTIO_BLK_WRITE  1u
#define VIRTIO_BLK_FLUSH  2u
#define VIRTIO_BLK_DISCARD 3u

struct virtio_blk;

struct virtio_blk_info {
    uint64_t sectors;          /* size in 512-byte sectors */
    uint32_t sector_size;      /* logical: requests align to it */
    uint32_t max_bytes;        /* per request */
    bool read_only;            /* VIRTIO_BLK_F_RO */
    bool flush;                /* VIRTIO_BLK_F_FLUSH agreed: writes are cached */
    bool discard;              /* VIRTIO_BLK_F_DISCARD agreed, a usable limit */
    uint32_t max_discard_sectors;  /* per DISCARD, a multiple of the logical
                                      sector; 0 without discard */
    uint32_t max_discard_seg;      /* ranges a DISCARD may carry (we send 1) */
    uint32_t discard_align;        /* sectors: the device's preferred
                                      alignment, a hint (never required) */
    uint32_t features;         /* agreed feature bits (logs, tests) */
};

struct virtio_blk_request {
    unsigned op;               /* VIRTIO_BLK_READ, _WRITE, _FLUSH, _DISCARD */
    uint64_t sector;           /* 512-byte units */
    uint32_t bytes;            /* READ / WRITE; 0 for FLUSH and DISCARD */
    uint64_t tag;              /* the caller's, given back at completion */
    uint32_t sectors;          /* DISCARD's 512-byte sectors; 0 otherwise */
};

/* slot: the request's; status 0 or -KEEL_E*.  The slot stays the caller's
 * until virtio_blk_slot_put. */
typedef void (*virtio_blk_done_fn)(void *ctx, unsigned slot, uint64_t tag,
                                   int status);

struct virtio_blk_counters {
    uint64_t reads, writes, flushes, discards;   /* submitted */
    uint64_t bytes_read, bytes_written, sectors_discarded;
    uint64_t refused;          /* submits refused: -KEEL_EINVAL, -KEEL_EROFS */
    uint64_t io_errors;        /* completions with -KEEL_EIO or -KEEL_ENOSYS */
    uint64_t events, notifies;
    uint64_t device_errors;    /* used entries naming no request, bad lengths */
};

/* Privileged (dom0): take the first virtio-blk function nobody owns.
 * 0 and *bdf; -KEEL_ENODEV when the machine has none. */
long virtio_blk_probe(uint32_t *bdf);

/* Bring up the function bdf, which the caller owns: reset, negotiate, the
 * request queue, the slots, interrupt, DRIVER_OK.  0 and *out, or
 * -KEEL_ENODEV (modern-only), -KEEL_ENOMEM, -KEEL_EIO (queue refused, or
 * a disk that is not a whole number of logical sectors), -KEEL_E*.
 * done (not NULL) gets every completion with ctx. */
long virtio_blk_attach(uint32_t bdf, virtio_blk_done_fn done, void *ctx,
                       struct virtio_blk **out);

void virtio_blk_info(const struct virtio_blk *b, struct virtio_blk_info *out);

/* A free slot (>= 0), or -KEEL_ENOSPC when all are held. */
int virtio_blk_slot_get(struct virtio_blk *b);
/* The slot's VIRTIO_BLK_SLOT_BYTES of data. */
void *virtio_blk_slot_data(struct virtio_blk *b, unsigned slot);
/* Done with a slot that is not on the device. */
void virtio_blk_slot_put(struct virtio_blk *b, unsigned slot);

/* Queue r on slot (see the contract); 0 or -KEEL_E* with nothing queued. */
int virtio_blk_submit(struct virtio_blk *b, unsigned slot,
                      const struct virtio_blk_request *r);
/* A piece of a request's data in memory the device reaches: a machine
 * address (keel/pci.h TRANSLATE, or a grant pinned with
 * KEEL_GRANT_MAP_DEVICE) and a length, both multiples of
 * VIRTIO_BLK_SECTOR, not crossing a page. */
struct virtio_blk_seg {
    uint64_t maddr;
    uint32_t len;
};

#define VIRTIO_BLK_SEGS_MAX  16u   /* >= keel/blk.h's KEEL_BLK_SEGS_MAX */

/* Queue r on slot with its data in segs[0..nsegs) instead of the slot's
 * buffer (zero copy: the device reads or writes those pages itself; the
 * caller keeps them reachable until the completion).  Checked like
 * virtio_blk_submit, and the segments too: 1..VIRTIO_BLK_SEGS_MAX of them
 * (0 for FLUSH; DISCARD is virtio_blk_submit's only), each well formed,
 * their lengths adding up to r->bytes (-KEEL_EINVAL).  The slot carries
 * the header, status, tag and state as for virtio_blk_submit; its buffer
 * goes unused.  A device without
 * indirect descriptors (QEMU has them) may lack ring room for the chain:
 * -KEEL_ENOSPC, submit again after a completion (-KEEL_E2BIG: its queue
 * can never hold it).  0 or -KEEL_E* with nothing queued. */
int virtio_blk_submit_sg(struct virtio_blk *b, unsigned slot,
                         const struct virtio_blk_request *r,
                         const struct virtio_blk_seg *segs, unsigned nsegs);
/* Tell the device about what was queued. */
void virtio_blk_kick(struct virtio_blk *b);

/* The interrupt's event channel port, 0 when none (its line is shared:
 * poll instead). */
keel_evtchn_port_t virtio_blk_port(const struct virtio_blk *b);

/* After an event on the port: acknowledges the interrupt, then polls. */
int virtio_blk_event(struct virtio_blk *b);
/* Hands every completed request to done; how many. */
int virtio_blk_poll(struct virtio_blk *b);

void virtio_blk_counters(const struct virtio_blk *b,
                         struct virtio_blk_counters *out);

#endif /* DRIVERS_VIRTIO_BLK_H */

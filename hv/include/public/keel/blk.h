/*
 * The block split driver: a virtual disk between a guest (blkfront) and a
 * backend (blkback, in dom0 or later a driver domain).
 *
 * Connection (keel/device.h).  A KEEL_DEV_BLOCK entry in the guest's device
 * page: the guest is the GRANTER, the backend the MAPPER.  ring_pages is
 * KEEL_BLK_RING_PAGES:
 *
 *   page 0   struct keel_blk_page (connection header, counters, epoch)
 *   page 1   the ring: keel_blk_sring (requests guest -> backend,
 *            responses backend -> guest)
 *
 * The ring follows keel/ring.h (free-running indices, notification
 * suppression through req_event / rsp_event) and holds KEEL_BLK_RING_SIZE
 * entries, so that many requests can be in flight at once.  Its event
 * channel is the one the guest shares with that backend for all devices.
 *
 * The disk.  The entry's settings (struct keel_blk_settings) give its
 * size in 512-byte sectors, its logical sector size, whether it is
 * read-only, whether flush and discard mean anything, and the most
 * segments a request may carry.  Sector numbers and the first/last
 * sector of a segment are ALWAYS in 512-byte units (KEEL_BLK_SECTOR),
 * whatever sector_size says; sector_size (a power of two in
 * [512, 4096]) is the unit of alignment: a request's first sector and its
 * length must be multiples of sector_size / 512.
 *
 * Requests.  op, then:
 *   KEEL_BLK_OP_READ    sector, seg[0..nr_segs): the backend reads
 *                       consecutive sectors from `sector` on into the
 *                       segments, in order.
 *   KEEL_BLK_OP_WRITE   the same, from the segments to the disk.
 *   KEEL_BLK_OP_FLUSH   nr_segs 0: answered once every write ANSWERED
 *                       before the flush was put on the ring has reached
 *                       stable storage (for keel run: the host file,
 *                       fdatasync'd by QEMU).  A write still in flight
 *                       when the flush is put is not covered: wait for its
 *                       answer first.  Without KEEL_BLK_F_FLUSH the disk
 *                       has no volatile cache and a flush is answered OK
 *                       at once.
 *   KEEL_BLK_OP_DISCARD nr_segs 0, sector and nr_sectors: the range's
 *                       contents become undefined (a hint; the backend may
 *                       do nothing).  KEEL_BLK_NOTSUPP unless the settings
 *                       carry KEEL_BLK_F_DISCARD.
 * A segment names a page the guest granted to the backend (read-write for
 * a read, read-only is enough for a write) and the sectors within that
 * page: 512-byte sectors first_sect..last_sect inclusive, both below
 * KEEL_BLK_SECTORS_PER_PAGE.  A request carries 1..max_segs segments
 * (KEEL_BLK_SEGS_MAX at most: 11 pages, 44 KiB) whose sectors add up to
 * its length.  nr_sectors is 0 for every operation but DISCARD.
 *
 * Responses.  One per request, with the request's id (64 bits, never
 * interpreted: a pointer or an index of the frontend's), in any order:
 * the backend answers a request when its device does, so a short read
 * may pass a long write.  Two requests in flight at once over the same
 * sectors are unordered; a frontend that cares waits.  status:
 *   KEEL_BLK_OK       done
 *   KEEL_BLK_ERROR    malformed, nothing done: unknown op or flags, a
 *                     segment count of 0 (read, write) or above max_segs,
 *                     a segment whose last_sect is below its first_sect or
 *                     past the page, a length or first sector not aligned
 *                     to sector_size, a range past the disk's end, a grant
 *                     reference the copy could not use
 *   KEEL_BLK_NOTSUPP  DISCARD on a disk without KEEL_BLK_F_DISCARD
 *   KEEL_BLK_EIO      the device failed the operation (a write may have
 *                     reached the disk partly)
 *   KEEL_BLK_EROFS    WRITE or DISCARD on a read-only disk
 * Every check happens before anything touches the device: a refused
 * request reads or writes nothing.
 *
 * Data by grant copy.  The backend moves the bytes with KEEL_GNTOP_COPY
 * between the guest's granted pages and its own device buffers; it never
 * maps guest pages (why: docs/blk.md, "Grant copy, not map").  So the guest
 * grants its buffers once and may reuse them: a grant stays valid while
 * the guest wants, and the backend holds no mapping of it.  A read's pages
 * are written only with the disk's bytes, and only once the device
 * answered: the guest must not touch a segment's sectors until the
 * response.
 *
 * Distrust.  The backend copies each request out of the ring before using
 * it and checks every field.  Producer indices that claim more requests
 * than slots (KEEL_RING_CORRUPT), or a state word outside KEEL_CONN_*, make
 * the backend stop serving the disk and mark itself CLOSED: only that
 * guest is cut off; requests it had already sent to the device finish,
 * and their answers are dropped.  Reused ids only confuse their own
 * frontend.  A flood of requests (flushes included) is bounded by the
 * ring: a guest has at most KEEL_BLK_RING_SIZE requests in flight.
 *
 * Restart (as keel/net.h).  A backend that comes back bumps mapper_epoch
 * and says CONNECTED, then touches the ring only once front_epoch ==
 * mapper_epoch.  The frontend, seeing a new epoch, initialises the ring
 * afresh and puts again every request still unanswered (reads and writes
 * may be done twice: both are idempotent; a flush is simply flushed again),
 * then writes front_epoch and notifies.
 */
#ifndef KEEL_PUBLIC_BLK_H
#define KEEL_PUBLIC_BLK_H

#include "abi.h"
#include "device.h"
#include "ring.h"

#define KEEL_BLK_VERSION          1u
#define KEEL_BLK_RING_PAGES       2u
#define KEEL_BLK_SECTOR           512u
#define KEEL_BLK_SECTOR_SHIFT     9u
#define KEEL_BLK_SECTORS_PER_PAGE (KEEL_PAGE_SIZE / KEEL_BLK_SECTOR)
#define KEEL_BLK_SEGS_MAX         11u
#define KEEL_BLK_REQ_MAX_BYTES    (KEEL_BLK_SEGS_MAX * KEEL_PAGE_SIZE)

/* operations */
#define KEEL_BLK_OP_READ     0u
#define KEEL_BLK_OP_WRITE    1u
#define KEEL_BLK_OP_FLUSH    2u
#define KEEL_BLK_OP_DISCARD  3u

/* status of a response */
#define KEEL_BLK_OK        0
#define KEEL_BLK_ERROR    (-1)
#define KEEL_BLK_NOTSUPP  (-2)
#define KEEL_BLK_EIO      (-3)
#define KEEL_BLK_EROFS    (-4)

/* keel_blk_settings.flags */
#define KEEL_BLK_F_RO       1u   /* WRITE and DISCARD are KEEL_BLK_EROFS */
#define KEEL_BLK_F_FLUSH    2u   /* the disk has a volatile cache: FLUSH it */
#define KEEL_BLK_F_DISCARD  4u   /* DISCARD is served */
#define KEEL_BLK_F_KNOWN    7u

#define KEEL_BLK_MOUNT_MAX  31u  /* bytes of a mount point, without its NUL */

/* struct keel_device.settings of a KEEL_DEV_BLOCK entry, written by the
 * toolstack. */
struct keel_blk_settings {
    uint64_t sectors;         /* the disk's size in 512-byte sectors */
    uint32_t sector_size;     /* logical: 512, 1024, 2048 or 4096 */
    uint32_t flags;           /* KEEL_BLK_F_* */
    uint16_t max_segs;        /* per request, in [1, KEEL_BLK_SEGS_MAX] */
    uint16_t pad0;
    uint32_t version;         /* KEEL_BLK_VERSION */
    char     mount[KEEL_BLK_MOUNT_MAX + 1];  /* see below */
    uint8_t  pad[8];
};

/* keel_blk_settings.mount: where the run wants the guest to mount this
 * disk's file system (`keel run --disk NAME=FILE:MOUNTPOINT`, --volume),
 * NUL-terminated, absolute ("/" when the user named none); "" from an
 * older toolstack means "/".  Only a hint for the guest's file-system
 * layer: the backend never reads it.  A guest with several disks sees
 * one entry per disk, in command-line order. */

/* Page 0. */
struct keel_blk_page {
    struct keel_conn_header hdr;
    /* counters the backend keeps for this disk (informational) */
    volatile uint64_t errors;       /* KEEL_BLK_ERROR answers */
    volatile uint64_t io_errors;    /* KEEL_BLK_EIO answers */
    /* written by the frontend only: the mapper_epoch its ring is set up for */
    volatile uint32_t front_epoch;
    uint32_t pad0;
    uint64_t pad[5];
};

struct keel_blk_seg {
    uint32_t gref;            /* the guest's reference to the page */
    uint8_t  first_sect;      /* 512-byte sectors within the page, */
    uint8_t  last_sect;       /* inclusive, < KEEL_BLK_SECTORS_PER_PAGE */
    uint16_t pad;             /* 0 */
};

struct keel_blk_req {
    uint8_t  op;              /* KEEL_BLK_OP_* */
    uint8_t  nr_segs;
    uint16_t flags;           /* 0 (none defined in this version) */
    uint32_t nr_sectors;      /* DISCARD only; 0 otherwise */
    uint64_t id;              /* echoed in the response */
    uint64_t sector;          /* first 512-byte sector on the disk */
    struct keel_blk_seg seg[KEEL_BLK_SEGS_MAX];
};

struct keel_blk_rsp {
    uint64_t id;
    uint8_t  op;              /* the request's */
    uint8_t  pad0;
    int16_t  status;          /* KEEL_BLK_OK, _ERROR, _NOTSUPP, _EIO, _EROFS */
    uint32_t pad1;
};

KEEL_RING_DEFINE(keel_blk, struct keel_blk_req, struct keel_blk_rsp);

/* Entries in the ring page: the largest power of two that fits. */
#define KEEL_BLK_RING_SIZE 32u

#ifdef __cplusplus
static_assert(sizeof(struct keel_blk_settings) == 64, "settings fill the entry's 64 bytes");
#else
_Static_assert(sizeof(struct keel_blk_settings) == 64, "settings fill the entry's 64 bytes");
_Static_assert(sizeof(struct keel_blk_page) <= KEEL_PAGE_SIZE, "page 0");
_Static_assert(sizeof(struct keel_blk_req) == 112, "request layout");
_Static_assert(sizeof(union keel_blk_ring_entry) == 112, "ring entry layout");
#endif

#endif /* KEEL_PUBLIC_BLK_H */

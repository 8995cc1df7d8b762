/*
 * blkback: the backend of keel/blk.h, serving virtual disks (a whole
 * device or a slice of one, read-write or read-only) over a device that
 * moves sectors through buffers of its own (dom0's virtio-blk driver
 * today: drivers/virtio_blk.h's slots).
 *
 * A library: dom0 links it today, a driver domain tomorrow.  It knows
 * neither the toolstack nor the driver: whoever wires it supplies the
 * outside world as struct bb_ops (grant copies, event sends, a log), the
 * device as struct bb_dev_ops, and each virtual disk as a struct
 * bb_vbd_conf.  docs/blk.md explains the design; this is the contract.
 *
 *   bb_disk_init(disk, ops, dev, ctx)
 *   bb_vbd_init(vbd, disk, conf)        (resumes from the ring it finds)
 *   event on vbd's port           -> bb_vbd_poll(vbd)
 *   the device completed a slot   -> bb_disk_done(disk, slot, status)
 *
 * Contract:
 *  - One thread calls everything; no function may be called from inside
 *    an ops callback but bb_disk_done from dev->submit's completions when
 *    the device completes later (never inside submit itself).
 *  - A guest is never trusted: every request is copied out of its ring
 *    and checked (bb_check) before anything touches the device; a write's
 *    data is copied into the device's buffer before it is submitted, a
 *    read's copied out only after the device answered (or, zero copy,
 *    the device moves them in the guest's pinned pages).  A malformed
 *    request is answered KEEL_BLK_ERROR (or _EROFS, _NOTSUPP) and touches
 *    nothing.  A guest that corrupts its ring indices or its state word
 *    is cut off (state BB_CUT, mapper_state KEEL_CONN_CLOSED, the reason
 *    logged once); requests it already had on the device finish, their
 *    answers are dropped.  Nothing it does reaches another disk.
 *  - Data moves in batches: the writes one bb_vbd_poll takes, and the
 *    reads completed between bb_disk_hold and _release, are one grant
 *    copy call (of up to KEEL_GRANT_COPY_MAX segments) each, not one a
 *    request; a write reaches the device after its copy, before the
 *    poll returns.
 *  - Zero copy (ops->map_device, unmap_device and dev->submit_sg all
 *    there): a READ's or WRITE's pages are pinned for the device
 *    (pinned once, kept for the vbd's life, at most BB_PINS_MAX a vbd)
 *    and the device moves the data itself; a request whose pin fails
 *    (a bad reference, no pin left) is copied as above.  A pin is never
 *    dropped while a request using it is on the device; a vbd holds no
 *    pin once it is cut or stopped and has nothing in flight (so dom0
 *    may free it then: the guest's frames are let go).
 *  - DISCARD (dev->discard, info.discard): the settings carry
 *    KEEL_BLK_F_DISCARD unless the vbd is read-only; a guest's range,
 *    checked inside its slice, goes to the device in pieces of at most
 *    info.max_discard sectors, one after the other on one device buffer,
 *    and is answered once all are done (KEEL_BLK_EIO at the first that
 *    fails, the rest not sent).
 *  - A guest holds at most KEEL_BLK_RING_SIZE requests; the device's
 *    buffers are shared first come first served: a vbd that finds none
 *    free waits (its request kept) until a completion frees one.
 */
#ifndef BLKBACK_BLKBACK_H
#define BLKBACK_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/blk.h>
#include <keel/grant_table.h>

#define BB_SLOTS_MAX 64u          /* device buffers blkback keeps track of */
/* Device pins a vbd keeps: every segment of every request a guest can
 * have in flight, so one that needs a pin always finds one free. */
#define BB_PINS_MAX    (KEEL_BLK_RING_SIZE * KEEL_BLK_SEGS_MAX)
#define BB_PIN_BUCKETS 512u       /* power of two, > BB_PINS_MAX */
#define BB_PIN_NONE    0xffffu
_Static_assert((BB_PIN_BUCKETS & (BB_PIN_BUCKETS - 1)) == 0 && BB_PIN_BUCKETS > BB_PINS_MAX,
               "pin buckets: a power of two above the pins");
_Static_assert(BB_PINS_MAX < BB_PIN_NONE, "pin indices fit 16 bits");

struct bb_ops {
    /* Grant copy: n <= KEEL_GRANT_COPY_MAX segments, statuses in place;
     * how many failed, or -KEEL_Exxx if nothing was copied. */
    long (*copy)(void *ctx, struct keel_grant_copy *seg, unsigned n);
    /* Send an event on our port `port` (bound to the guest). */
    void (*notify)(void *ctx, uint32_t port);
    /* One line for the operator (no newline).  NULL: silent. */
    void (*log)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /* Zero copy (both NULL: every request's data is copied).  Pin the
     * guest's granted page for the device (keel/grant_table.h
     * KEEL_GRANT_MAP_DEVICE; read_only: the device only reads it): 0 with
     * *maddr and *handle, or -KEEL_Exxx (then the request's data is
     * copied instead).  Unpin: the device no longer touches it. */
    long (*map_device)(void *ctx, keel_domid_t domid, keel_grant_ref_t ref,
                       bool read_only, uint64_t *maddr, uint32_t *handle);
    void (*unmap_device)(void *ctx, uint32_t handle);
};

/* A piece of a request's data where the device reaches it. */
struct bb_seg {
    uint64_t maddr;
    uint32_t len;
};

#define BB_IO_READ   0u
#define BB_IO_WRITE  1u
#define BB_IO_FLUSH  2u

/* The device: the same shape as drivers/virtio_blk.h's slots. */
struct bb_dev_ops {
    int (*slot_get)(void *dev);                 /* >= 0, or -KEEL_ENOSPC */
    void *(*slot_data)(void *dev, unsigned slot);
    void (*slot_put)(void *dev, unsigned slot);
    /* 0 or -KEEL_E*; completes later through bb_disk_done(slot). */
    int (*submit)(void *dev, unsigned slot, unsigned op, uint64_t sector,
                  uint32_t bytes);
    void (*kick)(void *dev);
    /* Zero copy (NULL: none): like submit, but the data is in nsegs
     * (<= KEEL_BLK_SEGS_MAX) machine-addressed pieces (as
     * drivers/virtio_blk.h virtio_blk_submit_sg) and the slot's buffer is
     * not used. */
    int (*submit_sg)(void *dev, unsigned slot, unsigned op, uint64_t sector,
                     uint32_t bytes, const struct bb_seg *segs, unsigned nsegs);
    /* DISCARD (NULL: none): sectors [sector, sector + sectors), 1..the
     * info's max_discard of them, aligned to its sector; the slot's
     * buffer is the device's (drivers/virtio_blk.h puts the range
     * there).  0 or -KEEL_E*; completes later through bb_disk_done. */
    int (*discard)(void *dev, unsigned slot, uint64_t sector, uint32_t sectors);
};

/* The device as blkback sees it. */
struct bb_dev_info {
    uint64_t sectors;            /* 512-byte */
    uint32_t sector_size;
    uint32_t max_bytes;          /* per request (>= one page) */
    bool read_only, flush;
    bool discard;                /* dev_ops->discard serves it */
    uint32_t max_discard;        /* sectors per device discard, a multiple
                                    of the sector; a guest's larger DISCARD
                                    goes to the device in pieces of it */
};

enum bb_state { BB_LIVE = 0, BB_CUT = 1 };

enum bb_reason {
    BB_REASON_NONE = 0,
    BB_RING_CORRUPT,             /* producer index claims more than the ring */
    BB_BAD_STATE_WORD,           /* granter_state is none of KEEL_CONN_* */
};

struct bb_counters {
    uint64_t reads, writes, flushes, discards;
    uint64_t errors;             /* KEEL_BLK_ERROR answers */
    uint64_t refused;            /* _EROFS and _NOTSUPP answers */
    uint64_t io_errors;          /* KEEL_BLK_EIO answers */
    uint64_t waits;              /* no device buffer free */
    uint64_t zero_copy;          /* READs and WRITEs the device did in the guest's pages */
    uint64_t copied;             /* READs and WRITEs whose data was grant-copied */
    uint64_t pin_maps, pin_unmaps;   /* map_device / unmap_device calls */
};

/* One guest page pinned for the device (pin.c). */
struct bb_pin {
    uint64_t maddr;
    keel_grant_ref_t ref;
    uint32_t handle;
    uint16_t users;              /* segments on the device using it */
    uint16_t next;               /* its bucket's chain, or the free list */
    bool pinned, read_only;
};

/* A vbd's pins, found by grant reference. */
struct bb_pins {
    struct bb_pin e[BB_PINS_MAX];
    uint16_t bucket[BB_PIN_BUCKETS];    /* first entry of each chain */
    uint16_t free;               /* first unused entry */
    uint16_t hand;               /* where the next eviction looks */
    uint16_t live;               /* entries pinned */
};

struct bb_vbd;

/* A request on the device. */
struct bb_pending {
    struct bb_vbd *vbd;          /* NULL: the slot is not ours */
    struct keel_blk_req req;     /* the checked copy */
    uint32_t bytes;              /* its length */
    uint32_t discarded;          /* DISCARD: sectors sent to the device so far */
    bool pinned;                 /* zero copy: its data in pin[] (pin.c) */
    uint16_t pin[KEEL_BLK_SEGS_MAX];    /* each segment's entry of vbd->pins */
};

struct bb_disk {
    const struct bb_ops *ops;
    const struct bb_dev_ops *dev_ops;
    void *dev, *ctx;
    struct bb_dev_info info;
    struct bb_vbd *waiting;      /* vbds that found no buffer, FIFO */
    struct bb_vbd *owed;         /* vbds with answers not yet published */
    bool holding;                /* between bb_disk_hold and _release */
    struct bb_pending pend[BB_SLOTS_MAX];
    /* slots whose data moves in the next grant copy call: writes taken
     * from rings, reads the device answered (copy.c) */
    uint8_t batch[BB_SLOTS_MAX];
    unsigned nbatch;
    uint64_t copy_calls;         /* grant copy calls made */
    uint64_t zero_copy, copied;  /* as bb_counters', every vbd's */
};

/* One virtual disk: sectors [first, first + settings.sectors) of the
 * device, as the toolstack described it in the guest's device entry. */
struct bb_vbd_conf {
    keel_domid_t domid;          /* the guest (the granter) */
    uint32_t port;               /* our port, bound to the guest's */
    uint64_t first;              /* its first sector on the device */
    const struct keel_blk_settings *settings;
    void *page[KEEL_BLK_RING_PAGES];    /* mapped: header, ring */
};

/* Allocated by the caller; every field is the library's: read `state`,
 * `reason`, `c`; write nothing. */
struct bb_vbd {
    struct bb_disk *disk;
    struct keel_blk_back ring;
    struct keel_blk_page *page;
    struct keel_blk_settings s;
    struct keel_blk_req held;    /* taken, waiting for a device buffer */
    struct bb_vbd *next_waiting, *next_owed;
    struct bb_counters c;
    uint64_t first;
    uint32_t port, inflight;
    keel_domid_t domid;
    uint8_t state, reason;
    bool has_held, queued, owes;
    struct bb_pins pins;         /* c.pin_maps - c.pin_unmaps == pins.live */
};

int bb_disk_init(struct bb_disk *disk, const struct bb_ops *ops,
                 const struct bb_dev_ops *dev_ops, void *dev,
                 const struct bb_dev_info *info, void *ctx);

/* The settings a whole device (or a slice of `sectors` of it) gives a
 * guest; read_only forces KEEL_BLK_F_RO (and drops KEEL_BLK_F_DISCARD).
 * -KEEL_EINVAL: a slice past the device's end or not aligned to its
 * sector. */
int bb_settings(const struct bb_dev_info *info, uint64_t first,
                uint64_t sectors, bool read_only, struct keel_blk_settings *out);

/* Checks conf against the disk (a slice inside the device, settings it
 * can honour); resumes from the ring indices it finds.  -KEEL_EINVAL. */
int bb_vbd_init(struct bb_vbd *vbd, struct bb_disk *disk,
                const struct bb_vbd_conf *conf);

/* Take and serve what the guest put on its ring.  How many requests were
 * taken; 0 also when the vbd is cut off. */
int bb_vbd_poll(struct bb_vbd *vbd);

/* The guest is going (its pages are about to be unmapped): serve it no
 * more, touch its pages no more.  Its pins with nothing in flight are
 * dropped now, the others as their requests finish; those answers are
 * dropped.  The vbd may be freed once inflight is 0 and has_held false
 * (pins.live is 0 then). */
void bb_vbd_stop(struct bb_vbd *vbd);

/* Answers written between bb_disk_hold and bb_disk_release are published
 * at the release, one push and at most one event per vbd: a batch of
 * completions (one device interrupt's) wakes each guest once.  Without
 * hold every answer is published at once. */
void bb_disk_hold(struct bb_disk *disk);
void bb_disk_release(struct bb_disk *disk);

/* The device finished the request on slot (status 0 or -KEEL_E*). */
void bb_disk_done(struct bb_disk *disk, unsigned slot, int status);

/* Pure: KEEL_BLK_OK if req is well formed for a disk with settings s
 * (and, for READ and WRITE, *bytes its length), else the status to
 * answer it with.  Grant references are checked by the copy. */
int bb_check(const struct keel_blk_settings *s, const struct keel_blk_req *req,
             uint32_t *bytes);

#endif /* BLKBACK_BLKBACK_H */

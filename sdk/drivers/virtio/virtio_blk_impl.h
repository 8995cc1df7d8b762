/*
 * Inside the virtio-blk driver: the state virtio_blk.c (bring-up,
 * configuration) and virtio_blk_io.c (requests) share.
 *
 * A request is a chain of three descriptors (legacy devices want the
 * parts apart): its 16-byte header (device reads), its data in its slot
 * (device reads for a write, writes for a read; none for a flush), its
 * status byte (device writes).  A discard's data is its range
 * (struct vblk_discard), written into its slot, device reads.  Headers
 * and status bytes of all slots share one DMA page (VBLK_META_STRIDE
 * bytes each); the data of slot i is VIRTIO_BLK_SLOT_BYTES at
 * data + i * VIRTIO_BLK_SLOT_BYTES, one contiguous DMA run, so a
 * request's data is one descriptor.
 *
 * A request through virtio_blk_submit_sg (virtio_blk_sg.c) keeps the
 * header and status byte of its slot but its data is the caller's
 * segments: up to VBLK_SG_DESC_MAX descriptors.  With INDIRECT_DESC agreed
 * they go in the slot's own table (tables: VBLK_SG_DESC_MAX descriptors
 * per slot, one contiguous DMA run), the ring holding one descriptor.
 */
#ifndef DRIVERS_VIRTIO_BLK_IMPL_H
#define DRIVERS_VIRTIO_BLK_IMPL_H

#include <drivers/virtio_blk.h>
#include "virtio_pci.h"
#include "virtqueue.h"

#define VBLK_QUEUE          0u
#define VBLK_DESC_PER_REQ   3u
#define VBLK_SG_DESC_MAX    (VIRTIO_BLK_SEGS_MAX + 2u)   /* header, data, status */
#define VBLK_META_STRIDE    32u
#define VBLK_STATUS_AT      16u     /* in a slot's meta: after the header */
#define VBLK_STATUS_UNSET   0xffu   /* no device writes it: detects silence */

/* device-type features (virtio 1.x, 5.2.3) */
#define VIRTIO_BLK_F_SIZE_MAX  (1u << 1)
#define VIRTIO_BLK_F_SEG_MAX   (1u << 2)
#define VIRTIO_BLK_F_RO        (1u << 5)
#define VIRTIO_BLK_F_BLK_SIZE  (1u << 6)
#define VIRTIO_BLK_F_FLUSH     (1u << 9)
#define VIRTIO_BLK_F_DISCARD   (1u << 13)

/* device configuration, from VIRTIO_PCI_CONFIG */
#define VBLK_CFG_CAPACITY   0      /* 64 bits, 512-byte sectors */
#define VBLK_CFG_SIZE_MAX   8
#define VBLK_CFG_BLK_SIZE   20
#define VBLK_CFG_MAX_DISCARD_SECTORS  36   /* after writeback, num_queues */
#define VBLK_CFG_MAX_DISCARD_SEG      40
#define VBLK_CFG_DISCARD_ALIGN        44

/* request header types and status bytes */
#define VIRTIO_BLK_T_IN     0u
#define VIRTIO_BLK_T_OUT    1u
#define VIRTIO_BLK_T_FLUSH  4u
#define VIRTIO_BLK_T_DISCARD 11u
#define VIRTIO_BLK_S_OK     0u
#define VIRTIO_BLK_S_IOERR  1u
#define VIRTIO_BLK_S_UNSUPP 2u

struct vblk_hdr {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
};

/* A DISCARD's data: one range (virtio 1.x 5.2.6,
 * virtio_blk_discard_write_zeroes), at the start of its slot's buffer. */
struct vblk_discard {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;            /* 0: unmap is WRITE_ZEROES' */
};

enum vblk_slot_state { VBLK_FREE, VBLK_HELD, VBLK_ON_DEVICE };

struct vblk_slot {
    uint64_t tag;
    uint32_t bytes;
    uint8_t op;
    uint8_t state;             /* enum vblk_slot_state */
};

struct virtio_blk {
    struct vpci pci;
    struct virtqueue q;
    uint8_t *meta;             /* headers and status bytes */
    uint64_t meta_maddr;
    uint8_t *data;             /* the slots' data */
    uint64_t data_maddr;
    struct vring_desc *tables; /* [VIRTIO_BLK_SLOTS * VBLK_SG_DESC_MAX], or
                                  NULL without INDIRECT_DESC */
    uint64_t tables_maddr;
    uint8_t *head_slot;        /* [q.size]: the slot a chain's head carries */
    struct vblk_slot slot[VIRTIO_BLK_SLOTS];
    struct virtio_blk_info info;
    keel_evtchn_port_t port;
    virtio_blk_done_fn done;
    void *ctx;
    struct virtio_blk_counters c;
};

/* virtio_blk.c: what we take of what the device offers */
uint32_t vblk_choose_features(uint32_t offered);
/* virtio_blk_io.c: the request on slot s is well formed for this disk
 * (0, -KEEL_EINVAL, -KEEL_EROFS) */
int vblk_check(const struct virtio_blk *b, unsigned s,
               const struct virtio_blk_request *r);
/* Slot s's header for r and its status byte, reset: the first and the
 * last segment of r's chain (*hdr, *status). */
void vblk_frame(struct virtio_blk *b, unsigned s, const struct virtio_blk_request *r,
                struct vq_seg *hdr, struct vq_seg *status);
/* The chain at head carries r on slot s now: the slot is on the device,
 * the request counted. */
void vblk_posted(struct virtio_blk *b, unsigned s, int head,
                 const struct virtio_blk_request *r);

#endif /* DRIVERS_VIRTIO_BLK_IMPL_H */

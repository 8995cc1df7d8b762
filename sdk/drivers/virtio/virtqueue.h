/*
 * The driver's half of a virtio split virtqueue, legacy layout (virtio
 * 1.x, 2.7 "Split Virtqueues", and 4.1.5 "Legacy Interfaces"): pure ring
 * logic, no device access, unit-tested on the host with a fake device
 * (tests/unit/drivers_virtqueue_test.c).
 *
 * One contiguous, 4096-aligned block holds, for a queue of `size` entries
 * (a power of two, as the legacy interface requires):
 *
 *   desc[size]    16 bytes each: buffer address, length, flags, next
 *   avail         flags, idx, ring[size]          (the driver writes)
 *   (padding to the next 4096 bytes)
 *   used          flags, idx, ring[size] {id,len}  (the device writes)
 *
 * Indices are free-running 16-bit counters; entry i lives at i % size,
 * which stays right across the wrap at 65536 because size divides it.
 *
 * A buffer is a chain of descriptors; its first one (the head) is its
 * name, from add to pop.  With VIRTIO_RING_F_INDIRECT_DESC a buffer may
 * instead be one ring descriptor naming a table of descriptors in the
 * caller's DMA memory (vq_add_indirect): a long chain then costs the ring
 * one entry.  Only the first `ndesc` descriptors are ever used,
 * so a caller that ties a buffer of its own to each head needs only ndesc
 * of them however large the device made the queue.
 *
 * The device is trusted (there is no IOMMU: it can write anywhere), but a
 * used entry that names no buffer in flight is refused (VQ_BROKEN) rather
 * than followed, so a confused device cannot corrupt the free list.
 */
#ifndef DRIVERS_VIRTQUEUE_H
#define DRIVERS_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_ALIGN        4096u
#define VQ_SIZE_MAX     32768u
/* descriptors in one chain, direct or in an indirect table: the longest
 * any driver here builds (virtio-blk: header, 16 data segments, status) */
#define VQ_SEGS_MAX     18u

#define VIRTIO_RING_F_INDIRECT_DESC  (1u << 28)   /* a transport feature bit */

#define VRING_DESC_F_NEXT        1u
#define VRING_DESC_F_WRITE       2u  /* the device writes this buffer */
#define VRING_DESC_F_INDIRECT    4u  /* addr/len: a table of descriptors */
#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define VRING_USED_F_NO_NOTIFY   1u

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};

struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[];
};

/* One segment of a buffer: a device (machine) address and a length. */
struct vq_seg {
    uint64_t addr;
    uint32_t len;
    bool device_writes;
};

struct virtqueue {
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint8_t *in_flight;     /* [size]: for a head the device holds, the ring
                               descriptors its chain takes; else 0 */
    uint16_t size, ndesc;
    uint16_t num_free;      /* descriptors on the free list */
    uint16_t free_head;     /* first of them (valid when num_free > 0) */
    uint16_t avail_idx;     /* next avail entry to fill (ours) */
    uint16_t last_used;     /* used entries taken so far */
    uint16_t kicked_idx;    /* avail_idx when the device was last told */
};

#define VQ_EMPTY   (-1)     /* vq_pop: nothing used */
#define VQ_BROKEN  (-2)     /* vq_pop: the device named no buffer in flight */
#define VQ_FULL    (-1)     /* vq_add: fewer free descriptors than segments */

/* Bytes of the ring block for a queue of `size` entries (legacy layout). */
size_t vq_bytes(uint16_t size);

/* 0, or -1 when size is not a power of two in [1, VQ_SIZE_MAX] or ndesc
 * is 0 or above size.  mem: vq_bytes(size) bytes, 4096-aligned, zeroed;
 * in_flight: size bytes of the caller's. */
int vq_init(struct virtqueue *q, void *mem, uint8_t *in_flight,
            uint16_t size, uint16_t ndesc);

/* The head the next vq_add will use (num_free > 0), so that the caller
 * can fill the buffer it ties to that head first. */
static inline uint16_t vq_next_head(const struct virtqueue *q)
{
    return q->free_head;
}

static inline uint16_t vq_num_free(const struct virtqueue *q)
{
    return q->num_free;
}

/* Chains segs[0..n) (n <= VQ_SEGS_MAX) and puts it in the avail ring,
 * not yet visible to the device (vq_publish).  The head, or VQ_FULL with
 * nothing changed. */
int vq_add(struct virtqueue *q, const struct vq_seg *segs, unsigned n);

/* Writes segs[0..n) (n <= VQ_SEGS_MAX) as a chain into table[0..n), the
 * caller's memory at device address table_maddr, and puts one ring
 * descriptor naming it in the avail ring (VIRTIO_RING_F_INDIRECT_DESC
 * agreed).  The table is the device's until the head is popped.  The
 * head, or VQ_FULL (no free descriptor, or n out of range) with nothing
 * changed. */
int vq_add_indirect(struct virtqueue *q, struct vring_desc *table,
                    uint64_t table_maddr, const struct vq_seg *segs, unsigned n);

/* Makes what vq_add put visible to the device; true when the device
 * should be notified (something new, and the device has not said
 * VRING_USED_F_NO_NOTIFY). */
bool vq_publish(struct virtqueue *q);

/* The next buffer the device has used: its head (its descriptors are free
 * again) and the bytes the device wrote into it (*len); VQ_EMPTY, or
 * VQ_BROKEN (the entry is skipped). */
int vq_pop(struct virtqueue *q, uint32_t *len);

/* Ask the device for an interrupt when it uses a buffer, or not (a hint
 * the device may ignore: the caller still pops whenever it looks). */
void vq_want_interrupts(struct virtqueue *q, bool on);

#endif /* DRIVERS_VIRTQUEUE_H */

/*
 * virtio-blk, requests (virtio_blk.h): slots, submit, completion.
 *
 * Every request is checked against the disk before a descriptor is
 * written (vblk_check), and every used entry against what we put on the
 * device before we believe it (complete): the head must be a chain in
 * flight (virtqueue.c refuses others), its slot must be on the device,
 * the status byte must have been written, a read's length must cover its
 * data.  Interrupts stay on: each completion is news for a guest.
 */
#include <keel/abi.h>
#include "virtio_blk_impl.h"

int virtio_blk_slot_get(struct virtio_blk *b)
{
    for (unsigned s = 0; s < VIRTIO_BLK_SLOTS; s++)
        if (b->slot[s].state == VBLK_FREE) {
            b->slot[s].state = VBLK_HELD;
            return (int)s;
        }
    return -KEEL_ENOSPC;
}

void *virtio_blk_slot_data(struct virtio_blk *b, unsigned slot)
{
    return b->data + (size_t)slot * VIRTIO_BLK_SLOT_BYTES;
}

void virtio_blk_slot_put(struct virtio_blk *b, unsigned slot)
{
    if (slot < VIRTIO_BLK_SLOTS && b->slot[slot].state == VBLK_HELD)
        b->slot[slot].state = VBLK_FREE;
}

/* [sector, sector + n) is inside the disk, aligned to its logical sector */
static bool range_ok(const struct virtio_blk_info *i, uint64_t sector, uint64_t n)
{
    uint64_t align = i->sector_size / VIRTIO_BLK_SECTOR;

    return n && n % align == 0 && sector % align == 0 &&
           sector <= i->sectors && n <= i->sectors - sector;
}

static int check_discard(const struct virtio_blk_info *i,
                         const struct virtio_blk_request *r)
{
    if (!i->discard)
        return -KEEL_ENOSYS;
    if (r->bytes || r->sectors > i->max_discard_sectors ||
        !range_ok(i, r->sector, r->sectors))
        return -KEEL_EINVAL;
    return i->read_only ? -KEEL_EROFS : 0;
}

int vblk_check(const struct virtio_blk *b, unsigned s,
               const struct virtio_blk_request *r)
{
    const struct virtio_blk_info *i = &b->info;

    if (s >= VIRTIO_BLK_SLOTS || b->slot[s].state != VBLK_HELD)
        return -KEEL_EINVAL;
    if (r->op == VIRTIO_BLK_DISCARD)
        return check_discard(i, r);
    if (r->sectors)
        return -KEEL_EINVAL;
    if (r->op == VIRTIO_BLK_FLUSH)
        return r->bytes ? -KEEL_EINVAL : 0;
    if (r->op != VIRTIO_BLK_READ && r->op != VIRTIO_BLK_WRITE)
        return -KEEL_EINVAL;
    if (r->bytes > i->max_bytes || r->bytes % i->sector_size ||
        !range_ok(i, r->sector, r->bytes / VIRTIO_BLK_SECTOR))
        return -KEEL_EINVAL;
    if (r->op == VIRTIO_BLK_WRITE && i->read_only)
        return -KEEL_EROFS;
    return 0;
}

static uint8_t *meta(const struct virtio_blk *b, unsigned s)
{
    return b->meta + s * VBLK_META_STRIDE;
}

static uint64_t meta_maddr(const struct virtio_blk *b, unsigned s)
{
    return b->meta_maddr + s * VBLK_META_STRIDE;
}

static void count_submit(struct virtio_blk *b, const struct virtio_blk_request *r)
{
    if (r->op == VIRTIO_BLK_READ) {
        b->c.reads++;
        b->c.bytes_read += r->bytes;
    } else if (r->op == VIRTIO_BLK_WRITE) {
        b->c.writes++;
        b->c.bytes_written += r->bytes;
    } else if (r->op == VIRTIO_BLK_DISCARD) {
        b->c.discards++;
        b->c.sectors_discarded += r->sectors;
    } else {
        b->c.flushes++;
    }
}

static uint32_t header_type(unsigned op)
{
    return op == VIRTIO_BLK_READ ? VIRTIO_BLK_T_IN :
           op == VIRTIO_BLK_WRITE ? VIRTIO_BLK_T_OUT :
           op == VIRTIO_BLK_DISCARD ? VIRTIO_BLK_T_DISCARD : VIRTIO_BLK_T_FLUSH;
}

void vblk_frame(struct virtio_blk *b, unsigned s, const struct virtio_blk_request *r,
                struct vq_seg *hdr, struct vq_seg *status)
{
    struct vblk_hdr *h = (struct vblk_hdr *)meta(b, s);

    /* FLUSH and DISCARD have no sector in the header (a discard's range
     * is its data) */
    bool rw = r->op == VIRTIO_BLK_READ || r->op == VIRTIO_BLK_WRITE;
    *h = (struct vblk_hdr){ header_type(r->op), 0, rw ? r->sector : 0 };
    meta(b, s)[VBLK_STATUS_AT] = VBLK_STATUS_UNSET;
    *hdr = (struct vq_seg){ meta_maddr(b, s), sizeof(*h), false };
    *status = (struct vq_seg){ meta_maddr(b, s) + VBLK_STATUS_AT, 1, true };
}

void vblk_posted(struct virtio_blk *b, unsigned s, int head,
                 const struct virtio_blk_request *r)
{
    b->head_slot[head] = (uint8_t)s;
    b->slot[s] = (struct vblk_slot){ r->tag, r->bytes, (uint8_t)r->op, VBLK_ON_DEVICE };
    count_submit(b, r);
}

int virtio_blk_submit(struct virtio_blk *b, unsigned s,
                      const struct virtio_blk_request *r)
{
    struct vq_seg seg[VBLK_DESC_PER_REQ];
    unsigned n = 1;
    int rc = vblk_check(b, s, r);

    if (rc) {
        b->c.refused++;
        return rc;
    }
    /* only direct sg chains (no INDIRECT_DESC) can fill the ring */
    if (vq_num_free(&b->q) < VBLK_DESC_PER_REQ)
        return -KEEL_ENOSPC;
    uint64_t data = b->data_maddr + (uint64_t)s * VIRTIO_BLK_SLOT_BYTES;
    if (r->op == VIRTIO_BLK_DISCARD) {
        *(struct vblk_discard *)virtio_blk_slot_data(b, s) =
            (struct vblk_discard){ r->sector, r->sectors, 0 };
        seg[n++] = (struct vq_seg){ data, sizeof(struct vblk_discard), false };
    } else if (r->op != VIRTIO_BLK_FLUSH) {
        seg[n++] = (struct vq_seg){ data, r->bytes, r->op == VIRTIO_BLK_READ };
    }
    vblk_frame(b, s, r, &seg[0], &seg[n++]);
    vblk_posted(b, s, vq_add(&b->q, seg, n), r);
    return 0;
}

void virtio_blk_kick(struct virtio_blk *b)
{
    if (vq_publish(&b->q)) {
        vpci_out16(&b->pci, VIRTIO_PCI_QUEUE_NOTIFY, VBLK_QUEUE);
        b->c.notifies++;
    }
}

/* The status of slot s's answer, the device's used length len. */
static int answer(struct virtio_blk *b, unsigned s, uint32_t len)
{
    const struct vblk_slot *sl = &b->slot[s];
    uint8_t st = meta(b, s)[VBLK_STATUS_AT];
    uint32_t written = sl->op == VIRTIO_BLK_READ ? sl->bytes + 1 : 1;

    if (st == VIRTIO_BLK_S_OK && len >= written)
        return 0;
    if (st == VIRTIO_BLK_S_UNSUPP && sl->op == VIRTIO_BLK_FLUSH && !b->info.flush)
        return 0;                  /* no cache to flush */
    if (st > VIRTIO_BLK_S_UNSUPP || (st == VIRTIO_BLK_S_OK && len < written))
        b->c.device_errors++;      /* silence or a short read: nonsense */
    b->c.io_errors++;
    return st == VIRTIO_BLK_S_UNSUPP ? -KEEL_ENOSYS : -KEEL_EIO;
}

int virtio_blk_poll(struct virtio_blk *b)
{
    uint32_t len;
    int head, n = 0;

    while ((head = vq_pop(&b->q, &len)) != VQ_EMPTY) {
        unsigned s = head == VQ_BROKEN ? VIRTIO_BLK_SLOTS : b->head_slot[head];
        if (s >= VIRTIO_BLK_SLOTS || b->slot[s].state != VBLK_ON_DEVICE) {
            b->c.device_errors++;
            continue;
        }
        int status = answer(b, s, len);
        b->slot[s].state = VBLK_HELD;
        b->done(b->ctx, s, b->slot[s].tag, status);
        n++;
    }
    return n;
}

int virtio_blk_event(struct virtio_blk *b)
{
    b->c.events++;
    /* reading the ISR lowers the line; anything used after this read
     * raises it again, and the acknowledgement lets that through */
    (void)vpci_in8(&b->pci, VIRTIO_PCI_ISR);
    if (b->port)
        vpci_irq_ack(&b->pci);
    return virtio_blk_poll(b);
}

/*
 * virtio-blk, requests whose data is the caller's (virtio_blk_submit_sg):
 * zero copy, the device reading or writing pages the caller names by
 * machine address (blkback: a guest's granted pages).
 *
 * The slot still carries the request's header, status byte, tag and
 * state, so completion (virtio_blk_io.c) treats both kinds alike; only its
 * data buffer goes unused.  Segments are checked before any descriptor is
 * written.  Physically adjacent segments become one descriptor: a guest's
 * pages are often contiguous, and each descriptor is work for the device.
 *
 * With INDIRECT_DESC (QEMU offers it) the chain goes into the slot's own
 * table and costs the ring one descriptor, so every slot can be on the
 * device at once whatever the chain lengths; the table is free again when
 * the slot is, since a slot is on the device at most once.  Without it the
 * chain takes ring descriptors, and a full ring is -KEEL_ENOSPC: the caller
 * waits for a completion.
 */
#include <keel/abi.h>
#include "virtio_blk_impl.h"

_Static_assert(VBLK_SG_DESC_MAX <= VQ_SEGS_MAX, "an sg chain fits a virtqueue chain");

/* A segment the device can take as it is: sectors, inside one page. */
static bool seg_ok(const struct virtio_blk_seg *g)
{
    return g->len && g->len % VIRTIO_BLK_SECTOR == 0 &&
           g->maddr % VIRTIO_BLK_SECTOR == 0 &&
           (g->maddr & 4095) + g->len <= 4096;
}

static int check_segs(const struct virtio_blk_request *r,
                      const struct virtio_blk_seg *segs, unsigned n)
{
    uint64_t sum = 0;

    if (r->op == VIRTIO_BLK_FLUSH)
        return n ? -KEEL_EINVAL : 0;
    if (r->op == VIRTIO_BLK_DISCARD || n == 0 || n > VIRTIO_BLK_SEGS_MAX)
        return -KEEL_EINVAL;
    for (unsigned k = 0; k < n; k++) {
        if (!seg_ok(&segs[k]))
            return -KEEL_EINVAL;
        sum += segs[k].len;
    }
    return sum == r->bytes ? 0 : -KEEL_EINVAL;
}

/* segs[0..n) as descriptors into out[], each run of physically adjacent
 * segments one descriptor; how many.  A run is at most r->bytes long. */
static unsigned data_descs(const struct virtio_blk_seg *segs, unsigned n,
                           bool device_writes, struct vq_seg *out)
{
    unsigned m = 0;

    for (unsigned k = 0; k < n; k++) {
        if (m && out[m - 1].addr + out[m - 1].len == segs[k].maddr)
            out[m - 1].len += segs[k].len;
        else
            out[m++] = (struct vq_seg){ segs[k].maddr, segs[k].len, device_writes };
    }
    return m;
}

/* The chain seg[0..n) on the device for slot s: its head, or VQ_FULL. */
static int add_chain(struct virtio_blk *b, unsigned s, const struct vq_seg *seg,
                     unsigned n)
{
    if (!b->tables)
        return vq_add(&b->q, seg, n);
    size_t at = (size_t)s * VBLK_SG_DESC_MAX;
    return vq_add_indirect(&b->q, b->tables + at,
                           b->tables_maddr + at * sizeof(struct vring_desc), seg, n);
}

int virtio_blk_submit_sg(struct virtio_blk *b, unsigned s,
                         const struct virtio_blk_request *r,
                         const struct virtio_blk_seg *segs, unsigned nsegs)
{
    struct vq_seg seg[VBLK_SG_DESC_MAX];
    int rc = vblk_check(b, s, r);

    if (!rc)
        rc = check_segs(r, segs, nsegs);
    if (rc) {
        b->c.refused++;
        return rc;
    }
    unsigned n = 1 + data_descs(segs, nsegs, r->op == VIRTIO_BLK_READ, seg + 1);
    if (!b->tables && n + 1 > b->q.ndesc)
        return -KEEL_E2BIG;        /* would never fit: a tiny queue */
    /* the slot is held, not on the device: its header is ours to write
     * even if the ring turns out full */
    vblk_frame(b, s, r, &seg[0], &seg[n++]);
    int head = add_chain(b, s, seg, n);
    if (head == VQ_FULL)
        return -KEEL_ENOSPC;
    vblk_posted(b, s, head, r);
    return 0;
}

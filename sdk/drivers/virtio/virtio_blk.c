/*
 * virtio-blk, bring-up and configuration (virtio_blk.h; requests are
 * virtio_blk_io.c).
 *
 * Features (vblk_choose_features): RO (we must know, to refuse writes
 * before the device does), BLK_SIZE (the logical sector requests align
 * to), SIZE_MAX (a slot request's data is one descriptor: no larger than
 * the device allows), FLUSH on purpose (virtio_blk.h: cached writes,
 * synced at each flush), INDIRECT_DESC (an sg request's chain of up to 18
 * descriptors in a table of its slot's, one ring descriptor: 32 of them
 * fit any queue).  Not SEG_MAX (at most 16 data descriptors, QEMU allows
 * its queue size less 2), not CONFIG_WCE (we keep whatever cache mode
 * FLUSH gives), DISCARD when offered (its limits read here; QEMU offers
 * it whatever the drive's discard= option, a no-op unless unmap), not
 * WRITE_ZEROES, not EVENT_IDX (interrupts always on).
 */
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include "virtio_dev.h"
#include "virtio_blk_impl.h"

long virtio_blk_probe(uint32_t *bdf)
{
    return vpci_find_and_take(VIRTIO_ID_BLOCK, bdf);
}

uint32_t vblk_choose_features(uint32_t offered)
{
    return offered & (VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE |
                      VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_FLUSH |
                      VIRTIO_BLK_F_DISCARD | VIRTIO_RING_F_INDIRECT_DESC);
}

static uint32_t cfg32(const struct virtio_blk *b, unsigned off)
{
    return vpci_in32(&b->pci, vpci_config(&b->pci) + off);
}

/* A logical sector we can serve: a power of two in [512, 4096]. */
static uint32_t sector_size(const struct virtio_blk *b)
{
    uint32_t s = (b->info.features & VIRTIO_BLK_F_BLK_SIZE) ?
                 cfg32(b, VBLK_CFG_BLK_SIZE) : VIRTIO_BLK_SECTOR;

    if (s < VIRTIO_BLK_SECTOR || s > 4096 || (s & (s - 1)))
        return 0;
    return s;
}

static uint32_t max_bytes(const struct virtio_blk *b)
{
    uint32_t max = VIRTIO_BLK_SLOT_BYTES;

    if (b->info.features & VIRTIO_BLK_F_SIZE_MAX) {
        uint32_t dev = cfg32(b, VBLK_CFG_SIZE_MAX);
        if (dev < max)
            max = dev;
    }
    return max - max % b->info.sector_size;
}

/* The device's discard limits.  Its maximum rounds down to the logical
 * sector, so a caller splitting at it makes aligned pieces; a device that
 * allows none (0, or less than a sector) has no usable discard. */
static void discard_limits(struct virtio_blk *b)
{
    struct virtio_blk_info *i = &b->info;
    uint32_t align = i->sector_size / VIRTIO_BLK_SECTOR;

    if (!(i->features & VIRTIO_BLK_F_DISCARD))
        return;
    i->max_discard_sectors = cfg32(b, VBLK_CFG_MAX_DISCARD_SECTORS);
    i->max_discard_sectors -= i->max_discard_sectors % align;
    i->max_discard_seg = cfg32(b, VBLK_CFG_MAX_DISCARD_SEG);
    i->discard_align = cfg32(b, VBLK_CFG_DISCARD_ALIGN);
    i->discard = i->max_discard_sectors && i->max_discard_seg;
    if (!i->discard)
        i->max_discard_sectors = 0;
}

static long negotiate(struct virtio_blk *b)
{
    struct virtio_blk_info *i = &b->info;

    i->features = vblk_choose_features(vpci_in32(&b->pci, VIRTIO_PCI_HOST_FEATURES));
    vpci_out32(&b->pci, VIRTIO_PCI_GUEST_FEATURES, i->features);
    i->read_only = i->features & VIRTIO_BLK_F_RO;
    i->flush = i->features & VIRTIO_BLK_F_FLUSH;
    i->sectors = cfg32(b, VBLK_CFG_CAPACITY) |
                 (uint64_t)cfg32(b, VBLK_CFG_CAPACITY + 4) << 32;
    if (!(i->sector_size = sector_size(b)) ||
        i->sectors % (i->sector_size / VIRTIO_BLK_SECTOR))
        return -KEEL_EIO;
    if (!(i->max_bytes = max_bytes(b)))
        return -KEEL_EIO;
    discard_limits(b);
    return 0;
}

/* Every descriptor the queue has may be needed: without INDIRECT_DESC an
 * sg request's chain is up to VBLK_SG_DESC_MAX of them. */
static long setup_memory(struct virtio_blk *b)
{
    long rc;

    if ((rc = vdev_setup_queue(&b->pci, VBLK_QUEUE,
                               VIRTIO_BLK_SLOTS * VBLK_SG_DESC_MAX, &b->q)) ||
        (rc = vpci_dma_alloc(1, (void **)&b->meta, &b->meta_maddr)) ||
        (rc = vpci_dma_alloc(vdev_pages((size_t)VIRTIO_BLK_SLOTS *
                                        VIRTIO_BLK_SLOT_BYTES),
                             (void **)&b->data, &b->data_maddr)))
        return rc;
    if ((b->info.features & VIRTIO_RING_F_INDIRECT_DESC) &&
        (rc = vpci_dma_alloc(vdev_pages(sizeof(struct vring_desc) *
                                        VIRTIO_BLK_SLOTS * VBLK_SG_DESC_MAX),
                             (void **)&b->tables, &b->tables_maddr)))
        return rc;
    if (!(b->head_slot = calloc(b->q.size, 1)))
        return -KEEL_ENOMEM;
    return 0;
}

static long bring_up(struct virtio_blk *b)
{
    long rc;

    vdev_begin(&b->pci);
    if ((rc = negotiate(b)) || (rc = setup_memory(b)))
        return rc;
    long port = vdev_bind_interrupt(&b->pci, 1);
    b->port = port > 0 ? (keel_evtchn_port_t)port : 0;   /* 0: poll */
    vdev_set_status(&b->pci, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                             VIRTIO_STATUS_DRIVER_OK);
    return 0;
}

long virtio_blk_attach(uint32_t bdf, virtio_blk_done_fn done, void *ctx,
                       struct virtio_blk **out)
{
    struct virtio_blk *b = calloc(1, sizeof(*b));
    long rc;

    if (!b)
        return -KEEL_ENOMEM;
    b->done = done;
    b->ctx = ctx;
    if ((rc = vpci_open(&b->pci, bdf)))
        goto fail;
    if ((rc = bring_up(b))) {
        vdev_fail(&b->pci);
        goto fail;
    }
    *out = b;
    return 0;
fail:
    free(b->q.in_flight);
    free(b->head_slot);
    free(b);
    return rc;
}

void virtio_blk_info(const struct virtio_blk *b, struct virtio_blk_info *out)
{
    *out = b->info;
}

keel_evtchn_port_t virtio_blk_port(const struct virtio_blk *b)
{
    return b->port;
}

void virtio_blk_counters(const struct virtio_blk *b,
                         struct virtio_blk_counters *out)
{
    *out = b->c;
}

/*
 * dom0's zero copy for blkback (docs/blk.md, "Zero copy"): a guest's
 * granted page pinned for the device (keel/grant_table.h
 * KEEL_GRANT_MAP_DEVICE; dom0 owns the virtio-blk function, so it may)
 * and the driver's scatter-gather submit over the pages' machine
 * addresses.  blkback keeps the pins (sdk/blkback/pin.c): these only
 * make the calls.
 */
#include <libos/hypercall.h>
#include <drivers/virtio_blk.h>
#include "disk_impl.h"
#include "hc.h"

_Static_assert(KEEL_BLK_SEGS_MAX <= VIRTIO_BLK_SEGS_MAX,
               "every request's segments fit one submit");

long disk_map_device(void *ctx, keel_domid_t domid, keel_grant_ref_t ref, bool read_only,
                     uint64_t *maddr, uint32_t *handle)
{
    struct keel_grant_map m = {
        .domid = domid, .ref = ref,
        .flags = (uint16_t)(KEEL_GRANT_MAP_DEVICE | (read_only ? KEEL_GRANT_MAP_READONLY : 0)) };
    long rc;

    (void)ctx;
    rc = keel_hypercall3(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_MAP, (uint64_t)(uintptr_t)&m, 0);
    if (rc < 0)
        return rc;
    *maddr = m.maddr;
    *handle = m.handle;
    return 0;
}

/* A failure means blkback lost track of a handle: said, since the frame
 * it pins stays pinned. */
void disk_unmap_device(void *ctx, uint32_t handle)
{
    long rc = keel_hypercall3(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_UNMAP, handle, 0);

    (void)ctx;
    if (rc)
        hc_log("disk: unpinning grant handle %u failed (%ld)", handle, rc);
}

int disk_submit_sg(void *dev, unsigned slot, unsigned op, uint64_t sector, uint32_t bytes,
                   const struct bb_seg *segs, unsigned nsegs)
{
    struct virtio_blk_request r = { .op = op, .sector = sector, .bytes = bytes };
    struct virtio_blk_seg vs[VIRTIO_BLK_SEGS_MAX];

    for (unsigned k = 0; k < nsegs; k++)
        vs[k] = (struct virtio_blk_seg){ segs[k].maddr, segs[k].len };
    return virtio_blk_submit_sg(dev, slot, &r, vs, nsegs);
}

/*
 * dom0's disk wiring, shared by disk.c (the device, blkback's operations,
 * the thread) and disk_vbd.c (the guest's virtual disk).
 */
#ifndef DOM0_DISK_IMPL_H
#define DOM0_DISK_IMPL_H

#include <stdbool.h>
#include <blkback/blkback.h>
#include "backend_ops.h"
#include "manifest.h"

/* The guest's virtual disk: blkback's part and the connection's. */
struct vbd {
    struct bb_vbd bb;                   /* blkback's, once added */
    struct backend_conn bc;
    struct keel_blk_settings settings;  /* as written into its entry */
    struct bb_disk *disk;               /* the device it is on */
    uint64_t first;                     /* its first sector there (a slice) */
    bool added;                         /* blkback serves it */
    bool refused;                       /* blkback would not: never again */
    bool gone;                          /* its guest ended: freed once idle */
};

/* disk.c: one virtio-blk function and blkback's disk over it */
#define DISK_DEVS_MAX 4
struct disk_dev {
    struct bb_disk bb;
    struct virtio_blk *blk;
    uint32_t bdf;
    keel_evtchn_port_t port;            /* its interrupt; 0: polled */
    volatile int event;                 /* an interrupt not yet looked at */
    volatile int test_status;           /* 1: the self test's read is out */
    bool serving;                       /* completions go to blkback */
    volatile uint64_t bench_done;       /* disk_bench: answers counted */
};
/* disk_bench.c: dom0 on the device directly (manifest `diskbench`) */
void disk_bench(struct disk_dev *d);
/* the run's manifest (its "disk" lines), from disk_attach */
extern const struct manifest *disk_mf;
/* blkback's disk at PCI 00:slot.0, or NULL */
struct bb_disk *disk_at_slot(uint32_t slot);
/* wake the thread (upcall-safe) */
void disk_wake(void);

/* disk_vbd.c: connect the guest's disk if it asked, serve it; from the
 * thread */
void disk_serve_vbd(void);

/* disk_zc.c: blkback's zero copy (bb_ops.map_device / unmap_device,
 * bb_dev_ops.submit_sg over the driver) */
long disk_map_device(void *ctx, keel_domid_t domid, keel_grant_ref_t ref, bool read_only,
                     uint64_t *maddr, uint32_t *handle);
void disk_unmap_device(void *ctx, uint32_t handle);
int disk_submit_sg(void *dev, unsigned slot, unsigned op, uint64_t sector, uint32_t bytes,
                   const struct bb_seg *segs, unsigned nsegs);

#endif /* DOM0_DISK_IMPL_H */

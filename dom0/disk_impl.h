/*
 * dom0's disk wiring, shared by disk.c (the device, blkback's operations,
 * the thread) and disk_vbd.c (the guest's virtual disk).
 */
#ifndef DOM0_DISK_IMPL_H
#define DOM0_DISK_IMPL_H

#include <stdbool.h>
#include <libos/conn.h>
#include <blkback/blkback.h>

/* The guest's virtual disk: blkback's part and the connection's. */
struct vbd {
    struct bb_vbd bb;                   /* blkback's, once added */
    struct libos_conn conn;             /* the mapper end */
    uint8_t *page[KEEL_BLK_RING_PAGES];
    keel_grant_handle_t handle[KEEL_BLK_RING_PAGES];
    struct keel_blk_settings settings;  /* as written into its entry */
    uint32_t domid;
    bool added;                         /* blkback serves it */
    bool refused;                       /* blkback would not: never again */
    bool warned;                        /* a map failure was said */
    volatile bool event;                /* an event not yet looked at */
};

/* disk.c: blkback's disk over the device (NULL-free once attached) */
extern struct bb_disk disk_bb;
extern bool disk_present;
/* wake the thread (upcall-safe) */
void disk_wake(void);

/* disk_vbd.c: connect the guest's disk if it asked, serve it; from the
 * thread */
void disk_serve_vbd(void);

#endif /* DOM0_DISK_IMPL_H */

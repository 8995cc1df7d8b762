/*
 * dom0's disk: the machine's virtio-blk function (sdk/drivers,
 * drivers/virtio_blk.h), when keel run --disk attached one, served to the
 * first guest through blkback (sdk/blkback; docs/blk.md).
 *
 *   disk_attach()       before the guests are built: take the function,
 *                       read its first sector (the whole path: queue, DMA,
 *                       interrupt), log it ("disk: 00:05.0 up ..." in
 *                       dom0's log, keel run -v); its size goes into the
 *                       first guest's device entry
 *   disk_start()        the thread that serves the device and the guest
 *   disk_plan / disk_connect / disk_detach   the builder's device hooks
 */
#ifndef DOM0_DISK_H
#define DOM0_DISK_H

#include <stdint.h>
#include "builder.h"
#include "manifest.h"

void disk_attach(const struct manifest *m);
/* 0, or -KEEL_E* when the thread cannot be created. */
int disk_start(void);

/* The first guest, if its image links blkfront (KEEL_NOTE_DEV_BLOCK) and
 * the machine has a disk: a KEEL_DEV_BLOCK entry for the whole disk.
 * 0, or -1 when the device page is full. */
int disk_plan(struct guest *g);
/* The mapper end of its entry (none: 0).  0 or -KEEL_E*. */
long disk_connect(struct guest *g);
void disk_detach(uint32_t domid);
/* At the end of the run: `timing -1 disk_zero_copy=N`, `disk_copied=N`
 * (READs and WRITEs each way), `disk_copy_calls=N`, if a guest used a disk. */
void disk_report(void);

#endif /* DOM0_DISK_H */

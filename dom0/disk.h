/*
 * dom0's disk: the machine's virtio-blk function (sdk/drivers,
 * drivers/virtio_blk.h), when keel run --disk attached one.
 *
 * A thread of its own takes it, reads its first sector once (which proves
 * the whole path: queue, DMA, the interrupt as an event), reports it
 * ("disk: 00:05.0 up: N sectors of S bytes, rw|ro, flush|no flush, ..."
 * in dom0's log, keel run -v), then serves its completions.  blkback will
 * sit on it (docs/blk.md).
 */
#ifndef DOM0_DISK_H
#define DOM0_DISK_H

/* 0, or -KEEL_E* when the thread cannot be created. */
int disk_start(void);

#endif /* DOM0_DISK_H */

/*
 * Inside blkback: vbd.c takes requests and completes them, answer.c
 * writes and publishes their answers, copy.c moves their data in batches
 * (one grant copy call for many requests), pin.c keeps the guest's pages
 * pinned for the device (zero copy).
 */
#ifndef BLKBACK_BB_IMPL_H
#define BLKBACK_BB_IMPL_H

#include <blkback/blkback.h>

/* answer.c */
void bb_respond(struct bb_vbd *vbd, const struct keel_blk_req *req, int status);
/* vbd.c: a device buffer came free: the first waiting vbd takes it. */
void bb_resume_waiting(struct bb_disk *d);

/* copy.c: slot's data (d->pend[slot], on no device) moves at the next
 * bb_batch_run: a write's into the slot, then it goes to the device; a
 * read's out of it, then it is answered. */
void bb_batch_add(struct bb_disk *d, unsigned slot);
/* The slot's request ends here: its pins put, answered with status, the
 * slot given back. */
void bb_finish(struct bb_disk *d, unsigned slot, int status);
/* One copy call for every slot added (more when their segments pass
 * KEEL_GRANT_COPY_MAX), then each write submitted, each read answered;
 * true if a write went to the device (kick it).  Slots of a vbd stopped
 * meanwhile move no data. */
bool bb_batch_run(struct bb_disk *d);

/* pin.c: zero copy (blkback.h).  The disk can: its ops and device have
 * the pin and scatter-gather calls. */
bool bb_zero_copy(const struct bb_disk *d);
void bb_pins_init(struct bb_pins *ps);
/* Pin each segment of p->req (a READ or WRITE of vbd) for the device:
 * true with segs[] and p->pin[] filled, p->pinned; false with nothing
 * held (its data is copied instead). */
bool bb_pins_take(struct bb_vbd *vbd, struct bb_pending *p, struct bb_seg *segs);
/* The device is done with p's pages (none if !p->pinned). */
void bb_pins_put(struct bb_vbd *vbd, struct bb_pending *p);
/* Unpin every entry no request uses (the vbd is cut or stopped). */
void bb_pins_drop_idle(struct bb_vbd *vbd);

#endif /* BLKBACK_BB_IMPL_H */

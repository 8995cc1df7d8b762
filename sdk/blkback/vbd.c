/*
 * blkback's data path (blkback.h): take, check, copy, submit; complete,
 * copy back, answer.
 *
 * A request's life: copied out of the ring (keel/ring.h), checked
 * (bb_check: nothing touches the device before), given a device buffer
 * (a slot), a write's data grant-copied in (a bad grant reference is
 * KEEL_BLK_ERROR, the device untouched), submitted.  At completion a
 * read's data is grant-copied out, then the response is put.  The copies
 * go in batches (copy.c): a poll's writes at its end, a turn's reads at
 * bb_disk_release.  With zero copy (pin.c) a READ's or WRITE's pages are
 * pinned and handed to the device instead: submitted at once, answered
 * at its completion, nothing copied.  A DISCARD has no data: its range
 * goes to the device in pieces of the device's most (discard_piece), the
 * next sent when the last completes, on the same slot.  The slot
 * remembers the checked copy of the request (disk->pend), so nothing the
 * guest writes to its ring later changes what is done or answered.
 */
#include <string.h>
#include <keel/abi.h>
#include "bb_impl.h"

#define BB_LOG(d, ...) do { if ((d)->ops->log) (d)->ops->log((d)->ctx, __VA_ARGS__); } while (0)

int bb_disk_init(struct bb_disk *disk, const struct bb_ops *ops,
                 const struct bb_dev_ops *dev_ops, void *dev,
                 const struct bb_dev_info *info, void *ctx)
{
    if (!info->sectors || info->sector_size < KEEL_BLK_SECTOR ||
        info->max_bytes < KEEL_PAGE_SIZE)
        return -KEEL_EINVAL;
    /* pieces of max_discard stay aligned to the sector */
    if (info->discard && (!dev_ops->discard || !info->max_discard ||
                          info->max_discard % (info->sector_size / KEEL_BLK_SECTOR)))
        return -KEEL_EINVAL;
    *disk = (struct bb_disk){ .ops = ops, .dev_ops = dev_ops, .dev = dev,
                              .info = *info, .ctx = ctx };
    return 0;
}

int bb_vbd_init(struct bb_vbd *vbd, struct bb_disk *disk,
                const struct bb_vbd_conf *conf)
{
    const struct keel_blk_settings *s = conf->settings;
    struct keel_blk_settings fresh;

    if (s->version != KEEL_BLK_VERSION || (s->flags & ~KEEL_BLK_F_KNOWN) ||
        bb_settings(&disk->info, conf->first, s->sectors, s->flags & KEEL_BLK_F_RO,
                    &fresh) || s->sector_size != fresh.sector_size ||
        !s->max_segs || s->max_segs > fresh.max_segs ||
        ((s->flags & KEEL_BLK_F_DISCARD) && !(fresh.flags & KEEL_BLK_F_DISCARD)))
        return -KEEL_EINVAL;
    memset(vbd, 0, sizeof(*vbd));
    vbd->disk = disk;
    vbd->s = *s;
    vbd->first = conf->first;
    vbd->port = conf->port;
    vbd->domid = conf->domid;
    vbd->page = conf->page[0];
    bb_pins_init(&vbd->pins);
    return keel_blk_back_init(&vbd->ring, conf->page[1], KEEL_PAGE_SIZE) ?
           -KEEL_EINVAL : 0;
}

static void cut(struct bb_vbd *vbd, enum bb_reason why)
{
    if (vbd->state == BB_CUT)
        return;
    vbd->state = BB_CUT;
    vbd->reason = (uint8_t)why;
    vbd->page->hdr.mapper_state = KEEL_CONN_CLOSED;
    bb_pins_drop_idle(vbd);
    BB_LOG(vbd->disk, "blkback: domain %u cut off: %s", vbd->domid,
           why == BB_RING_CORRUPT ? "its ring's producer index is corrupt" :
                                    "its state word is garbage");
}

/* Page 0's copies only while live: a cut vbd's pages may be unmapped;
 * off the owed list, since the caller may free it; its pins go as soon
 * as the device is done with them (pin.c). */
void bb_vbd_stop(struct bb_vbd *vbd)
{
    vbd->state = BB_CUT;
    bb_pins_drop_idle(vbd);
    for (struct bb_vbd **pp = vbd->owes ? &vbd->disk->owed : NULL; pp && *pp;
         pp = &(*pp)->next_owed)
        if (*pp == vbd) {
            *pp = vbd->next_owed;
            break;
        }
    vbd->owes = false;
}

static unsigned io_op(uint8_t op)
{
    return op == KEEL_BLK_OP_READ ? BB_IO_READ :
           op == KEEL_BLK_OP_WRITE ? BB_IO_WRITE : BB_IO_FLUSH;
}

static void count_path(struct bb_vbd *vbd, bool zero_copy)
{
    if (zero_copy) {
        vbd->c.zero_copy++;
        vbd->disk->zero_copy++;
    } else {
        vbd->c.copied++;
        vbd->disk->copied++;
    }
}

/* The next piece of p's DISCARD (on slot) to the device: at most
 * max_discard sectors from where the last piece ended.  0 or -KEEL_E*. */
static int discard_piece(struct bb_disk *d, unsigned slot, struct bb_pending *p)
{
    uint32_t left = p->req.nr_sectors - p->discarded;
    uint32_t n = left < d->info.max_discard ? left : d->info.max_discard;
    uint64_t sector = p->vbd->first + p->req.sector + p->discarded;

    p->discarded += n;
    return d->dev_ops->discard(d->dev, slot, sector, n);
}

/* p (on slot) to the device: 0 or -KEEL_E*. */
static int submit(struct bb_disk *d, unsigned slot, struct bb_pending *p,
                  const struct bb_seg *segs)
{
    const struct keel_blk_req *req = &p->req;
    uint64_t sector = req->op == KEEL_BLK_OP_FLUSH ? 0 : p->vbd->first + req->sector;

    if (req->op == KEEL_BLK_OP_DISCARD)
        return discard_piece(d, slot, p);
    if (p->pinned)
        return d->dev_ops->submit_sg(d->dev, slot, io_op(req->op), sector, p->bytes,
                                     segs, req->nr_segs);
    return d->dev_ops->submit(d->dev, slot, io_op(req->op), sector, p->bytes);
}

/* req is checked.  false: no device buffer (keep req, try again later).
 * A READ or WRITE whose pages pin goes to the device at once with them;
 * else a write is copied in at the batch's run, a read copied out at its
 * completion. */
static bool start(struct bb_vbd *vbd, const struct keel_blk_req *req, uint32_t bytes)
{
    struct bb_disk *d = vbd->disk;
    int slot = d->dev_ops->slot_get(d->dev);

    if (slot < 0 || (unsigned)slot >= BB_SLOTS_MAX) {
        if (slot >= 0)
            d->dev_ops->slot_put(d->dev, (unsigned)slot);
        return false;
    }
    struct bb_pending *p = &d->pend[slot];
    struct bb_seg segs[KEEL_BLK_SEGS_MAX];
    *p = (struct bb_pending){ .vbd = vbd, .req = *req, .bytes = bytes };
    vbd->inflight++;
    if (req->op == KEEL_BLK_OP_READ || req->op == KEEL_BLK_OP_WRITE)
        count_path(vbd, bb_zero_copy(d) && bb_pins_take(vbd, p, segs));
    if (req->op == KEEL_BLK_OP_WRITE && !p->pinned) {
        bb_batch_add(d, (unsigned)slot);     /* copied in, then submitted */
        return true;
    }
    if (d->nbatch)
        bb_batch_run(d);        /* writes taken before it go first */
    int rc = submit(d, (unsigned)slot, p, segs);
    if (rc == -KEEL_ENOSPC) {       /* the device's ring is full: wait as for a buffer */
        bb_pins_put(vbd, p);
        p->vbd = NULL;
        vbd->inflight--;
        d->dev_ops->slot_put(d->dev, (unsigned)slot);
        return false;
    }
    if (rc)
        bb_finish(d, (unsigned)slot, KEEL_BLK_EIO);
    return true;
}

/* Serve one request taken from the ring.  false: it waits for a buffer. */
static bool serve(struct bb_vbd *vbd, const struct keel_blk_req *req)
{
    uint32_t bytes;
    int st = bb_check(&vbd->s, req, &bytes);

    if (st == KEEL_BLK_OK && req->op == KEEL_BLK_OP_FLUSH && !vbd->disk->info.flush)
        st = KEEL_BLK_OK;          /* no cache: nothing to wait for */
    else if (st == KEEL_BLK_OK)
        return start(vbd, req, bytes);
    bb_respond(vbd, req, st);
    return true;
}

static void wait_for_buffer(struct bb_vbd *vbd, const struct keel_blk_req *req)
{
    struct bb_vbd **pp = &vbd->disk->waiting;

    vbd->held = *req;
    vbd->has_held = true;
    vbd->c.waits++;
    while (*pp)
        pp = &(*pp)->next_waiting;
    *pp = vbd;
    vbd->next_waiting = NULL;
}

int bb_vbd_poll(struct bb_vbd *vbd)
{
    struct keel_blk_req req;
    int n = 0, rc;

    if (vbd->state == BB_CUT || vbd->has_held)
        return 0;
    if (vbd->page->hdr.granter_state > KEEL_CONN_CLOSED) {
        cut(vbd, BB_BAD_STATE_WORD);
        if (bb_batch_run(vbd->disk))    /* a resumed write of another's */
            vbd->disk->dev_ops->kick(vbd->disk->dev);
        return 0;
    }
    for (;;) {
        while ((rc = keel_blk_back_take_req(&vbd->ring, &req)) == 1) {
            n++;
            if (!serve(vbd, &req)) {
                wait_for_buffer(vbd, &req);
                bb_batch_run(vbd->disk);
                vbd->disk->dev_ops->kick(vbd->disk->dev);
                return n;
            }
        }
        if (rc == 0 && (rc = keel_blk_back_final_check(&vbd->ring)) == 1)
            continue;
        break;
    }
    if (rc == KEEL_RING_CORRUPT)
        cut(vbd, BB_RING_CORRUPT);
    bb_batch_run(vbd->disk);
    vbd->disk->dev_ops->kick(vbd->disk->dev);
    return n;
}

static int blk_status(int dev_status)
{
    return dev_status == 0 ? KEEL_BLK_OK :
           dev_status == -KEEL_ENOSYS ? KEEL_BLK_NOTSUPP : KEEL_BLK_EIO;
}

/* v leaves the list before its start: a start may run the batch of
 * reads, whose answers free buffers and resume the next waiter, not v
 * again (its request would be done and answered twice). */
void bb_resume_waiting(struct bb_disk *d)
{
    struct bb_vbd *v;
    uint32_t bytes;

    while ((v = d->waiting) && v->state == BB_CUT) {
        d->waiting = v->next_waiting;
        v->has_held = false;
    }
    if (!v)
        return;
    d->waiting = v->next_waiting;
    bb_check(&v->s, &v->held, &bytes);
    if (!start(v, &v->held, bytes)) {
        v->next_waiting = d->waiting;      /* no buffer after all: still first */
        d->waiting = v;
        return;
    }
    v->has_held = false;
    bb_vbd_poll(v);
}

void bb_disk_done(struct bb_disk *d, unsigned slot, int status)
{
    if (slot >= BB_SLOTS_MAX || !d->pend[slot].vbd)
        return;
    struct bb_pending p = d->pend[slot];
    int st = blk_status(status);

    /* a DISCARD's next piece on the same buffer: answered after its last;
     * not for a vbd cut meanwhile (its answer is dropped anyway) */
    if (st == KEEL_BLK_OK && p.req.op == KEEL_BLK_OP_DISCARD && p.vbd->state != BB_CUT &&
        p.discarded < p.req.nr_sectors) {
        if (discard_piece(d, slot, &d->pend[slot]) == 0) {
            d->dev_ops->kick(d->dev);
            return;
        }
        st = KEEL_BLK_EIO;
    }
    /* a pinned read's data is in the guest's page already */
    if (!p.pinned && st == KEEL_BLK_OK && p.req.op == KEEL_BLK_OP_READ &&
        p.vbd->state != BB_CUT) {
        bb_batch_add(d, slot);           /* copied out, then answered */
        if (!d->holding && bb_batch_run(d))
            d->dev_ops->kick(d->dev);
        return;
    }
    bb_finish(d, slot, st);
    bb_resume_waiting(d);
}

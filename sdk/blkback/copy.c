/*
 * blkback's data moves (bb_impl.h): one grant copy call for a batch of
 * requests.  Under TCG a hypercall costs microseconds, about what copying
 * a 4 KiB request's data does, so at depth 32 one call a request was
 * half of the work; now one call moves every write a poll took and every
 * read a turn of the disk's thread completed (docs/blk.md, "Measured").
 */
#include <keel/abi.h>
#include "bb_impl.h"

/* p's segments into g, between the guest's pages and buf; how many. */
static unsigned segments(const struct bb_pending *p, uint8_t *buf, struct keel_grant_copy *g)
{
    bool to_guest = p->req.op == KEEL_BLK_OP_READ;
    size_t off = 0;

    for (unsigned i = 0; i < p->req.nr_segs; i++) {
        const struct keel_blk_seg *s = &p->req.seg[i];
        uint16_t len = (uint16_t)((s->last_sect - s->first_sect + 1) * KEEL_BLK_SECTOR);
        struct keel_grant_copy_ptr guest = {
            .ref = s->gref, .domid = p->vbd->domid,
            .offset = (uint16_t)(s->first_sect * KEEL_BLK_SECTOR) };
        struct keel_grant_copy_ptr mine = { .gva = (uint64_t)(uintptr_t)(buf + off) };
        g[i] = (struct keel_grant_copy){
            .src = to_guest ? mine : guest, .dst = to_guest ? guest : mine,
            .len = len,
            .flags = to_guest ? KEEL_GRANT_COPY_DST_GREF : KEEL_GRANT_COPY_SRC_GREF };
        off += len;
    }
    return p->req.nr_segs;
}

void bb_batch_add(struct bb_disk *d, unsigned slot)
{
    d->batch[d->nbatch++] = (uint8_t)slot;
}

/* Copy slots[from..to) (live ones), ok[] per slot; returns to. */
static unsigned copy_some(struct bb_disk *d, const uint8_t *slots, unsigned from,
                          unsigned n, bool *ok)
{
    struct keel_grant_copy g[KEEL_GRANT_COPY_MAX];
    unsigned to = from, ns = 0;

    for (; to < n; to++) {
        const struct bb_pending *p = &d->pend[slots[to]];
        if (p->vbd->state == BB_CUT)
            continue;
        if (ns + p->req.nr_segs > KEEL_GRANT_COPY_MAX)
            break;
        ns += segments(p, d->dev_ops->slot_data(d->dev, slots[to]), g + ns);
    }
    long rc = ns ? d->ops->copy(d->ctx, g, ns) : 0;
    d->copy_calls += ns != 0;
    for (unsigned k = from, s = 0; k < to; k++) {
        const struct bb_pending *p = &d->pend[slots[k]];
        ok[k] = false;
        if (p->vbd->state == BB_CUT)
            continue;
        ok[k] = rc >= 0;
        for (unsigned i = 0; i < p->req.nr_segs; i++, s++)
            ok[k] &= g[s].status == 0;
    }
    return to;
}

void bb_finish(struct bb_disk *d, unsigned slot, int status)
{
    struct bb_pending p = d->pend[slot];

    bb_pins_put(p.vbd, &d->pend[slot]);
    d->pend[slot].vbd = NULL;
    p.vbd->inflight--;
    d->dev_ops->slot_put(d->dev, slot);
    bb_respond(p.vbd, &p.req, status);
}

/* A write copied (ok) goes to the device; one that was not, or that the
 * device refuses, is answered now. */
static bool submit_write(struct bb_disk *d, unsigned slot, bool ok)
{
    const struct bb_pending *p = &d->pend[slot];

    if (ok && !d->dev_ops->submit(d->dev, slot, BB_IO_WRITE, p->vbd->first + p->req.sector,
                                  p->bytes))
        return true;
    bb_finish(d, slot, ok ? KEEL_BLK_EIO : KEEL_BLK_ERROR);
    return false;
}

bool bb_batch_run(struct bb_disk *d)
{
    uint8_t slots[BB_SLOTS_MAX];
    bool ok[BB_SLOTS_MAX], kick = false;
    unsigned n = d->nbatch;

    /* taken first: answering a read resumes a waiting vbd, whose poll
     * starts (and runs) a batch of its own */
    for (unsigned k = 0; k < n; k++)
        slots[k] = d->batch[k];
    d->nbatch = 0;
    for (unsigned k = 0; k < n;)
        k = copy_some(d, slots, k, n, ok);
    for (unsigned k = 0; k < n; k++) {
        if (d->pend[slots[k]].req.op == KEEL_BLK_OP_WRITE) {
            kick |= submit_write(d, slots[k], ok[k]);
            continue;
        }
        bb_finish(d, slots[k], ok[k] ? KEEL_BLK_OK : KEEL_BLK_ERROR);
        bb_resume_waiting(d);
    }
    return kick;
}

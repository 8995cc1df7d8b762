/*
 * blkback's answers (blkback.h): each request taken gets exactly one,
 * counted, written into the guest's ring, and published at once or, while
 * the disk is held (a turn of the caller's thread), at bb_disk_release:
 * one push and at most one event per guest for a batch of completions.
 */
#include <keel/abi.h>
#include "bb_impl.h"

static void publish(struct bb_vbd *vbd)
{
    if (keel_blk_back_push(&vbd->ring))
        vbd->disk->ops->notify(vbd->disk->ctx, vbd->port);
}

void bb_disk_hold(struct bb_disk *d)
{
    d->holding = true;
}

void bb_disk_release(struct bb_disk *d)
{
    struct bb_vbd *v;

    if (bb_batch_run(d))
        d->dev_ops->kick(d->dev);
    v = d->owed;
    d->holding = false;
    d->owed = NULL;
    for (; v; v = v->next_owed) {
        v->owes = false;
        if (v->state != BB_CUT)
            publish(v);
    }
}

static void count(struct bb_vbd *vbd, uint8_t op, int status)
{
    struct bb_counters *c = &vbd->c;
    bool live = vbd->state != BB_CUT;

    if (status == KEEL_BLK_ERROR) {
        c->errors++;
        if (live)
            vbd->page->errors = c->errors;
    } else if (status == KEEL_BLK_EIO) {
        c->io_errors++;
        if (live)
            vbd->page->io_errors = c->io_errors;
    } else if (status != KEEL_BLK_OK)
        c->refused++;
    else if (op == KEEL_BLK_OP_READ)
        c->reads++;
    else if (op == KEEL_BLK_OP_WRITE)
        c->writes++;
    else if (op == KEEL_BLK_OP_DISCARD)
        c->discards++;
    else
        c->flushes++;
}

/* The answer to req: a response slot is there, since every request taken
 * gets exactly one. */
void bb_respond(struct bb_vbd *vbd, const struct keel_blk_req *req, int status)
{
    count(vbd, req->op, status);
    if (vbd->state == BB_CUT)
        return;
    struct keel_blk_rsp *r = keel_blk_back_next_rsp(&vbd->ring);
    *r = (struct keel_blk_rsp){ .id = req->id, .op = req->op, .status = (int16_t)status };
    if (!vbd->disk->holding)
        publish(vbd);
    else if (!vbd->owes) {
        vbd->owes = true;
        vbd->next_owed = vbd->disk->owed;
        vbd->disk->owed = vbd;
    }
}

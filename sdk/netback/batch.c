/*
 * One poll (nb_impl.h has the picture):
 *   gather   from the ready interfaces, round-robin: the frames held for
 *            each (into buffers it posted since: a copy-out segment each),
 *            then its tx requests, at most NB_QUANTUM a turn, NB_BATCH
 *            frames in all; check each request and add a copy-in segment
 *            (guest page -> staging page)
 *   copy in  one grant copy call for the batch
 *   switch   each staged frame (switch.c): deliveries claim an rx buffer
 *            and add a copy-out segment (staging -> guest page), uplink
 *            frames are listed
 *   copy out one more call (at most one delivery per frame: <= NB_BATCH)
 *   finish   rx answers, tx answers (in the order taken), the uplink's
 *            frames in one call, then one push and at most one event per
 *            interface touched
 * A flooding guest gets NB_QUANTUM of a batch per turn and then waits
 * behind every other interface with work: another's frame waits behind at
 * most NB_QUANTUM frames of each interface ahead of it, never a backlog.
 */
#include "nb_impl.h"

void nb_batch_reset(struct nb_batch *b)
{
    b->ntx = b->nrx = b->nin = b->nout = b->nup = b->ntouched = b->nreleased = 0;
}

void nb_touch(struct nb_switch *sw, struct nb_if *vif)
{
    if (!(vif->flags & NB_F_TOUCHED)) {
        vif->flags |= NB_F_TOUCHED;
        sw->b->touched[sw->b->ntouched++] = vif;
    }
}

/* An executor that fails as a whole leaves every segment failed. */
void nb_copy(struct nb_switch *sw, struct keel_grant_copy *seg, unsigned n)
{
    long rc;

    if (!n)
        return;
    rc = sw->ops->copy(sw->ctx, seg, n);
    sw->st.copy_calls++;
    sw->st.copy_segs += n;
    if (rc < 0)
        for (unsigned i = 0; i < n; i++)
            seg[i].status = (int32_t)rc;
}

static void stage(struct nb_switch *sw, struct nb_if *vif, const struct keel_net_tx_req *req)
{
    struct nb_batch *b = sw->b;
    struct nb_txent *e = &b->tx[b->ntx];

    *e = (struct nb_txent){ .src = vif, .buf = b->stage[b->ntx], .id = req->id,
                            .len = req->size, .status = nb_tx_check(vif, req), .seg = -1 };
    b->ntx++;
    if (e->status != KEEL_NET_OK)
        return;
    e->seg = (int16_t)b->nin;
    b->in[b->nin++] = (struct keel_grant_copy){
        .src = { .ref = req->gref, .domid = vif->domid, .offset = req->offset },
        .dst = { .gva = (uintptr_t)e->buf },
        .len = req->size, .flags = KEEL_GRANT_COPY_SRC_GREF, .status = -KEEL_EIO };
}

/* Room for one more tx request: each may deliver one frame, so the frames
 * taken and the deliveries already listed stay within NB_BATCH. */
static bool batch_has_room(const struct nb_batch *b)
{
    return b->ntx + b->nrx < NB_BATCH;
}

/* One turn of vif: the frames held for it (hold.c), then up to NB_QUANTUM
 * tx requests.  Back to the end of the ready list if it may have more, off
 * the lists once drained. */
static void take_turn(struct nb_switch *sw, struct nb_if *vif)
{
    struct keel_net_tx_req req;
    bool rx_more = vif->hq && nb_hold_deliver(sw, vif);
    unsigned n = 0;
    int rc = 1;

    if (vif->state != NB_LIVE)
        return;
    while (n < NB_QUANTUM && batch_has_room(sw->b) && (rc = nb_tx_take(sw, vif, &req)) > 0) {
        stage(sw, vif, &req);
        n++;
    }
    if (rc > 0 || (rc == 0 && rx_more))
        nb_ready_append(sw, vif);
    else if (rc == 0)
        nb_tx_idle(sw, vif);
}

static void gather(struct nb_switch *sw)
{
    struct nb_if *vif;

    nb_inbox_drain(sw);
    while (batch_has_room(sw->b) && (vif = nb_ready_pop(sw)))
        if (vif->state == NB_LIVE && nb_state_word_ok(sw, vif))
            take_turn(sw, vif);
}

static void switch_staged(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;

    for (unsigned i = 0; i < b->ntx; i++) {
        struct nb_txent *e = &b->tx[i];
        if (e->status != KEEL_NET_OK || e->src->state != NB_LIVE)
            continue;
        if (b->in[e->seg].status != 0)
            e->status = KEEL_NET_ERROR;     /* a grant the copy could not use */
        else
            e->status = nb_switch_guest_frame(sw, e);
    }
}

int nb_switch_poll(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;

    if (sw->busy)
        return -KEEL_EBUSY;
    sw->busy = 1;
    sw->st.polls++;
    nb_hold_expire(sw);
    nb_batch_reset(b);
    gather(sw);
    nb_copy(sw, b->in, b->nin);
    switch_staged(sw);
    nb_copy(sw, b->out, b->nout);
    nb_batch_finish(sw);
    sw->busy = 0;
    return nb_pending_any(sw);
}

int nb_switch_from_uplink(struct nb_switch *sw, const struct nb_frame *f, unsigned n)
{
    struct nb_batch *b = sw->b;

    if (sw->busy)
        return -KEEL_EBUSY;
    sw->busy = 1;
    nb_hold_expire(sw);
    while (n) {
        unsigned k = n < NB_BATCH ? n : NB_BATCH;
        nb_batch_reset(b);
        for (unsigned i = 0; i < k; i++)
            nb_switch_uplink_frame(sw, &f[i], b->stage[i]);
        nb_copy(sw, b->out, b->nout);
        nb_batch_finish(sw);
        f += k;
        n -= k;
    }
    sw->busy = 0;
    return nb_pending_any(sw);
}

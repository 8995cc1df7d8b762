/*
 * The output side of a batch: frames for guests (an rx buffer claimed and
 * a copy-out segment each), frames for the uplink, and the answers and
 * events once the copies are done.
 */
#include "nb_impl.h"

/* frame into the buffer req names (usable: nb_rx_claim said 1), or the
 * buffer answered KEEL_NET_ERROR; frame stays valid until the batch's
 * copies are done. */
void nb_add_rx(struct nb_switch *sw, struct nb_if *dst, const struct keel_net_rx_req *req,
               bool usable, const uint8_t *frame, uint16_t len)
{
    struct nb_batch *b = sw->b;
    struct nb_rxent *e = &b->rx[b->nrx++];

    *e = (struct nb_rxent){ .dst = dst, .id = req->id, .offset = req->offset, .len = len,
                            .status = KEEL_NET_ERROR, .seg = -1 };
    if (!usable)
        return;
    e->seg = (int16_t)b->nout;
    b->out[b->nout++] = (struct keel_grant_copy){
        .src = { .gva = (uintptr_t)frame },
        .dst = { .ref = req->gref, .domid = dst->domid, .offset = req->offset },
        .len = len, .flags = KEEL_GRANT_COPY_DST_GREF, .status = -KEEL_EIO };
}

/* A frame of dom0's (staged, built, or the NIC's) for dst: into dst's
 * oldest posted buffer, or held until it posts one (hold.c; behind the
 * frames held already).  Lost, and counted at dst, when it cannot be
 * held, when dst posted a buffer too small, or has an MTU the frame
 * exceeds. */
void nb_deliver(struct nb_switch *sw, struct nb_if *dst, const uint8_t *frame, uint16_t len)
{
    struct keel_net_rx_req req;
    int rc;

    if (sw->b->nrx == NB_BATCH)     /* cannot happen: one delivery per frame */
        return;
    if (dst->state != NB_LIVE)
        return;
    if (len > KEEL_NET_MAX_FRAME(dst->mtu)) {
        nb_count_rx_lost(dst, true);
        return;
    }
    if (dst->hq) {
        nb_hold(sw, dst, frame, len);
        return;
    }
    if ((rc = nb_rx_claim(sw, dst, &req)) == -2)
        return;
    if (rc == 0)
        nb_hold(sw, dst, frame, len);
    else
        nb_add_rx(sw, dst, &req, rc > 0, frame, len);
}

/* frame stays valid until the batch's end, where the uplink gets it. */
void nb_to_uplink(struct nb_switch *sw, const uint8_t *frame, uint16_t len)
{
    struct nb_batch *b = sw->b;

    if (sw->ops->uplink_tx && b->nup < NB_BATCH)
        b->up[b->nup++] = (struct nb_frame){ frame, len };
}

static void answer_rx(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;

    for (unsigned i = 0; i < b->nrx; i++) {
        struct nb_rxent *e = &b->rx[i];
        if (e->dst->state != NB_LIVE)
            continue;           /* cut off since: its ring is not ours to write */
        if (e->seg >= 0)
            e->status = b->out[e->seg].status ? KEEL_NET_ERROR : (int16_t)e->len;
        nb_rx_answer(sw, e->dst, e);
    }
}

static void answer_tx(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;

    for (unsigned i = 0; i < b->ntx; i++) {
        struct nb_txent *e = &b->tx[i];
        if (e->src->state == NB_LIVE) {
            nb_tx_answer(sw, e->src, e->id, e->status);
            sw->st.tx_frames++;
        }
    }
}

static void flush_uplink(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;
    unsigned took;

    if (!b->nup)
        return;
    took = sw->ops->uplink_tx(sw->ctx, b->up, b->nup);
    if (took > b->nup)
        took = b->nup;
    sw->st.uplink_tx += took;
    sw->st.uplink_tx_lost += b->nup - took;
}

void nb_batch_finish(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;

    answer_rx(sw);
    nb_hold_release_batch(sw);
    answer_tx(sw);
    flush_uplink(sw);
    for (unsigned i = 0; i < b->ntouched; i++)
        nb_push(sw, b->touched[i]);
}

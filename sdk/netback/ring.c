/*
 * An interface's two rings (keel/ring.h does the index arithmetic and the
 * distrust of the guest's producer indices; this file decides what a
 * request means and when the guest hears about responses).
 *
 * tx: requests are taken in batches and every one is answered in the same
 * batch, in the order taken; when the ring is empty the backend asks for
 * an event at the next request (final check), so a guest that keeps its
 * ring busy sends no events at all.
 *
 * rx: the ring itself is the queue of posted buffers.  A request is taken
 * only when a frame for the guest is there, so buffers are used in the
 * order posted and answered in that order, and the backend keeps no list
 * of its own.  It asks for an event on new rx requests only while it holds
 * frames for want of buffers (hold.c); otherwise it reads the ring when it
 * has something to put in it.
 */
#include "nb_impl.h"

/* 1 with a request, 0 if none, -1 if the interface was cut off. */
int nb_tx_take(struct nb_switch *sw, struct nb_if *vif, struct keel_net_tx_req *req)
{
    int rc = keel_net_tx_back_take_req(&vif->tx, req);

    if (rc == KEEL_RING_CORRUPT) {
        nb_cut_off(sw, vif, NB_TX_RING_CORRUPT);
        return -1;
    }
    return rc;
}

/* keel/net.h's rules on the request's own fields (the grant reference is
 * checked by the copy). */
int16_t nb_tx_check(const struct nb_if *vif, const struct keel_net_tx_req *req)
{
    if (req->flags != 0)
        return KEEL_NET_ERROR;
    if (req->size < KEEL_NET_MIN_FRAME || req->size > KEEL_NET_MAX_FRAME(vif->mtu))
        return KEEL_NET_ERROR;
    if ((uint32_t)req->offset + req->size > KEEL_PAGE_SIZE)
        return KEEL_NET_ERROR;
    return KEEL_NET_OK;
}

/* The ring looked empty: leave the lists, ask for an event, look again.
 * queued is cleared before the final check so that an event coming after
 * it queues the interface again instead of being swallowed. */
void nb_tx_idle(struct nb_switch *sw, struct nb_if *vif)
{
    int rc;

    __atomic_store_n(&vif->queued, 0, __ATOMIC_SEQ_CST);
    rc = keel_net_tx_back_final_check(&vif->tx);
    if (rc == KEEL_RING_CORRUPT)
        nb_cut_off(sw, vif, NB_TX_RING_CORRUPT);
    else if (rc > 0)
        nb_switch_kick(sw, vif);
}

void nb_tx_answer(struct nb_switch *sw, struct nb_if *vif, uint16_t id, int16_t status)
{
    struct keel_net_tx_rsp *r = keel_net_tx_back_next_rsp(&vif->tx);

    if (!r)                     /* every request taken is answered once */
        return;
    r->id = id;
    r->status = status;
    nb_count_tx(vif, status);
    vif->flags |= NB_F_TX_RSP;
    nb_touch(sw, vif);
}

/* The guest's oldest posted buffer, for a frame of ours: 1 if usable, 0 if
 * none is posted, -1 if it must be answered KEEL_NET_ERROR (too
 * little room: keel/net.h wants KEEL_NET_MAX_FRAME(mtu) from the offset),
 * -2 if the interface is (now) cut off. */
int nb_rx_claim(struct nb_switch *sw, struct nb_if *vif, struct keel_net_rx_req *req)
{
    int rc;

    if (vif->state != NB_LIVE)
        return -2;
    rc = keel_net_rx_back_take_req(&vif->rx, req);
    if (rc == KEEL_RING_CORRUPT) {
        nb_cut_off(sw, vif, NB_RX_RING_CORRUPT);
        return -2;
    }
    if (rc == 0)
        return 0;
    if ((uint32_t)req->offset + KEEL_NET_MAX_FRAME(vif->mtu) > KEEL_PAGE_SIZE)
        return -1;
    return 1;
}

void nb_rx_answer(struct nb_switch *sw, struct nb_if *vif, const struct nb_rxent *e)
{
    struct keel_net_rx_rsp *r = keel_net_rx_back_next_rsp(&vif->rx);

    if (!r)
        return;
    r->id = e->id;
    r->offset = e->offset;
    r->status = e->status;
    r->flags = 0;
    if (e->status > 0)
        vif->c.rx_delivered++;
    else
        nb_count_rx_lost(vif, true);
    vif->flags |= NB_F_RX_RSP;
    nb_touch(sw, vif);
}

/* Publish what this batch answered; one event at most, and only if the
 * guest asked for one on either ring. */
void nb_push(struct nb_switch *sw, struct nb_if *vif)
{
    int notify = 0;

    if (vif->flags & NB_F_TX_RSP)
        notify |= keel_net_tx_back_push(&vif->tx);
    if (vif->flags & NB_F_RX_RSP)
        notify |= keel_net_rx_back_push(&vif->rx);
    vif->flags &= (uint8_t)~(NB_F_TX_RSP | NB_F_RX_RSP | NB_F_TOUCHED);
    if (notify)
        sw->ops->notify(sw->ctx, vif->port);
}

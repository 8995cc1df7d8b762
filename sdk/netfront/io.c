/*
 * The data path (raw.h, nf_impl.h): the rings set up, transmit buffers
 * out and back, receive buffers posted and taken, and the raw API on top.
 *
 * Notifications: a push notifies only when the backend asked
 * (keel/ring.h), so a burst of frames costs one event; we ask for events
 * only when we are about to sleep (netfront_wait's final checks).  A
 * backend that corrupts a ring index, or says CLOSED, ends the interface
 * for us (-KEEL_EPIPE); nothing read from the rings is followed unchecked.
 * A backend that comes back under a new mapper_epoch gets fresh rings
 * (keel/net.h, "Restart"), noticed wherever the state word is read.
 */
#include <string.h>
#include "nf_impl.h"

/* Fresh rings and counters in the pages (we own them; the backend
 * resumes from them), every transmit buffer free, every receive buffer
 * posted. */
void nf_rings_init(struct netfront *nf)
{
    struct keel_net_tx_sring *ts = (void *)nf->page[1];
    struct keel_net_rx_sring *rs = (void *)nf->page[2];

    nf->pg = (struct keel_net_page *)nf->page[0];
    nf->pg->tx_dropped = nf->pg->tx_errors = nf->pg->rx_no_buffer = 0;
    keel_net_tx_sring_init(ts);
    keel_net_rx_sring_init(rs);
    keel_net_tx_front_init(&nf->tx, ts, KEEL_PAGE_SIZE);
    keel_net_rx_front_init(&nf->rx, rs, KEEL_PAGE_SIZE);
    for (unsigned i = 0; i < NETFRONT_TX_BUFS; i++)
        nf->tx_free[i] = (uint16_t)(NETFRONT_TX_BUFS - 1 - i);
    nf->ntx_free = NETFRONT_TX_BUFS;
    for (unsigned i = 0; i < NETFRONT_RX_BUFS; i++)
        nf_rx_post(nf, i);
    keel_net_rx_front_push(&nf->rx);
}

/* The backend came back (keel/net.h, "Restart"): fresh rings, every
 * transmit buffer in flight lost (counted as an error), every receive
 * buffer posted again, then front_epoch and an event say so. */
static void restart(struct netfront *nf, uint32_t epoch)
{
    nf->st.tx_errors += NETFRONT_TX_BUFS - nf->ntx_free;
    nf->st.reconnects++;
    memset(nf->tx_busy, 0, sizeof(nf->tx_busy));
    nf_rings_init(nf);
    __atomic_store_n(&nf->pg->front_epoch, epoch, __ATOMIC_SEQ_CST);
    libos_conn_notify(&nf->conn);
}

/* A backend that says CONNECTED under a new mapper_epoch: the first
 * connect (epoch 1) found the rings as we set them up and is only
 * recorded; any later one restarts them. */
static void follow_epoch(struct netfront *nf)
{
    uint32_t epoch = __atomic_load_n(&nf->pg->hdr.mapper_epoch, __ATOMIC_ACQUIRE);

    if (epoch == nf->epoch)
        return;
    nf->epoch = epoch;
    if (epoch == 1)
        nf->pg->front_epoch = epoch;
    else
        restart(nf, epoch);
}

/* CLOSED (or a garbage state word) ends the interface for good; CLOSING
 * (a backend going away) does not: it may come back. */
static bool closed(struct netfront *nf)
{
    long st = libos_conn_peer_state(&nf->conn);

    if (st < 0 || st == KEEL_CONN_CLOSED)
        nf->dead = true;
    else if (st == KEEL_CONN_CONNECTED && !nf->dead)
        follow_epoch(nf);
    return nf->dead;
}

static void tx_answered(struct netfront *nf, const struct keel_net_tx_rsp *r)
{
    if (r->id >= NETFRONT_TX_BUFS || !nf->tx_busy[r->id])
        return;                           /* not one of ours in flight */
    nf->tx_busy[r->id] = false;
    nf->tx_free[nf->ntx_free++] = r->id;
    if (r->status == KEEL_NET_OK)
        nf->st.tx_frames++;
    else if (r->status == KEEL_NET_DROPPED)
        nf->st.tx_dropped++;
    else
        nf->st.tx_errors++;
}

void nf_tx_reclaim(struct netfront *nf)
{
    struct keel_net_tx_rsp r;
    int got;

    while ((got = keel_net_tx_front_take_rsp(&nf->tx, &r)) > 0)
        tx_answered(nf, &r);
    if (got == KEEL_RING_CORRUPT)
        nf->dead = true;
}

int nf_tx_get(struct netfront *nf)
{
    if (closed(nf))
        return -KEEL_EPIPE;
    if (!nf->ntx_free)
        nf_tx_reclaim(nf);
    if (!nf->ntx_free) {
        nf->st.tx_full++;
        return -KEEL_EAGAIN;
    }
    return nf->tx_free[--nf->ntx_free];
}

/* A free buffer is never in flight, so its slot in the ring is free too:
 * the ring holds KEEL_NET_RING_SIZE requests, more than the buffers. */
void nf_tx_put(struct netfront *nf, unsigned id, size_t len)
{
    struct keel_net_tx_req *q = keel_net_tx_front_next_req(&nf->tx);

    *q = (struct keel_net_tx_req){ .gref = nf->txref[id / 2],
                                   .offset = (uint16_t)((id % 2) * NF_BUF_BYTES),
                                   .size = (uint16_t)len, .id = (uint16_t)id };
    nf->tx_busy[id] = true;
    if (keel_net_tx_front_push(&nf->tx))
        libos_conn_notify(&nf->conn);
}
_Static_assert(NETFRONT_TX_BUFS <= KEEL_NET_RING_SIZE &&
               NETFRONT_RX_BUFS <= KEEL_NET_RING_SIZE, "buffers fit the rings");

void nf_rx_post(struct netfront *nf, unsigned id)
{
    struct keel_net_rx_req *q = keel_net_rx_front_next_req(&nf->rx);

    *q = (struct keel_net_rx_req){ .gref = nf->rxref[id / 2],
                                   .offset = (uint16_t)((id % 2) * NF_BUF_BYTES),
                                   .id = (uint16_t)id };
}

/* Responses that name no buffer of ours, or a length out of range, are
 * counted and skipped; a returned (ERROR) buffer is posted again. */
int nf_rx_peek(struct netfront *nf, const uint8_t **data, unsigned *id)
{
    struct keel_net_rx_rsp r;
    int got = 0;

    while (!closed(nf) && (got = keel_net_rx_front_take_rsp(&nf->rx, &r)) > 0) {
        if (r.id >= NETFRONT_RX_BUFS)
            continue;                     /* a stranger: no buffer to post */
        if (r.status < (int)KEEL_NET_MIN_FRAME || r.status > (int)nf->frame_max ||
            r.offset != (r.id % 2) * NF_BUF_BYTES) {
            nf->st.rx_errors++;
            nf_rx_done(nf, r.id);
            continue;
        }
        nf->st.rx_frames++;
        *data = nf_buf(nf->rxbuf, r.id);
        *id = r.id;
        return r.status;
    }
    if (nf->dead || got == KEEL_RING_CORRUPT) {
        nf->dead = true;
        return -KEEL_EPIPE;
    }
    return 0;
}

void nf_rx_done(struct netfront *nf, unsigned id)
{
    nf_rx_post(nf, id);
    if (keel_net_rx_front_push(&nf->rx))
        libos_conn_notify(&nf->conn);
}

int netfront_send(struct netfront *nf, const void *frame, size_t len)
{
    int id;

    if (len < KEEL_NET_MIN_FRAME || len > nf->frame_max)
        return -KEEL_EINVAL;
    if ((id = nf_tx_get(nf)) < 0)
        return id;
    memcpy(nf_buf(nf->txbuf, (unsigned)id), frame, len);
    nf_tx_put(nf, (unsigned)id, len);
    return 0;
}

int netfront_recv(struct netfront *nf, void *buf, size_t cap)
{
    const uint8_t *data;
    unsigned id;
    int len = nf_rx_peek(nf, &data, &id);

    if (len <= 0)
        return len;
    if ((size_t)len > cap) {
        nf->st.rx_truncated++;
        len = (int)cap;
    }
    memcpy(buf, data, (size_t)len);
    nf_rx_done(nf, id);
    return len;
}

void netfront_stats(const struct netfront *nf, struct netfront_stats *out)
{
    *out = nf->st;
}

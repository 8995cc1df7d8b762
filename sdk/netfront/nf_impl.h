/*
 * netfront's state (raw.h): one interface per domain.
 *
 * Buffers: NETFRONT_TX_BUFS transmit and NETFRONT_RX_BUFS receive
 * buffers of NF_BUF_BYTES, two to a page, each page granted once (tx
 * read-only, rx read-write) and kept: buffer i is page i / 2, offset
 * (i % 2) * NF_BUF_BYTES, and its request id is i.  A transmit buffer is
 * free until sent and again once its response came; every receive buffer
 * is posted from open on and posted again as soon as its frame is taken.
 * The backend is distrusted like any peer: a response with an id we did
 * not send, or a length out of range, is counted and ignored.
 */
#ifndef NETFRONT_NF_IMPL_H
#define NETFRONT_NF_IMPL_H

#include <stdbool.h>
#include <libos/conn.h>
#include <netfront/raw.h>

#define NF_BUF_BYTES   2048u
#define NF_TX_PAGES    (NETFRONT_TX_BUFS / 2)
#define NF_RX_PAGES    (NETFRONT_RX_BUFS / 2)

_Static_assert(KEEL_NET_MAX_FRAME(KEEL_NET_MTU_DEFAULT) <= NF_BUF_BYTES,
               "a default-MTU frame fits a buffer");

struct netfront {
    struct libos_conn conn;
    uint8_t *page[KEEL_NET_RING_PAGES];
    struct keel_net_page *pg;
    struct keel_net_tx_front tx;
    struct keel_net_rx_front rx;
    struct keel_net_settings set;
    uint16_t frame_max;                 /* KEEL_NET_MAX_FRAME(mtu), capped */
    uint8_t *txbuf, *rxbuf;             /* the pages, page aligned */
    uint32_t txref[NF_TX_PAGES], rxref[NF_RX_PAGES];
    uint16_t tx_free[NETFRONT_TX_BUFS]; /* a stack of free buffer ids */
    unsigned ntx_free;
    bool tx_busy[NETFRONT_TX_BUFS];     /* sent, no response yet */
    bool dead;                          /* ring corrupt, or closed */
    uint32_t epoch;                     /* the backend's we serve (0: none yet) */
    volatile int event;                 /* set by the handler */
    struct netfront_stats st;
};

static inline uint8_t *nf_buf(uint8_t *base, unsigned id)
{
    return base + (size_t)(id / 2) * KEEL_PAGE_SIZE + (id % 2) * NF_BUF_BYTES;
}

/* Opening again after a failure (netif.c): 10 ms, doubling up to 1 s. */
#define NF_OPEN_TRIES            10u
#define NF_OPEN_FIRST_DELAY_NS   10000000ull
#define NF_OPEN_MAX_DELAY_NS     1000000000ull

static inline uint64_t nf_open_next_delay(uint64_t delay)
{
    return delay >= NF_OPEN_MAX_DELAY_NS / 2 ? NF_OPEN_MAX_DELAY_NS : 2 * delay;
}

/* io.c, for open.c and the lwIP glue */
/* Fresh rings in nf->page[], buffers free, every receive buffer posted. */
void nf_rings_init(struct netfront *nf);
/* A free transmit buffer (reclaiming answered ones first): its id, or
 * -KEEL_EAGAIN / -KEEL_EPIPE. */
int nf_tx_get(struct netfront *nf);
/* Queue buffer id, holding len bytes; notifies when the backend asked. */
void nf_tx_put(struct netfront *nf, unsigned id, size_t len);
/* The oldest received frame, left in its buffer: its length (and *data),
 * 0 when none, -KEEL_EPIPE.  nf_rx_done posts the buffer again. */
int nf_rx_peek(struct netfront *nf, const uint8_t **data, unsigned *id);
void nf_rx_done(struct netfront *nf, unsigned id);
/* Take every transmit response. */
void nf_tx_reclaim(struct netfront *nf);
/* Post receive buffer id. */
void nf_rx_post(struct netfront *nf, unsigned id);

#endif /* NETFRONT_NF_IMPL_H */

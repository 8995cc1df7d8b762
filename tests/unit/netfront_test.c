/*
 * sdk/netfront/io.c: the frontend's data path over real rings, with the
 * test acting as the backend.  Transmit buffers run out and come back with
 * their answers; responses that name no buffer in flight, or carry a
 * length or offset out of range, are counted and never followed; a
 * corrupt producer index or a CLOSED backend ends the interface (EPIPE);
 * a burst of sends costs one event; receive buffers stay posted; a
 * backend that comes back under a new epoch gets fresh rings.
 */
#include <stdlib.h>
#include "ktest.h"
#include "../../sdk/netfront/io.c"

static struct {
    int notifies;
    long mapper_state;        /* what libos_conn_peer_state answers */
} fake;

long libos_conn_peer_state(const struct libos_conn *c)
{
    (void)c;
    return fake.mapper_state;
}

void libos_conn_notify(const struct libos_conn *c)
{
    (void)c;
    fake.notifies++;
}

static struct netfront nf;
static _Alignas(4096) uint8_t pages[KEEL_NET_RING_PAGES][4096];
static _Alignas(4096) uint8_t txb[NF_TX_PAGES][4096], rxb[NF_RX_PAGES][4096];
static struct keel_net_tx_back tb;
static struct keel_net_rx_back rb;

static void setup(void)
{
    memset(&nf, 0, sizeof(nf));
    memset(&fake, 0, sizeof(fake));
    fake.mapper_state = KEEL_CONN_CONNECTED;
    for (int i = 0; i < 3; i++)
        nf.page[i] = pages[i];
    nf.txbuf = txb[0];
    nf.rxbuf = rxb[0];
    for (unsigned i = 0; i < NF_TX_PAGES; i++)
        nf.txref[i] = 100 + i;
    for (unsigned i = 0; i < NF_RX_PAGES; i++)
        nf.rxref[i] = 200 + i;
    nf.frame_max = (uint16_t)KEEL_NET_MAX_FRAME(1500);
    nf_rings_init(&nf);
    keel_net_tx_back_init(&tb, (void *)pages[1], 4096);
    keel_net_rx_back_init(&rb, (void *)pages[2], 4096);
}

/* The backend answers the oldest tx request with status (and id). */
static struct keel_net_tx_req answer_tx(int16_t status, int forge_id)
{
    struct keel_net_tx_req q;

    keel_net_tx_back_take_req(&tb, &q);
    *keel_net_tx_back_next_rsp(&tb) = (struct keel_net_tx_rsp){
        forge_id >= 0 ? (uint16_t)forge_id : q.id, status };
    keel_net_tx_back_push(&tb);
    return q;
}

/* The backend fills the oldest posted rx buffer (len bytes of b); 0 when
 * none was posted. */
static int deliver(int16_t status, uint8_t b, int bad_offset)
{
    struct keel_net_rx_req q;

    if (keel_net_rx_back_take_req(&rb, &q) != 1)
        return 0;
    if (status > 0)
        memset(nf_buf(nf.rxbuf, q.id), b, (size_t)status);
    *keel_net_rx_back_next_rsp(&rb) = (struct keel_net_rx_rsp){
        q.id, (uint16_t)(q.offset + (bad_offset ? 8 : 0)), status, 0 };
    keel_net_rx_back_push(&rb);
    return 1;
}

static const uint8_t frame60[60] = { 1, 2, 3 };

KTEST(tx_buffers_run_out_and_come_back)
{
    struct netfront_stats st;

    setup();
    for (unsigned i = 0; i < NETFRONT_TX_BUFS; i++)
        EXPECT_EQ(netfront_send(&nf, frame60, sizeof(frame60)), 0);
    EXPECT_EQ(netfront_send(&nf, frame60, sizeof(frame60)), -KEEL_EAGAIN);
    EXPECT_EQ(netfront_send(&nf, frame60, 13), -KEEL_EINVAL);
    EXPECT_EQ(netfront_send(&nf, frame60, 1515), -KEEL_EINVAL);
    struct keel_net_tx_req q = answer_tx(KEEL_NET_OK, -1);
    EXPECT_EQ(q.size, 60);
    EXPECT_EQ(q.gref, 100 + q.id / 2);
    EXPECT_EQ(q.offset, (q.id % 2) * NF_BUF_BYTES);
    EXPECT(memcmp(nf_buf(nf.txbuf, q.id), frame60, 60) == 0);
    answer_tx(KEEL_NET_DROPPED, -1);
    answer_tx(KEEL_NET_ERROR, -1);
    EXPECT_EQ(netfront_send(&nf, frame60, sizeof(frame60)), 0);   /* reclaimed */
    netfront_stats(&nf, &st);
    EXPECT(st.tx_frames == 1 && st.tx_dropped == 1 && st.tx_errors == 1 && st.tx_full == 1);
}

/* Answers for ids not in flight free nothing twice. */
KTEST(forged_tx_answers_are_ignored)
{
    struct netfront_stats st;

    setup();
    EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    struct keel_net_tx_req q = answer_tx(KEEL_NET_OK, -1);
    answer_tx(KEEL_NET_OK, q.id);                     /* the same id again */
    nf_tx_reclaim(&nf);
    EXPECT_EQ(nf.ntx_free, NETFRONT_TX_BUFS - 1);     /* one back, not two */
    EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    answer_tx(KEEL_NET_OK, 9999);                     /* nobody's */
    nf_tx_reclaim(&nf);
    netfront_stats(&nf, &st);
    EXPECT_EQ(st.tx_frames, 1);
    EXPECT(!nf.dead);
}

KTEST(a_burst_costs_one_event)
{
    setup();
    /* the backend waits for the next request */
    ((struct keel_net_tx_sring *)pages[1])->h.req_event = 1;
    for (int i = 0; i < 10; i++)
        EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    EXPECT_EQ(fake.notifies, 1);
}

KTEST(rx_frames_and_bad_answers)
{
    uint8_t buf[2048];
    struct netfront_stats st;

    setup();
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 0);
    EXPECT(deliver(100, 0xab, 0));
    EXPECT(deliver(KEEL_NET_ERROR, 0, 0));            /* returned unused */
    EXPECT(deliver(1600, 0, 0));                      /* longer than the MTU */
    EXPECT(deliver(10, 0, 0));                        /* shorter than a header */
    EXPECT(deliver(60, 0, 1));                        /* not where we posted */
    EXPECT(deliver(70, 0xcd, 0));
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 100);
    EXPECT(buf[0] == 0xab && buf[99] == 0xab);
    EXPECT_EQ(netfront_recv(&nf, buf, 50), 50);       /* truncated */
    EXPECT_EQ(buf[49], 0xcd);
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 0);
    netfront_stats(&nf, &st);
    EXPECT(st.rx_frames == 2 && st.rx_errors == 4 && st.rx_truncated == 1);
    for (unsigned i = 0; i < NETFRONT_RX_BUFS; i++)   /* every buffer posted */
        EXPECT(deliver(60, 0, 0));
    EXPECT(!deliver(60, 0, 0));
}

KTEST(corrupt_or_closed_backend_ends_it)
{
    uint8_t buf[64];

    setup();
    ((struct keel_net_rx_sring *)pages[2])->h.rsp_prod += 1000;
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), -KEEL_EPIPE);
    EXPECT_EQ(netfront_send(&nf, frame60, 60), -KEEL_EPIPE);
    setup();
    fake.mapper_state = KEEL_CONN_CLOSED;
    EXPECT_EQ(netfront_send(&nf, frame60, 60), -KEEL_EPIPE);
    setup();
    fake.mapper_state = -KEEL_EIO;                    /* a garbage word */
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), -KEEL_EPIPE);
}

/* The first connect (epoch 1) finds the rings as they were set up:
 * recorded, nothing reset, nothing lost, no event. */
KTEST(first_connect_is_only_recorded)
{
    struct netfront_stats st;

    setup();
    EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    nf.pg->hdr.mapper_epoch = 1;
    fake.notifies = 0;
    EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    EXPECT_EQ(nf.pg->front_epoch, 1);
    netfront_stats(&nf, &st);
    EXPECT(st.reconnects == 0 && st.tx_errors == 0);
    EXPECT_EQ(answer_tx(KEEL_NET_OK, -1).size, 60);   /* both still queued */
    EXPECT_EQ(answer_tx(KEEL_NET_OK, -1).size, 60);
}

/* A backend that dies in the middle of a batch: it took requests from
 * both rings and wrote answers over them that it never published.  Its
 * successor (epoch 2) must find fresh rings with every receive buffer
 * posted exactly once and every transmit buffer free, whatever the old
 * one left in the slots. */
KTEST(restarted_backend_gets_fresh_rings)
{
    struct keel_net_tx_req tq = { 0 };
    struct keel_net_rx_req rq = { 0 };
    struct netfront_stats st;
    bool seen[NETFRONT_RX_BUFS] = { false };
    uint8_t buf[2048];

    setup();
    nf.pg->hdr.mapper_epoch = 1;
    for (int i = 0; i < 5; i++)
        EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    for (int i = 0; i < 3; i++) {                     /* taken, never published */
        keel_net_tx_back_take_req(&tb, &tq);
        *keel_net_tx_back_next_rsp(&tb) = (struct keel_net_tx_rsp){ tq.id, KEEL_NET_OK };
    }
    for (int i = 0; i < 4; i++) {
        keel_net_rx_back_take_req(&rb, &rq);
        *keel_net_rx_back_next_rsp(&rb) = (struct keel_net_rx_rsp){ rq.id, 0, 60, 0 };
    }
    fake.mapper_state = KEEL_CONN_CLOSING;            /* going away: not the end */
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 0);
    EXPECT(!nf.dead);

    nf.pg->hdr.mapper_epoch = 2;                      /* the successor connects */
    fake.mapper_state = KEEL_CONN_CONNECTED;
    fake.notifies = 0;
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 0);
    EXPECT_EQ(nf.pg->front_epoch, 2);                 /* the go-ahead ... */
    EXPECT_EQ(fake.notifies, 1);                      /* ... and its event */
    netfront_stats(&nf, &st);
    EXPECT(st.reconnects == 1 && st.tx_errors == 5);  /* in flight: lost */

    keel_net_tx_back_init(&tb, (void *)pages[1], 4096);
    keel_net_rx_back_init(&rb, (void *)pages[2], 4096);
    EXPECT_EQ(keel_net_tx_back_take_req(&tb, &tq), 0);   /* nothing stale */
    for (unsigned i = 0; i < NETFRONT_RX_BUFS; i++) {
        EXPECT_EQ(keel_net_rx_back_take_req(&rb, &rq), 1);
        EXPECT(rq.id < NETFRONT_RX_BUFS && !seen[rq.id % NETFRONT_RX_BUFS]);
        seen[rq.id % NETFRONT_RX_BUFS] = true;
        EXPECT_EQ(rq.gref, 200 + rq.id / 2);
        EXPECT_EQ(rq.offset, (rq.id % 2) * NF_BUF_BYTES);
        *keel_net_rx_back_next_rsp(&rb) = (struct keel_net_rx_rsp){
            rq.id, rq.offset, KEEL_NET_ERROR, 0 };   /* handed back unused */
    }
    EXPECT_EQ(keel_net_rx_back_take_req(&rb, &rq), 0);   /* each once */
    keel_net_rx_back_push(&rb);
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 0);  /* posted again */
    EXPECT(deliver(100, 0xab, 0));
    EXPECT_EQ(netfront_recv(&nf, buf, sizeof(buf)), 100);
    for (unsigned i = 0; i < NETFRONT_TX_BUFS; i++)  /* every buffer free */
        EXPECT_EQ(netfront_send(&nf, frame60, 60), 0);
    EXPECT_EQ(answer_tx(KEEL_NET_OK, -1).size, 60);
    netfront_stats(&nf, &st);
    EXPECT_EQ(st.reconnects, 1);                      /* once per epoch */
}

KTEST_MAIN(KTEST_CASE(tx_buffers_run_out_and_come_back),
           KTEST_CASE(forged_tx_answers_are_ignored), KTEST_CASE(a_burst_costs_one_event),
           KTEST_CASE(rx_frames_and_bad_answers),
           KTEST_CASE(corrupt_or_closed_backend_ends_it),
           KTEST_CASE(first_connect_is_only_recorded),
           KTEST_CASE(restarted_backend_gets_fresh_rings))

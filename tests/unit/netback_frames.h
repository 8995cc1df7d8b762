/*
 * netback tests: frames to send, and a fake guest's frontend (netfront as
 * keel/net.h describes it: buffers in granted pages, requests on the
 * rings, an event only when keel/ring.h says the backend asked for one).
 */
#ifndef NETBACK_FRAMES_H
#define NETBACK_FRAMES_H

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static inline uint16_t mk_ipv4(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac,
                        uint32_t src_ip, uint32_t dst_ip, uint16_t payload, uint8_t seed)
{
    uint8_t *ip = f + KEEL_NET_ETH_HLEN;

    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + payload) >> 8);
    ip[3] = (uint8_t)(20 + payload);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, &src_ip, 4);
    memcpy(ip + 16, &dst_ip, 4);
    for (unsigned i = 0; i < payload; i++)
        ip[20 + i] = (uint8_t)(seed + i * 7);
    return (uint16_t)(KEEL_NET_ETH_HLEN + 20 + payload);
}

/* From guest a to guest b (their own addresses). */
static inline uint16_t mk_g2g(uint8_t *f, const struct fguest *a, const struct fguest *b,
                       uint16_t payload, uint8_t seed)
{
    return mk_ipv4(f, b->set.mac, a->set.mac, a->set.ipv4_addr, b->set.ipv4_addr,
                   payload, seed);
}

static inline uint16_t mk_arp(uint8_t *f, uint16_t op, const uint8_t *eth_dst, const uint8_t *sha,
                       uint32_t spa, uint32_t tpa)
{
    uint8_t *p = f + KEEL_NET_ETH_HLEN;

    memcpy(f, eth_dst, 6);
    memcpy(f + 6, sha, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    p[0] = 0; p[1] = 1; p[2] = 0x08; p[3] = 0; p[4] = 6; p[5] = 4;
    p[6] = 0; p[7] = (uint8_t)op;
    memcpy(p + 8, sha, 6);
    memcpy(p + 14, &spa, 4);
    memset(p + 18, 0, 6);
    memcpy(p + 24, &tpa, 4);
    return NB_ARP_LEN;
}

/* Queue a raw request (no push). */
static inline void fg_queue_req(struct fguest *g, uint32_t gref, uint16_t offset, uint16_t size,
                         uint16_t id, uint16_t flags)
{
    struct keel_net_tx_req *r = keel_net_tx_front_next_req(&g->txf);

    *r = (struct keel_net_tx_req){ gref, offset, size, id, flags };
}

/* Queue a frame in the tx slot of the next request. */
static inline void fg_queue(struct fguest *g, const uint8_t *frame, uint16_t len, uint16_t id)
{
    unsigned slot = g->txf.req_prod_pvt & (KEEL_NET_RING_SIZE - 1);
    uint32_t page = 3 + slot / 2;
    uint16_t off = (uint16_t)(slot % 2 * FG_SLOT);

    memcpy(g->mem[page] + off, frame, len);
    fg_queue_req(g, page, off, len, id, 0);
}

static inline void fg_push(struct fguest *g)
{
    if (keel_net_tx_front_push(&g->txf)) {
        guest_events++;
        nb_switch_kick(&sw, &g->vif);
    }
}

static inline void fg_send(struct fguest *g, const uint8_t *frame, uint16_t len, uint16_t id)
{
    fg_queue(g, frame, len, id);
    fg_push(g);
}

/* Post n empty buffers; id = slot. */
static inline void fg_post_rx(struct fguest *g, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned slot = g->rxf.req_prod_pvt & (KEEL_NET_RING_SIZE - 1);
        struct keel_net_rx_req *r = keel_net_rx_front_next_req(&g->rxf);
        *r = (struct keel_net_rx_req){ FG_RX0 + slot / 2, (uint16_t)(slot % 2 * FG_SLOT),
                                       (uint16_t)slot };
    }
    if (keel_net_rx_front_push(&g->rxf)) {
        guest_events++;
        nb_switch_kick(&sw, &g->vif);
    }
}

static inline int fg_take_tx(struct fguest *g, struct keel_net_tx_rsp *r)
{
    return keel_net_tx_front_take_rsp(&g->txf, r);
}

static inline int fg_take_rx(struct fguest *g, struct keel_net_rx_rsp *r)
{
    return keel_net_rx_front_take_rsp(&g->rxf, r);
}

static inline const uint8_t *fg_rx_bytes(const struct fguest *g, const struct keel_net_rx_rsp *r)
{
    return g->mem[FG_RX0 + r->id / 2] + r->offset;
}

/* Every tx answer g has, in order, into st[] (returns how many). */
static inline unsigned fg_tx_statuses(struct fguest *g, int16_t *st, unsigned max)
{
    struct keel_net_tx_rsp r;
    unsigned n = 0;

    while (n < max && fg_take_tx(g, &r) == 1)
        st[n++] = r.status;
    return n;
}

static inline unsigned fg_rx_count(struct fguest *g)
{
    struct keel_net_rx_rsp r;
    unsigned n = 0;

    while (fg_take_rx(g, &r) == 1)
        n++;
    return n;
}

/* Poll until the switch is idle; returns the polls it took. */
static inline unsigned run_switch(void)
{
    unsigned polls = 1;

    while (nb_switch_poll(&sw) > 0 && polls < 100000)
        polls++;
    return polls;
}

#endif /* NETBACK_FRAMES_H */

/*
 * A world for sdk/netback's host tests: fake guests with real rings (the
 * frontend side driven through keel/ring.h as netfront would), a grant
 * copier that really copies between the guests' pages, addressed by
 * (domid, gref), after the hypervisor's own argument check
 * (grant_check_copy), an uplink that records what it is given, events
 * and log lines counted.
 *
 * A fake guest's memory: page 0 header, 1 tx ring, 2 rx ring, then
 * FG_TXPG pages of tx buffers and FG_RXPG of rx buffers, two 2 KiB slots
 * a page; grant reference = page index.
 */
#ifndef NETBACK_FAKE_H
#define NETBACK_FAKE_H

#include <stdint.h>
#include <stdlib.h>
#include "ktest.h"
#include "../../hv/common/grant_check.c"
#include "../../sdk/netback/vif.c"
#include "../../sdk/netback/ring.c"
#include "../../sdk/netback/table.c"
#include "../../sdk/netback/pending.c"
#include "../../sdk/netback/frame.c"
#include "../../sdk/netback/switch.c"
#include "../../sdk/netback/batch.c"
#include "../../sdk/netback/deliver.c"
#include "../../sdk/netback/hold.c"

#define FG_TXPG 128u
#define FG_RXPG 128u
#define FG_PAGES (3u + FG_TXPG + FG_RXPG)
#define FG_SLOT 2048u
#define FG_RX0 (3u + FG_TXPG)       /* first rx buffer page */
#define FG_MAX 64                   /* fake guests that copy */

struct fguest {
    keel_domid_t domid;
    uint8_t (*mem)[KEEL_PAGE_SIZE];
    uint8_t revoked[FG_PAGES];      /* 1: the grant was ended */
    struct keel_net_settings set;
    struct keel_net_tx_front txf;
    struct keel_net_rx_front rxf;
    struct nb_if vif;
};

static struct nb_switch sw;
static unsigned guest_events;       /* events the fake guests sent */
static struct fguest *fguests[FG_MAX];
static unsigned copy_calls, copy_segs, copy_max_segs, copy_over_max;
static long copy_whole_rc;          /* != 0: the executor fails as a whole */
static void (*copy_hook)(void);     /* runs after each copy call */
static unsigned notified[1u << 14]; /* by port */
static unsigned log_lines;
static char log_last[200];
static uint8_t up_frames[512][KEEL_PAGE_SIZE];
static uint16_t up_len[512];
static unsigned up_count, up_accept = 1000000;

static struct fguest *fg_by_domid(keel_domid_t domid)
{
    for (int i = 0; i < FG_MAX; i++)
        if (fguests[i] && fguests[i]->domid == domid)
            return fguests[i];
    return NULL;
}

static uint8_t *side(const struct keel_grant_copy_ptr *p, bool gref, int *rc)
{
    struct fguest *g;

    if (!gref)
        return (uint8_t *)(uintptr_t)p->gva;
    if (!(g = fg_by_domid(p->domid)))
        return *rc = -KEEL_ESRCH, NULL;
    if (p->ref >= FG_PAGES || g->revoked[p->ref])
        return *rc = -KEEL_ENOENT, NULL;
    return g->mem[p->ref] + p->offset;
}

static inline long fake_copy(void *ctx, struct keel_grant_copy *seg, unsigned n)
{
    long failed = 0;

    (void)ctx;
    copy_calls++;
    copy_segs += n;
    copy_max_segs = n > copy_max_segs ? n : copy_max_segs;
    if (n > KEEL_GRANT_COPY_MAX)
        return copy_over_max++, -KEEL_E2BIG;
    if (copy_whole_rc)
        return copy_whole_rc;
    for (unsigned i = 0; i < n; i++) {
        struct keel_grant_copy *c = &seg[i];
        int rc = grant_check_copy(c);
        uint8_t *s = rc ? NULL : side(&c->src, c->flags & KEEL_GRANT_COPY_SRC_GREF, &rc);
        uint8_t *d = rc ? NULL : side(&c->dst, c->flags & KEEL_GRANT_COPY_DST_GREF, &rc);
        if (!rc)
            memmove(d, s, c->len);
        c->status = rc;
        failed += rc != 0;
    }
    if (copy_hook)
        copy_hook();
    return failed;
}

static inline void fake_notify(void *ctx, uint32_t port)
{
    (void)ctx;
    notified[port % (sizeof(notified) / sizeof(notified[0]))]++;
}

static inline unsigned fake_uplink_tx(void *ctx, const struct nb_frame *f, unsigned n)
{
    unsigned took = 0;

    (void)ctx;
    for (; took < n && up_accept; took++, up_accept--) {
        memcpy(up_frames[up_count % 512], f[took].data, f[took].len);
        up_len[up_count++ % 512] = f[took].len;
    }
    return took;
}

static inline void fake_log(void *ctx, const char *fmt, ...)
{
    va_list ap;

    (void)ctx;
    va_start(ap, fmt);
    vsnprintf(log_last, sizeof(log_last), fmt, ap);
    va_end(ap);
    log_lines++;
}

static uint64_t fake_clock_ns;       /* the switch's clock: tests move it */

static inline uint64_t fake_now_ns(void *ctx)
{
    (void)ctx;
    return fake_clock_ns;
}

static const struct nb_ops ops_uplink = { fake_copy, fake_notify, fake_uplink_tx, fake_log,
                                          fake_now_ns };
static const struct nb_ops ops_no_uplink = { fake_copy, fake_notify, NULL, fake_log,
                                             fake_now_ns };

/* Fresh world: the switch (with or without an uplink), no guests. */
static inline void world(const struct nb_ops *ops, unsigned max_ifs)
{
    for (int i = 0; i < FG_MAX; i++) {
        if (fguests[i])
            free(fguests[i]->mem);
        free(fguests[i]);
        fguests[i] = NULL;
    }
    if (sw.b)
        nb_switch_fini(&sw);
    copy_calls = copy_segs = copy_max_segs = copy_over_max = 0;
    copy_whole_rc = 0;
    copy_hook = NULL;
    guest_events = 0;
    memset(notified, 0, sizeof(notified));
    log_lines = up_count = 0;
    up_accept = 1000000;
    fake_clock_ns = 1000000000;
    nb_switch_init(&sw, ops, NULL, max_ifs);
}

static inline void fg_mac(uint8_t *mac, unsigned n)
{
    const uint8_t m[6] = { 0x02, 0x00, 0x00, 0x00, (uint8_t)(n >> 8), (uint8_t)n };

    memcpy(mac, m, 6);
}

static inline uint32_t fg_ip(unsigned n)       /* 10.0.x.y, network byte order */
{
    return __builtin_bswap32(0x0a000000u | (n + 2));
}

static inline void fg_settings(struct keel_net_settings *s, unsigned n)
{
    memset(s, 0, sizeof(*s));
    fg_mac(s->mac, n);
    s->mtu = KEEL_NET_MTU_DEFAULT;
    s->ipv4_addr = fg_ip(n);
    s->ipv4_netmask = __builtin_bswap32(0xffff0000u);
    s->version = KEEL_NET_VERSION;
}

/* Guest n (domid 100 + n, port 1000 + n), its rings set up as a
 * frontend would, connected to the switch and kicked. */
static inline struct fguest *fg_new(unsigned n)
{
    struct fguest *g = calloc(1, sizeof(*g));
    struct nb_if_conf conf;

    g->domid = (keel_domid_t)(100 + n);
    g->mem = aligned_alloc(KEEL_PAGE_SIZE, FG_PAGES * KEEL_PAGE_SIZE);
    memset(g->mem, 0, FG_PAGES * KEEL_PAGE_SIZE);
    fg_settings(&g->set, n);
    keel_net_tx_sring_init((struct keel_net_tx_sring *)g->mem[1]);
    keel_net_rx_sring_init((struct keel_net_rx_sring *)g->mem[2]);
    keel_net_tx_front_init(&g->txf, (struct keel_net_tx_sring *)g->mem[1], KEEL_PAGE_SIZE);
    keel_net_rx_front_init(&g->rxf, (struct keel_net_rx_sring *)g->mem[2], KEEL_PAGE_SIZE);
    conf = (struct nb_if_conf){ g->domid, 1000 + n, &g->set, { g->mem[0], g->mem[1], g->mem[2] } };
    nb_if_init(&g->vif, &conf);
    nb_switch_add(&sw, &g->vif);
    for (int i = 0; i < FG_MAX; i++)
        if (!fguests[i]) {
            fguests[i] = g;
            break;
        }
    return g;
}

static inline unsigned fg_port(const struct fguest *g) { return g->vif.port; }

#include "netback_frames.h"

#endif /* NETBACK_FAKE_H */

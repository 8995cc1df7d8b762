/*
 * Hostile network guests (docs/net.md, "Distrust"), each named after its
 * role (copy net_evil.img to NAME.img):
 *
 *   net_scribble  its own frontend on the raw rings: one good frame, then
 *                 requests with a bad grant reference, a size over a page,
 *                 an offset whose frame crosses the page and unknown flags
 *                 (each must come back ERROR), then a producer index that
 *                 jumps 1000 ahead: the backend must cut it off (CLOSED)
 *   net_flood     netfront's raw API: frames to its own MAC as fast as the
 *                 ring takes them for secs= seconds, never receiving any
 *   net_spoof     frames with a MAC, then an IPv4 address, it was not
 *                 given: both must come back DROPPED
 *
 * Each prints "net_evil: <role> ok ..." when the backend did what
 * keel/net.h promises, else "net_evil: FAIL ..." and exits 1.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libos/conn.h>
#include <libos/device.h>
#include <libos/grant.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <netfront/raw.h>

#define MS 1000000ull

static _Noreturn void fail(const char *what)
{
    printf("net_evil: FAIL %s\n", what);
    exit(1);
}

#define CHECK(cond, what) do { if (!(cond)) fail(what); } while (0)

static void nap(unsigned ms) { libos_sleep_until(libos_monotonic_ns() + ms * MS); }

/* An IPv4 frame from mac/ip to dst (60 bytes, header checksum 0: netback
 * reads addresses, not checksums). */
static size_t frame(uint8_t *f, const uint8_t dst[6], const uint8_t mac[6], uint32_t ip)
{
    memset(f, 0, 60);
    memcpy(f, dst, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08;
    f[14] = 0x45;                     /* IPv4, 20-byte header */
    f[17] = 46;                       /* total length */
    f[22] = 64;                       /* ttl */
    f[23] = 17;                       /* UDP */
    memcpy(f + 26, &ip, 4);           /* source */
    memcpy(f + 30, &ip, 4);           /* destination: itself */
    return 60;
}

/* ---- net_scribble: a frontend of its own on the raw rings ---- */

static struct libos_conn conn;
static uint8_t *page[KEEL_NET_RING_PAGES];
static struct keel_net_tx_front tx;

static void quiet(keel_evtchn_port_t port, void *arg) { (void)port, (void)arg; }

static void put(uint32_t gref, uint16_t off, uint16_t size, uint16_t id, uint16_t flags)
{
    *keel_net_tx_front_next_req(&tx) = (struct keel_net_tx_req){ gref, off, size, id, flags };
}

static void scribble(void)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_NET, NULL);
    const struct keel_net_settings *s;
    uint8_t *buf = memalign(4096, 4096);
    struct keel_net_tx_rsp r;
    int16_t st[5];
    int n = 0;

    CHECK(d && buf, "a NIC");
    s = (const void *)d->settings;
    CHECK(libos_conn_init(&conn, d, page, 0, quiet, 0) == 0 && libos_conn_grant(&conn) == 0,
          "grant");
    keel_net_tx_sring_init((void *)page[1]);
    keel_net_rx_sring_init((void *)page[2]);
    keel_net_tx_front_init(&tx, (void *)page[1], 4096);
    libos_conn_set_state(&conn, KEEL_CONN_INITIALISED);
    long ref = libos_grant_access(conn.peer, buf, 1);
    CHECK(ref >= 0, "grant a buffer");
    frame(buf, s->mac, s->mac, s->ipv4_addr);
    put((uint32_t)ref, 0, 60, 0, 0);              /* good */
    put((uint32_t)ref + 300, 0, 60, 1, 0);        /* nobody's reference */
    put((uint32_t)ref, 0, 5000, 2, 0);            /* over a page */
    put((uint32_t)ref, 4000, 200, 3, 0);          /* crosses the page */
    put((uint32_t)ref, 0, 60, 4, 1);              /* unknown flags */
    keel_net_tx_front_push(&tx);
    libos_conn_notify(&conn);
    for (int i = 0; i < 500 && n < 5; i++) {
        while (n < 5 && keel_net_tx_front_take_rsp(&tx, &r) == 1)
            st[n++] = r.status;
        nap(10);
    }
    CHECK(n == 5, "answers");
    printf("net_evil: statuses %d %d %d %d %d\n", st[0], st[1], st[2], st[3], st[4]);
    CHECK(st[0] == KEEL_NET_OK && st[1] == KEEL_NET_ERROR && st[2] == KEEL_NET_ERROR &&
          st[3] == KEEL_NET_ERROR && st[4] == KEEL_NET_ERROR, "statuses");
    ((struct keel_net_tx_sring *)page[1])->h.req_prod += 1000;   /* the jump */
    libos_conn_notify(&conn);
    for (int i = 0; i < 500 && libos_conn_peer_state(&conn) != KEEL_CONN_CLOSED; i++)
        nap(10);
    CHECK(libos_conn_peer_state(&conn) == KEEL_CONN_CLOSED, "cut off");
    printf("net_evil: net_scribble ok: cut off\n");
}

/* ---- net_flood and net_spoof: netfront's raw API ---- */

static struct netfront *open_nic(void)
{
    struct netfront *nf;

    CHECK(netfront_open(&nf) == 0, "netfront_open");
    for (int i = 0; i < 500 && netfront_connected(nf) == 0; i++)
        nap(10);
    CHECK(netfront_connected(nf) == 1, "connected");
    return nf;
}

static void flood(unsigned secs)
{
    struct netfront *nf = open_nic();
    const struct keel_net_settings *s = netfront_settings(nf);
    uint64_t end = libos_monotonic_ns() + secs * 1000 * MS, sent = 0;
    struct netfront_stats st;
    uint8_t f[60];

    frame(f, s->mac, s->mac, s->ipv4_addr);
    while (libos_monotonic_ns() < end) {
        int rc = netfront_send(nf, f, sizeof(f));
        if (rc == 0)
            sent++;
        else if (rc == -KEEL_EAGAIN)
            netfront_wait(nf, end);
        else
            fail("send");
    }
    netfront_stats(nf, &st);
    printf("net_evil: net_flood ok: %llu frames sent, %llu answered OK\n",
           (unsigned long long)sent, (unsigned long long)st.tx_frames);
}

static void spoof(void)
{
    struct netfront *nf = open_nic();
    const struct keel_net_settings *s = netfront_settings(nf);
    uint8_t f[60], other[6];
    struct netfront_stats st;

    memcpy(other, s->mac, 6);
    other[5] ^= 1;                                   /* a neighbour's MAC */
    frame(f, s->mac, other, s->ipv4_addr);
    CHECK(netfront_send(nf, f, sizeof(f)) == 0, "send (MAC)");
    frame(f, s->mac, s->mac, s->ipv4_addr ^ 0x01000000u);   /* another address */
    CHECK(netfront_send(nf, f, sizeof(f)) == 0, "send (IPv4)");
    netfront_stats(nf, &st);
    for (int i = 0; i < 100 && st.tx_dropped + st.tx_frames + st.tx_errors < 2; i++) {
        netfront_wait(nf, libos_monotonic_ns() + 50 * MS);
        netfront_stats(nf, &st);
    }
    CHECK(st.tx_dropped == 2, "both DROPPED");
    printf("net_evil: net_spoof ok: both dropped\n");
}

int main(int argc, char **argv)
{
    char role[32];
    unsigned secs = 3;

    snprintf(role, sizeof(role), "%s", argc ? argv[0] : "");
    role[strcspn(role, "-")] = 0;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "secs=", 5))
            secs = (unsigned)atoi(argv[i] + 5);
    if (!strcmp(role, "net_scribble"))
        scribble();
    else if (!strcmp(role, "net_flood"))
        flood(secs);
    else if (!strcmp(role, "net_spoof"))
        spoof();
    else
        fail("role: name the image net_scribble, net_flood or net_spoof");
    return 0;
}

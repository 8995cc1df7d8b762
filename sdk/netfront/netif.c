/*
 * netfront as lwIP's interface (netif.h).
 *
 * The netfront thread opens the interface and adds it to lwIP, then
 * loops: answered transmit buffers back, every received frame into a
 * pbuf and through ethernet_input under the core lock (one lock for a
 * batch, no message to the tcpip thread), then sleep until the backend
 * sends an event.  lwIP sends (linkoutput) from whichever thread holds the
 * core lock: the frame is copied into a free transmit buffer.  When every
 * buffer is in flight (a burst: two hundred clients answered at once) it
 * waits in a backlog, in order, that the netfront thread sends as the
 * backend answers: a frame dropped there would cost TCP a retransmission
 * timeout.  Only beyond TX_BACKLOG_MAX frames is one dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwip/etharp.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/tcpip.h>
#include <netif/ethernet.h>
#include <libos/device.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <netfront/netif.h>
#include "nf_impl.h"

#define RX_BATCH 16u           /* frames handed to lwIP per lock */
#define TX_BACKLOG_MAX 512u    /* frames waiting for a transmit buffer */

struct backlogged {
    struct backlogged *next;
    uint16_t len;
    uint8_t frame[];
};

static struct netif nif;
static struct netfront *nf;
static bool started;
static volatile int state;     /* 0 coming, 1 up, -1 failed */
static struct backlogged *backlog, **backlog_end = &backlog;
static unsigned backlog_len;

/* Under the core lock, like every use of the backlog. */
static err_t backlog_add(struct pbuf *p)
{
    struct backlogged *b;

    if (backlog_len >= TX_BACKLOG_MAX || !(b = malloc(sizeof(*b) + p->tot_len)))
        return ERR_MEM;        /* dropped: lwIP's callers resend */
    b->next = NULL;
    b->len = p->tot_len;
    pbuf_copy_partial(p, b->frame, p->tot_len, 0);
    *backlog_end = b;
    backlog_end = &b->next;
    backlog_len++;
    return ERR_OK;
}

/* The backlog's frames into the transmit buffers the backend answered. */
static void backlog_send(void)
{
    struct backlogged *b;
    int id;

    while ((b = backlog) && (id = nf_tx_get(nf)) >= 0) {
        memcpy(nf_buf(nf->txbuf, (unsigned)id), b->frame, b->len);
        nf_tx_put(nf, (unsigned)id, b->len);
        if (!(backlog = b->next))
            backlog_end = &backlog;
        backlog_len--;
        free(b);
    }
}

static err_t linkoutput(struct netif *n, struct pbuf *p)
{
    int id;

    (void)n;
    if (p->tot_len > nf->frame_max)
        return ERR_BUF;
    if (backlog)               /* never ahead of older frames */
        return backlog_add(p);
    if ((id = nf_tx_get(nf)) == -KEEL_EAGAIN)
        return backlog_add(p);
    if (id < 0)
        return ERR_IF;
    pbuf_copy_partial(p, nf_buf(nf->txbuf, (unsigned)id), p->tot_len, 0);
    nf_tx_put(nf, (unsigned)id, p->tot_len);
    return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
    const struct keel_net_settings *s = netfront_settings(nf);

    n->name[0] = 'k';
    n->name[1] = 'n';
    n->output = etharp_output;
    n->linkoutput = linkoutput;
    n->mtu = (u16_t)(nf->frame_max - KEEL_NET_ETH_HLEN);
    n->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(n->hwaddr, s->mac, ETH_HWADDR_LEN);
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

static int add_to_lwip(void)
{
    const struct keel_net_settings *s = netfront_settings(nf);
    ip4_addr_t addr, mask, gw;
    int ok;

    addr.addr = s->ipv4_addr;            /* both in network order */
    mask.addr = s->ipv4_netmask;
    gw.addr = s->ipv4_gateway;
    LOCK_TCPIP_CORE();
    ok = netif_add(&nif, &addr, &mask, &gw, NULL, nif_init, ethernet_input) != NULL;
    if (ok) {
        netif_set_default(&nif);
        netif_set_link_up(&nif);
        netif_set_up(&nif);
    }
    UNLOCK_TCPIP_CORE();
    return ok ? 0 : -KEEL_ENODEV;
}

/* Up to RX_BATCH frames into lwIP; how many. */
static unsigned input_batch(void)
{
    const uint8_t *data;
    unsigned id, n = 0;
    int len;

    LOCK_TCPIP_CORE();
    while (n < RX_BATCH && (len = nf_rx_peek(nf, &data, &id)) > 0) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (p)
            pbuf_take(p, data, (u16_t)len);
        nf_rx_done(nf, id);            /* the bytes are in p (or lost) */
        if (p && nif.input(p, &nif) != ERR_OK)
            pbuf_free(p);
        n++;
    }
    UNLOCK_TCPIP_CORE();
    return n;
}

/* On stderr, at the first failure (a program may be done before the
 * retries are) and when giving up: otherwise a program whose NIC did not
 * open only sees its connections to other machines fail, much later. */
static void report_no_nic(int rc, const char *then)
{
    fprintf(stderr, "netfront: the network interface did not open (error %d%s); %s\n",
            -rc, rc == -KEEL_ENOMEM ? ": out of memory, give the image more "
                                      "with mkimage --mem" : "", then);
}

/* Opening can fail for want of something that may come back (memory,
 * grant references, an event channel port): try again, waiting twice as
 * long each time, NF_OPEN_TRIES times in all (about 3 s).  A missing or
 * malformed device entry (-KEEL_ENODEV) is final. */
static int open_retrying(void)
{
    uint64_t delay = NF_OPEN_FIRST_DELAY_NS;
    int rc = 0;

    for (unsigned i = 0; i < NF_OPEN_TRIES; i++) {
        if (i) {
            libos_sleep_until(libos_monotonic_ns() + delay);
            delay = nf_open_next_delay(delay);
        }
        if ((rc = netfront_open(&nf)) == 0 || rc == -KEEL_ENODEV || rc == -KEEL_EBUSY)
            break;
        if (i == 0)
            report_no_nic(rc, "trying again for 3 s, loopback only until then");
    }
    return rc;
}

static void *serve(void *arg)
{
    int rc;

    (void)arg;
    if ((rc = open_retrying()) || (rc = add_to_lwip())) {
        report_no_nic(rc, "this guest has loopback only");
        state = -1;
        return NULL;
    }
    state = 1;
    while (netfront_connected(nf) >= 0) {
        nf_tx_reclaim(nf);
        if (backlog) {
            LOCK_TCPIP_CORE();
            backlog_send();
            UNLOCK_TCPIP_CORE();
        }
        if (input_batch() == RX_BATCH)
            libos_thread_yield();      /* the others between batches */
        else
            netfront_wait(nf, LIBOS_FOREVER);
    }
    return NULL;
}

void netfront_lwip_start(void)
{
    libos_thread_t *t;

    if (started || !libos_device_find(KEEL_DEV_NET, NULL))
        return;
    started = true;
    if (libos_thread_create(&t, serve, NULL, 0)) {
        report_no_nic(-KEEL_ENOMEM, "this guest has loopback only");
        state = -1;
    }
}

static int settled(void *arg)
{
    (void)arg;
    return state != 0;
}

int netfront_lwip_wait_up(uint64_t deadline_ns)
{
    if (!started)
        return -KEEL_ENODEV;
    while (state == 0 && libos_monotonic_ns() < deadline_ns)
        libos_thread_wait(settled, NULL, deadline_ns);
    return state > 0 ? 0 : state < 0 ? -KEEL_ENODEV : -KEEL_EAGAIN;
}

struct netif *netfront_lwip_netif(void)
{
    return state > 0 ? &nif : NULL;
}

/*
 * The uplink's thread (uplink.h): attach, self test, serve.
 *
 * The self test asks for the gateway's MAC (ARP, as an RFC 5227 probe
 * from 0.0.0.0: dom0 claims no address of the plan) up to UPLINK_TRIES
 * times, UPLINK_TRY_NS apart: QEMU's user-mode network answers at once, a
 * tap without a host at 10.0.0.2 never does, and then the run goes on
 * without a word from the gateway.  Every frame received goes to the
 * switch (net.h), which sends out of the NIC from its own thread.
 */
#include <stdio.h>
#include <string.h>
#include <keel/abi.h>
#include <keel/launch.h>
#include <keel/pci.h>
#include <libos/event.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <drivers/virtio_net.h>
#include "arp.h"
#include "ctl.h"
#include "hc.h"
#include "net.h"
#include "uplink.h"

#define UPLINK_TRIES   3
#define UPLINK_TRY_NS  (300 * 1000 * 1000ull)
#define UPLINK_POLL_NS (10 * 1000 * 1000ull)   /* without an interrupt */
#define UPLINK_BUDGET  VIRTIO_NET_BUDGET_DEFAULT

struct uplink {
    struct virtio_net *nic;
    keel_evtchn_port_t port;
    uint8_t mac[6], gw_mac[6];
    int gw_found;
    uint64_t asked_ns, answer_ns;
};

static struct uplink up;

/* Every frame goes to the switch; the gateway's answer to our probe is
 * also noted here (the switch drops it: it is for no guest). */
static void on_frames(void *ctx, const struct virtio_net_frame *f, unsigned n)
{
    struct uplink *u = ctx;
    static struct nb_frame nf[VIRTIO_NET_RX_BATCH];   /* one thread */
    unsigned m = n < VIRTIO_NET_RX_BATCH ? n : VIRTIO_NET_RX_BATCH;

    for (unsigned i = 0; i < m; i++)
        nf[i] = (struct nb_frame){ f[i].data, f[i].len };
    net_from_uplink(nf, m);
    for (unsigned i = 0; i < n && !u->gw_found; i++)
        if (arp_answer_from(f[i].data, f[i].len, KEEL_NET_PLAN_GATEWAY,
                            u->mac, u->gw_mac)) {
            u->gw_found = 1;
            u->answer_ns = hc_now_ns();
        }
}

/* Wait for the NIC until deadline (or one poll period without an
 * interrupt), then take everything it has. */
static void pump(struct uplink *u, uint64_t deadline)
{
    int n;

    if (u->port) {
        if (!libos_evtchn_wait(u->port, deadline))
            return;
        n = virtio_net_event(u->nic, UPLINK_BUDGET);
    } else {
        uint64_t next = hc_now_ns() + UPLINK_POLL_NS;
        libos_sleep_until(next < deadline ? next : deadline);
        n = virtio_net_poll(u->nic, UPLINK_BUDGET);
    }
    while (n == (int)UPLINK_BUDGET) {
        libos_thread_yield();          /* the toolstack between batches */
        n = virtio_net_poll(u->nic, UPLINK_BUDGET);
    }
}

static void ask_gateway(struct uplink *u)
{
    uint8_t frame[ARP_FRAME_LEN];
    size_t len = arp_request(frame, u->mac, 0, KEEL_NET_PLAN_GATEWAY);

    u->asked_ns = hc_now_ns();
    for (int i = 0; i < UPLINK_TRIES && !u->gw_found; i++) {
        uint64_t deadline = hc_now_ns() + UPLINK_TRY_NS;
        virtio_net_send(u->nic, frame, len);   /* a full queue: the next try */
        while (!u->gw_found && hc_now_ns() < deadline)
            pump(u, deadline);
    }
}

static const char *mac_text(const uint8_t m[6], char *buf)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 0; i < 6; i++) {
        buf[3 * i] = hex[m[i] >> 4];
        buf[3 * i + 1] = hex[m[i] & 15];
        buf[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    return buf;
}

/* "up; gateway 10.0.0.2 is at 52:55:0a:00:00:02 (ARP answered in 1375
 * us; 1 frames in, 1 out)" */
static void report(const struct uplink *u)
{
    const uint32_t gw = KEEL_NET_PLAN_GATEWAY;
    struct virtio_net_counters c;
    char mac[18], answer[96];

    virtio_net_counters(u->nic, &c);
    if (u->gw_found)
        snprintf(answer, sizeof(answer), "is at %s (ARP answered in %llu us",
                 mac_text(u->gw_mac, mac),
                 (unsigned long long)(u->answer_ns - u->asked_ns) / 1000);
    else
        snprintf(answer, sizeof(answer), "did not answer ARP (%llu ms",
                 (unsigned long long)(UPLINK_TRIES * UPLINK_TRY_NS / 1000000));
    hc_log("net: uplink %s mtu %u %s; gateway %u.%u.%u.%u %s; %llu frames in, "
           "%llu out)", mac_text(u->mac, mac), virtio_net_mtu(u->nic),
           virtio_net_link_up(u->nic) ? "up" : "down", gw >> 24,
           (gw >> 16) & 255, (gw >> 8) & 255, gw & 255, answer,
           (unsigned long long)c.rx_frames, (unsigned long long)c.tx_frames);
}

static int attach(struct uplink *u)
{
    uint64_t t0 = hc_now_ns(), t1, t2;
    uint32_t bdf;
    long rc = virtio_net_probe(&bdf);

    if (rc == -KEEL_ENODEV) {
        hc_log("net: no uplink: the machine has no virtio-net function");
        return -1;
    }
    t1 = hc_now_ns();
    if (rc == 0)
        libos_thread_yield();  /* ASSIGN and turning the function on cost
                                  QEMU milliseconds each: the toolstack
                                  runs in between */
    t2 = hc_now_ns();
    if (rc == 0 && (rc = virtio_net_attach(bdf, on_frames, u, &u->nic)) == 0) {
        u->port = virtio_net_port(u->nic);
        virtio_net_mac(u->nic, u->mac);
        net_uplink(u->nic);
        hc_log("net: NIC %02x:%02x.%x taken in %llu us, up in %llu us: "
               "features %#x, %s", KEEL_PCI_BUS(bdf), KEEL_PCI_DEV(bdf),
               KEEL_PCI_FN(bdf), (unsigned long long)(t1 - t0) / 1000,
               (unsigned long long)(hc_now_ns() - t2) / 1000,
               (unsigned)virtio_net_features(u->nic),
               u->port ? "interrupts" : "polled (no interrupt)");
        return 0;
    }
    hc_log("net: no uplink: the NIC did not come up: %s (%ld)",
           ctl_strerror(rc), rc);
    return -1;
}

static void *uplink_main(void *arg)
{
    struct uplink *u = arg;

    if (attach(u))
        return NULL;
    ask_gateway(u);
    report(u);
    for (;;)
        pump(u, LIBOS_FOREVER);
    return NULL;
}

int uplink_start(void)
{
    libos_thread_t *t;

    return libos_thread_create(&t, uplink_main, &up, 0);
}

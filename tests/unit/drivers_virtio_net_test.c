/*
 * sdk/drivers/virtio: the virtio-net driver over a fake legacy device
 * (drivers_fakedev.h).  What it agrees to, the order it brings the device
 * up in, a receive queue that stays filled, a transmit queue that fills
 * and drains (with its interrupt asked for only then), the header in a
 * descriptor of its own for a device without ANY_LAYOUT, a device that
 * reports nonsense, and attach failures.
 */
#include "ktest.h"
#include "../../sdk/drivers/virtio/virtqueue.c"
#include "drivers_fakedev.h"
#include "../../sdk/drivers/virtio/virtio_dev.c"
#include "../../sdk/drivers/virtio/virtio_net.c"
#include "../../sdk/drivers/virtio/virtio_net_io.c"

#define ALL_FEATURES 0xffffffffu
#define WANTED (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_F_ANY_LAYOUT)

static struct virtio_net *nic;
static unsigned got, batches, echo, echo_failed;
static long nested, nested_event;
static uint8_t last[4096];
static size_t last_len;

static void on_rx(void *ctx, const struct virtio_net_frame *f, unsigned n)
{
    (void)ctx;
    batches++;
    got += n;
    memcpy(last, f[n - 1].data, f[n - 1].len);
    last_len = f[n - 1].len;
    if (echo && virtio_net_send_many(nic, f, n) != n)
        echo_failed++;
    nested = virtio_net_poll(nic, 64);
    nested_event = virtio_net_event(nic, 64);
}

/* A device offering `features` (MTU mtu, link up), attached. */
static long up(uint32_t features, uint16_t mtu)
{
    fake_reset();
    fd.host_features = features;
    fd.cfg[VNET_CFG_STATUS] = VIRTIO_NET_S_LINK_UP;
    fd.cfg[VNET_CFG_MTU] = (uint8_t)mtu;
    fd.cfg[VNET_CFG_MTU + 1] = (uint8_t)(mtu >> 8);
    got = batches = echo = echo_failed = 0;
    nic = NULL;
    uint32_t bdf = 0;
    long rc = virtio_net_probe(&bdf);
    return rc ? rc : virtio_net_attach(bdf, on_rx, NULL, &nic);
}

static void frame_of(uint8_t *f, size_t len, unsigned seq)
{
    memset(f, 0, len);
    memset(f, 0xff, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq + i);
}

KTEST(takes_only_what_it_implements)
{
    uint8_t mac[6];

    EXPECT_EQ(up(ALL_FEATURES, 9000), 0);        /* more than a page holds */
    EXPECT_EQ(fd.guest_features, WANTED);        /* no CSUM, TSO, MRG_RXBUF, ... */
    EXPECT_EQ(virtio_net_features(nic), WANTED);
    EXPECT_EQ(virtio_net_mtu(nic), 1500);
    EXPECT_EQ(up(ALL_FEATURES, 1400), 0);
    EXPECT_EQ(fd.guest_features, WANTED | VIRTIO_NET_F_MTU);
    EXPECT_EQ(virtio_net_mtu(nic), 1400);
    EXPECT_EQ(up(VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_HOST_TSO4 |
                 VIRTIO_NET_F_MRG_RXBUF | VIRTIO_RING_F_EVENT_IDX, 0), 0);
    EXPECT_EQ(fd.guest_features, 0);
    virtio_net_mac(nic, mac);                    /* no MAC offered: our own */
    EXPECT(mac[0] == 0x02 && mac[1] == 0x4b && mac[2] == 0xff && mac[5] == FAKE_BDF);
    EXPECT(virtio_net_link_up(nic));             /* no STATUS: assumed up */
    EXPECT_EQ(up(VIRTIO_NET_F_MAC, 0), 0);
    virtio_net_mac(nic, mac);
    EXPECT(!memcmp(mac, fd.cfg, 6));
}

/* reset, ACKNOWLEDGE, DRIVER, features, both rings, DRIVER_OK, and only
 * then receive buffers and the first notification. */
KTEST(brings_the_device_up_in_order)
{
    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    EXPECT_EQ(fd.nstatus, 4);
    EXPECT(!memcmp(fd.status_log, "\0\1\3\7", 4));
    EXPECT_EQ(fd.status_at_pfn[0], 3);
    EXPECT_EQ(fd.status_at_pfn[1], 3);
    EXPECT(fd.pfn[0] && fd.pfn[1] && fd.pfn[0] != fd.pfn[1]);
    EXPECT_EQ(fd.notifies[0], 1);
    EXPECT_EQ(fd.status_at_notify & VIRTIO_STATUS_DRIVER_OK, 0);
    EXPECT_EQ(fake_posted(0), 256);
    EXPECT_EQ(fake_posted(1), 0);
    EXPECT_EQ(virtio_net_port(nic), FAKE_PORT);
}

KTEST(receive_queue_stays_filled)
{
    uint8_t f[1514];
    unsigned sent = 0;
    struct virtio_net_counters c;

    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    for (; sent < 300; sent++) {
        frame_of(f, 60 + sent, sent);
        if (fake_rx(f, 60 + sent, 0))
            break;
    }
    EXPECT_EQ(sent, 256);                        /* every buffer was posted */
    EXPECT_EQ(virtio_net_event(nic, 64), 64);
    EXPECT_EQ(batches, 1);                       /* one call for the batch */
    EXPECT_EQ(nested, -KEEL_EBUSY);              /* no polling from inside */
    EXPECT_EQ(nested_event, -KEEL_EBUSY);
    EXPECT_EQ(fd.irq_acks, 1);
    EXPECT_EQ(fake_posted(0), 64);               /* refilled after the batch */
    EXPECT_EQ(fd.notifies[0], 2);                /* one notification for it */
    EXPECT_EQ(last_len, 60 + 63);
    frame_of(f, 60 + 63, 63);
    EXPECT(!memcmp(last, f, last_len));
    EXPECT_EQ(virtio_net_poll(nic, 1000), 192);  /* the rest, three batches */
    EXPECT_EQ(batches, 4);
    EXPECT_EQ(got, 256);
    EXPECT_EQ(fake_posted(0), 256);
    frame_of(f, 1514, 7);
    EXPECT_EQ(fake_rx(f, 1514, 0), 0);           /* a full-sized frame fits */
    EXPECT_EQ(virtio_net_poll(nic, 64), 1);
    EXPECT(last_len == 1514 && !memcmp(last, f, 1514));
    virtio_net_counters(nic, &c);
    EXPECT_EQ(c.rx_frames, 257);
    EXPECT_EQ(c.rx_errors, 0);
}

KTEST(transmit_queue_fills_and_drains)
{
    uint8_t f[100], out[4096];
    struct virtio_net_counters c;

    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    struct virtqueue dev = fake_ring(1);
    EXPECT_EQ(dev.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
    for (unsigned i = 0; i < 256; i++) {
        frame_of(f, sizeof(f), i);
        EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), 0);
    }
    EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), -KEEL_ENOSPC);
    EXPECT_EQ(fake_posted(1), 256);              /* the refused frame is not queued */
    EXPECT_EQ(dev.avail->flags, 0);              /* full: interrupt wanted */
    EXPECT_EQ(fake_tx(out), sizeof(f));
    frame_of(f, sizeof(f), 0);
    EXPECT(!memcmp(out, f, sizeof(f)));
    EXPECT_EQ(fd.isr, VIRTIO_PCI_ISR_QUEUE);
    EXPECT_EQ(virtio_net_event(nic, 64), 0);     /* reclaims */
    EXPECT_EQ(fd.isr, 0);
    EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), 0);
    EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), -KEEL_ENOSPC);
    for (unsigned i = 0; i < 200; i++)
        EXPECT_EQ(fake_tx(out), sizeof(f));
    EXPECT_EQ(virtio_net_poll(nic, 64), 0);
    EXPECT_EQ(dev.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);   /* half free */
    for (unsigned i = 0; i < 200; i++)
        EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), 0);
    virtio_net_counters(nic, &c);
    EXPECT_EQ(c.tx_frames, 457);
    EXPECT_EQ(c.tx_full, 2);
}

/* A batch: taken in order, a malformed frame dropped and counted on the
 * way, one notification; what finds the queue full waits in the backlog
 * and goes out, in order, at the next poll once the device has used
 * buffers; a frame beyond the backlog is refused. */
KTEST(send_many_waits_in_the_backlog_when_the_queue_is_full)
{
    uint8_t f[100], out[4096];
    static struct virtio_net_frame batch[VIRTIO_NET_TX_BACKLOG + 8];
    struct virtio_net_counters c;

    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    frame_of(f, sizeof(f), 9);
    for (unsigned i = 0; i < 250; i++)
        EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), 0);
    for (unsigned i = 0; i < 10; i++)
        batch[i] = (struct virtio_net_frame){ f, (uint16_t)(i == 1 ? 5 : 60 + i) };
    unsigned before = fd.notifies[1];
    EXPECT_EQ(virtio_net_send_many(nic, batch, 10), 10);   /* 7..9 wait */
    EXPECT_EQ(fd.notifies[1], before + 1);
    EXPECT_EQ(virtio_net_send(nic, f, 60), -KEEL_ENOSPC);  /* never ahead of them */
    virtio_net_counters(nic, &c);
    EXPECT_EQ(c.tx_frames, 256);
    EXPECT_EQ(c.tx_errors, 1);
    EXPECT_EQ(c.tx_waited, 3);
    EXPECT_EQ(c.tx_full, 1);                                /* virtio_net_send's */
    for (unsigned i = 0; i < 250; i++)
        fake_tx(out);
    EXPECT_EQ(fake_tx(out), 60);
    EXPECT_EQ(fake_tx(out), 62);
    EXPECT_EQ(virtio_net_poll(nic, 64), 0);                 /* reclaims, sends 7..9 */
    for (unsigned i = 3; i < 7; i++)
        EXPECT_EQ(fake_tx(out), 60 + i);
    EXPECT_EQ(fake_tx(out), 67);
    EXPECT_EQ(fake_tx(out), 68);
    EXPECT_EQ(fake_tx(out), 69);
    EXPECT_EQ(virtio_net_poll(nic, 64), 0);
    /* the queue full again, then more than the backlog holds */
    for (unsigned i = 0; i < VIRTIO_NET_TX_BACKLOG + 8; i++)
        batch[i] = (struct virtio_net_frame){ f, 60 };
    EXPECT_EQ(virtio_net_send_many(nic, batch, 256), 256);
    EXPECT(virtio_net_send_many(nic, batch, VIRTIO_NET_TX_BACKLOG + 8) <
           VIRTIO_NET_TX_BACKLOG + 8);
    virtio_net_counters(nic, &c);
    EXPECT_EQ(c.tx_full, 2);
    EXPECT_EQ(nic->backlog_len, VIRTIO_NET_TX_BACKLOG);
}

KTEST(transmit_lengths)
{
    uint8_t f[1515], out[4096];

    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    frame_of(f, sizeof(f), 1);
    EXPECT_EQ(virtio_net_send(nic, f, 13), -KEEL_EINVAL);
    EXPECT_EQ(virtio_net_send(nic, f, 1515), -KEEL_EINVAL);
    EXPECT_EQ(virtio_net_send(nic, f, 1514), 0);
    EXPECT_EQ(virtio_net_send(nic, f, 14), 0);
    EXPECT_EQ(fake_tx(out), 1514);
    EXPECT(!memcmp(out, f, 1514));
    EXPECT_EQ(fake_tx(out), 14);
    EXPECT_EQ(fake_tx(out), -1);
    EXPECT_EQ(up(ALL_FEATURES, 1280), 0);
    EXPECT_EQ(virtio_net_send(nic, f, 1295), -KEEL_EINVAL);
}

/* Without ANY_LAYOUT the header has a descriptor of its own: half as
 * many buffers fit, and frames still arrive and leave whole. */
KTEST(header_alone_without_any_layout)
{
    uint8_t f[600], out[4096];

    EXPECT_EQ(up(VIRTIO_NET_F_MAC, 0), 0);
    struct virtqueue dev = fake_ring(0);
    uint16_t head = dev.avail->ring[0];
    EXPECT_EQ(fake_posted(0), 128);
    EXPECT_EQ(dev.desc[head].len, 10);
    EXPECT(dev.desc[head].flags & VRING_DESC_F_NEXT);
    frame_of(f, sizeof(f), 3);
    EXPECT_EQ(fake_rx(f, sizeof(f), 0), 0);
    EXPECT_EQ(virtio_net_poll(nic, 64), 1);
    EXPECT(last_len == sizeof(f) && !memcmp(last, f, sizeof(f)));
    EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), 0);
    EXPECT_EQ(fake_tx(out), sizeof(f));
    EXPECT(!memcmp(out, f, sizeof(f)));
    for (unsigned i = 0; i < 128; i++)          /* the first one came back */
        EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), 0);
    EXPECT_EQ(virtio_net_send(nic, f, sizeof(f)), -KEEL_ENOSPC);
}

/* A queue of 1024 gets 256 buffers; lengths the device should never
 * report are counted, and the buffer goes back all the same. */
KTEST(large_queue_and_bad_lengths)
{
    uint8_t f[64];
    struct virtio_net_counters c;

    fake_reset();
    fd.host_features = ALL_FEATURES;
    fd.qsize[0] = fd.qsize[1] = 1024;
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), 0);
    EXPECT_EQ(fake_posted(0), 256);
    got = batches = 0;
    frame_of(f, sizeof(f), 0);
    EXPECT_EQ(fake_rx(f, sizeof(f), 10 + 13), 0);     /* shorter than a header */
    EXPECT_EQ(fake_rx(f, sizeof(f), 10 + 1515), 0);   /* longer than the MTU */
    EXPECT_EQ(fake_rx(f, sizeof(f), 3), 0);
    EXPECT_EQ(virtio_net_poll(nic, 64), 3);
    EXPECT_EQ(got, 0);
    EXPECT_EQ(batches, 0);                       /* nothing to hand out */
    virtio_net_counters(nic, &c);
    EXPECT_EQ(c.rx_errors, 3);
    EXPECT_EQ(fake_posted(0), 256);
}

KTEST(link_status_and_shared_line)
{
    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    EXPECT(virtio_net_link_up(nic));
    fd.cfg[VNET_CFG_STATUS] = 0;
    fd.isr = VIRTIO_PCI_ISR_CONFIG;
    virtio_net_event(nic, 64);
    EXPECT(!virtio_net_link_up(nic));
    fake_reset();
    fd.bind_rc = -KEEL_EBUSY;                    /* a line we may not have */
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), 0);
    EXPECT_EQ(virtio_net_port(nic), 0);
    virtio_net_event(nic, 64);
    EXPECT_EQ(fd.irq_acks, 0);
}

/* MSI-X: the MAC and link at 24, both queues and configuration changes
 * on entry 0, no IRQ_ACK. */
KTEST(msix_when_the_function_has_it)
{
    uint8_t mac[6];

    fake_reset();
    fd.host_features = ALL_FEATURES;
    fd.msix_rc = 11;
    fd.cfg[VNET_CFG_STATUS] = 1;
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), 0);
    EXPECT_EQ(virtio_net_port(nic), 11);
    virtio_net_mac(nic, mac);
    EXPECT(!memcmp(mac, fd.cfg, 6));
    EXPECT(virtio_net_link_up(nic));
    EXPECT(fd.config_vector == 0 && fd.queue_vector[0] == 0 && fd.queue_vector[1] == 0);
    fd.cfg[VNET_CFG_STATUS] = 0;
    fd.isr = VIRTIO_PCI_ISR_CONFIG;
    virtio_net_event(nic, 64);
    EXPECT(!virtio_net_link_up(nic));
    EXPECT_EQ(fd.irq_acks, 0);
}

KTEST(echo_from_the_callback)
{
    uint8_t f[80], out[4096];

    EXPECT_EQ(up(ALL_FEATURES, 0), 0);
    echo = 1;
    for (unsigned i = 0; i < 10; i++) {
        frame_of(f, sizeof(f), i);
        EXPECT_EQ(fake_rx(f, sizeof(f), 0), 0);
    }
    EXPECT_EQ(virtio_net_poll(nic, 64), 10);
    EXPECT_EQ(echo_failed, 0);
    for (unsigned i = 0; i < 10; i++)
        EXPECT_EQ(fake_tx(out), sizeof(f));
    EXPECT(!memcmp(out, f, sizeof(f)));
}

KTEST(attach_failures)
{
    fake_reset();
    fd.open_rc = -KEEL_ENODEV;                   /* modern-only device */
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), -KEEL_ENODEV);
    fake_reset();
    fd.qsize[1] = 0;
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), -KEEL_EIO);
    EXPECT_EQ(fd.status_log[fd.nstatus - 2], 0);           /* reset */
    EXPECT_EQ(fd.status, VIRTIO_STATUS_FAILED);
    fake_reset();
    fd.qsize[0] = 96;
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), -KEEL_EIO);
    fake_reset();
    fd.dma_rc = -KEEL_ENOMEM;
    EXPECT_EQ(virtio_net_attach(FAKE_BDF, on_rx, NULL, &nic), -KEEL_ENOMEM);
    EXPECT_EQ(fd.status, VIRTIO_STATUS_FAILED);
}

KTEST_MAIN(KTEST_CASE(takes_only_what_it_implements),
           KTEST_CASE(brings_the_device_up_in_order),
           KTEST_CASE(msix_when_the_function_has_it),
           KTEST_CASE(receive_queue_stays_filled),
           KTEST_CASE(transmit_queue_fills_and_drains),
           KTEST_CASE(send_many_waits_in_the_backlog_when_the_queue_is_full),
           KTEST_CASE(transmit_lengths),
           KTEST_CASE(header_alone_without_any_layout),
           KTEST_CASE(large_queue_and_bad_lengths),
           KTEST_CASE(link_status_and_shared_line),
           KTEST_CASE(echo_from_the_callback),
           KTEST_CASE(attach_failures))

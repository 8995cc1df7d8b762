/*
 * dom0's disk thread (disk.h): attach, self test, serve.
 */
#include <stdint.h>
#include <keel/abi.h>
#include <keel/pci.h>
#include <libos/event.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <drivers/virtio_blk.h>
#include "ctl.h"
#include "disk.h"
#include "hc.h"

#define DISK_POLL_NS  (10 * 1000 * 1000ull)   /* without an interrupt */
#define DISK_TEST_NS  (2000 * 1000 * 1000ull)

struct disk {
    struct virtio_blk *blk;
    keel_evtchn_port_t port;
    int test_status;           /* 1: the self test's read is in flight */
};

static struct disk disk;

static void on_done(void *ctx, unsigned slot, uint64_t tag, int status)
{
    struct disk *d = ctx;

    (void)tag;
    d->test_status = status;
    virtio_blk_slot_put(d->blk, slot);
}

/* Wait for the device until deadline (or one poll period), then take its
 * completions. */
static void pump(struct disk *d, uint64_t deadline)
{
    if (d->port) {
        if (libos_evtchn_wait(d->port, deadline))
            virtio_blk_event(d->blk);
        return;
    }
    uint64_t next = hc_now_ns() + DISK_POLL_NS;
    libos_sleep_until(next < deadline ? next : deadline);
    virtio_blk_poll(d->blk);
}

/* Read the first logical sector: 0, or -KEEL_E*. */
static int self_test(struct disk *d)
{
    struct virtio_blk_info i;
    int s = virtio_blk_slot_get(d->blk);

    virtio_blk_info(d->blk, &i);
    struct virtio_blk_request r = { VIRTIO_BLK_READ, 0, i.sector_size, 0 };
    if (s < 0 || (d->test_status = virtio_blk_submit(d->blk, (unsigned)s, &r)))
        return s < 0 ? s : d->test_status;
    d->test_status = 1;
    virtio_blk_kick(d->blk);
    uint64_t deadline = hc_now_ns() + DISK_TEST_NS;
    while (d->test_status == 1 && hc_now_ns() < deadline)
        pump(d, deadline);
    return d->test_status == 1 ? -KEEL_EIO : d->test_status;
}

static int attach(struct disk *d)
{
    uint64_t t0 = hc_now_ns();
    struct virtio_blk_info i;
    uint32_t bdf;
    long rc = virtio_blk_probe(&bdf);

    if (rc == -KEEL_ENODEV)
        return -1;                 /* no --disk: nothing to say */
    if (rc == 0 && (rc = virtio_blk_attach(bdf, on_done, d, &d->blk)) == 0) {
        d->port = virtio_blk_port(d->blk);
        virtio_blk_info(d->blk, &i);
        rc = self_test(d);
        hc_log("disk: %02x:%02x.%x up in %llu us: %llu sectors of %u bytes, "
               "%s, %s, features %#x, %s; first sector read: %s",
               KEEL_PCI_BUS(bdf), KEEL_PCI_DEV(bdf), KEEL_PCI_FN(bdf),
               (unsigned long long)(hc_now_ns() - t0) / 1000,
               (unsigned long long)i.sectors, i.sector_size,
               i.read_only ? "ro" : "rw", i.flush ? "flush" : "no flush",
               (unsigned)i.features, d->port ? "interrupts" : "polled",
               rc ? ctl_strerror(rc) : "ok");
        return 0;
    }
    hc_log("disk: the virtio-blk function did not come up: %s (%ld)",
           ctl_strerror(rc), rc);
    return -1;
}

static void *disk_main(void *arg)
{
    struct disk *d = arg;

    if (attach(d))
        return NULL;
    for (;;)
        pump(d, LIBOS_FOREVER);
    return NULL;
}

int disk_start(void)
{
    libos_thread_t *t;

    return libos_thread_create(&t, disk_main, &disk, 0);
}

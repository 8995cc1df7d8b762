/*
 * dom0's disk (disk.h): the device, blkback's operations over the driver
 * (the hypercalls' are backend_ops.c), and the thread that serves both.
 *
 * The thread sleeps until the device's interrupt or the guest's event
 * wakes it (an upcall handler on each port sets a flag), takes the
 * device's completions (blkback answers the guest from them), then lets
 * blkback take the guest's requests.
 */
#include <keel/abi.h>
#include <keel/pci.h>
#include <libos/event.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <drivers/virtio_blk.h>
#include "ctl.h"
#include "disk.h"
#include "disk_impl.h"
#include "backend_ops.h"
#include "hc.h"

#define DISK_POLL_NS  (10 * 1000 * 1000ull)   /* without an interrupt */
#define DISK_TEST_NS  (2000 * 1000 * 1000ull)

_Static_assert(BB_IO_READ == VIRTIO_BLK_READ && BB_IO_WRITE == VIRTIO_BLK_WRITE &&
               BB_IO_FLUSH == VIRTIO_BLK_FLUSH, "blkback's operations are the driver's");
_Static_assert(VIRTIO_BLK_SLOTS <= BB_SLOTS_MAX, "blkback tracks every slot");

struct bb_disk disk_bb;
bool disk_present;
static struct virtio_blk *blk;
static keel_evtchn_port_t dev_port;
static volatile int woken, dev_event;
static int test_status;            /* 1: the self test's read is in flight */
static bool serving;               /* completions go to blkback */

static void on_done(void *ctx, unsigned slot, uint64_t tag, int status)
{
    (void)ctx;
    (void)tag;
    if (serving) {
        bb_disk_done(&disk_bb, slot, status);
        return;
    }
    test_status = status;
    virtio_blk_slot_put(blk, slot);
}

/* Read the first logical sector, waiting on the port itself (no handler
 * yet): 0, or -KEEL_E*. */
static int self_test(const struct virtio_blk_info *i)
{
    struct virtio_blk_request r = { VIRTIO_BLK_READ, 0, i->sector_size, 0 };
    int s = virtio_blk_slot_get(blk);
    uint64_t deadline = hc_now_ns() + DISK_TEST_NS;

    if (s < 0 || (test_status = virtio_blk_submit(blk, (unsigned)s, &r)))
        return s < 0 ? s : test_status;
    test_status = 1;
    virtio_blk_kick(blk);
    while (test_status == 1 && hc_now_ns() < deadline) {
        if (dev_port ? libos_evtchn_wait(dev_port, deadline) : 1)
            dev_port ? virtio_blk_event(blk) : virtio_blk_poll(blk);
    }
    return test_status == 1 ? -KEEL_EIO : test_status;
}

static int d_get(void *d) { return virtio_blk_slot_get(d); }
static void *d_data(void *d, unsigned s) { return virtio_blk_slot_data(d, s); }
static void d_put(void *d, unsigned s) { virtio_blk_slot_put(d, s); }
static void d_kick(void *d) { virtio_blk_kick(d); }
static int d_submit(void *d, unsigned s, unsigned op, uint64_t sector, uint32_t bytes)
{
    struct virtio_blk_request r = { op, sector, bytes, 0 };
    return virtio_blk_submit(d, s, &r);
}

static const struct bb_ops ops = { backend_copy, backend_notify, backend_log };
static const struct bb_dev_ops dev_ops = { d_get, d_data, d_put, d_submit, d_kick };

static void report(uint32_t bdf, uint64_t t0, const struct virtio_blk_info *i, int rc)
{
    hc_log("disk: %02x:%02x.%x up in %llu us: %llu sectors of %u bytes, "
           "%s, %s, features %#x, %s; first sector read: %s",
           KEEL_PCI_BUS(bdf), KEEL_PCI_DEV(bdf), KEEL_PCI_FN(bdf),
           (unsigned long long)(hc_now_ns() - t0) / 1000,
           (unsigned long long)i->sectors, i->sector_size,
           i->read_only ? "ro" : "rw", i->flush ? "flush" : "no flush",
           (unsigned)i->features, dev_port ? "interrupts" : "polled",
           rc ? ctl_strerror(rc) : "ok");
}

void disk_attach(void)
{
    uint64_t t0 = hc_now_ns();
    struct virtio_blk_info i;
    uint32_t bdf;
    long rc = virtio_blk_probe(&bdf);

    if (rc == -KEEL_ENODEV)
        return;                    /* no --disk: nothing to say */
    if (rc || (rc = virtio_blk_attach(bdf, on_done, NULL, &blk))) {
        hc_log("disk: the virtio-blk function did not come up: %s (%ld)",
               ctl_strerror(rc), rc);
        return;
    }
    dev_port = virtio_blk_port(blk);
    virtio_blk_info(blk, &i);
    rc = self_test(&i);
    report(bdf, t0, &i, (int)rc);
    struct bb_dev_info bi = { i.sectors, i.sector_size, i.max_bytes,
                              i.read_only, i.flush };
    if (rc == 0 && bb_disk_init(&disk_bb, &ops, &dev_ops, blk, &bi, NULL) == 0)
        disk_present = serving = true;
}

void disk_wake(void)
{
    woken = 1;
}

static void on_device(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    dev_event = 1;
    woken = 1;
}

static int is_woken(void *arg)
{
    (void)arg;
    return woken;
}

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        woken = 0;
        if (dev_event || !dev_port) {
            dev_event = 0;
            dev_port ? virtio_blk_event(blk) : virtio_blk_poll(blk);
        }
        disk_serve_vbd();
        libos_thread_wait(is_woken, 0, dev_port ? LIBOS_FOREVER :
                                                  hc_now_ns() + DISK_POLL_NS);
    }
    return NULL;
}

int disk_start(void)
{
    libos_thread_t *t;

    if (!disk_present)
        return 0;
    if (dev_port)
        libos_evtchn_set_handler(dev_port, on_device, NULL);
    return libos_thread_create(&t, serve, NULL, 0);
}

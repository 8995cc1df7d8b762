/*
 * dom0's disk (disk.h): the device, blkback's operations over the driver
 * (the hypercalls' are backend_ops.c), and the thread that serves both.
 *
 * One struct disk_dev per virtio-blk function keel run attached (one a
 * file: --disk); one thread serves them all.  The thread sleeps until a
 * device's interrupt or a guest's event wakes it (an upcall handler on
 * each port sets a flag), takes the
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

const struct manifest *disk_mf;
static struct disk_dev devs[DISK_DEVS_MAX];
static unsigned ndevs;
static volatile int woken;

static void on_done(void *ctx, unsigned slot, uint64_t tag, int status)
{
    struct disk_dev *d = ctx;

    (void)tag;
    if (d->serving) {
        bb_disk_done(&d->bb, slot, status);
        return;
    }
    d->test_status = status;
    d->bench_done++;
    virtio_blk_slot_put(d->blk, slot);
}

/* Read the first logical sector, waiting on the port itself (no handler
 * yet): 0, or -KEEL_E*. */
static int self_test(struct disk_dev *d, const struct virtio_blk_info *i)
{
    struct virtio_blk_request r = { .op = VIRTIO_BLK_READ, .bytes = i->sector_size };
    int s = virtio_blk_slot_get(d->blk);
    uint64_t deadline = hc_now_ns() + DISK_TEST_NS;

    if (s < 0 || (d->test_status = virtio_blk_submit(d->blk, (unsigned)s, &r)))
        return s < 0 ? s : d->test_status;
    d->test_status = 1;
    virtio_blk_kick(d->blk);
    while (d->test_status == 1 && hc_now_ns() < deadline) {
        if (d->port ? libos_evtchn_wait(d->port, deadline) : 1)
            d->port ? virtio_blk_event(d->blk) : virtio_blk_poll(d->blk);
    }
    return d->test_status == 1 ? -KEEL_EIO : d->test_status;
}

static int d_get(void *d) { return virtio_blk_slot_get(d); }
static void *d_data(void *d, unsigned s) { return virtio_blk_slot_data(d, s); }
static void d_put(void *d, unsigned s) { virtio_blk_slot_put(d, s); }
static void d_kick(void *d) { virtio_blk_kick(d); }
static int d_submit(void *d, unsigned s, unsigned op, uint64_t sector, uint32_t bytes)
{
    struct virtio_blk_request r = { .op = op, .sector = sector, .bytes = bytes };
    return virtio_blk_submit(d, s, &r);
}

static int d_discard(void *d, unsigned s, uint64_t sector, uint32_t sectors)
{
    struct virtio_blk_request r = { .op = VIRTIO_BLK_DISCARD, .sector = sector,
                                    .sectors = sectors };
    return virtio_blk_submit(d, s, &r);
}

static const struct bb_ops ops = { .copy = backend_copy, .notify = backend_notify,
                                   .log = backend_log, .map_device = disk_map_device,
                                   .unmap_device = disk_unmap_device };
static const struct bb_dev_ops dev_ops = { .slot_get = d_get, .slot_data = d_data,
                                           .slot_put = d_put, .submit = d_submit,
                                           .kick = d_kick, .submit_sg = disk_submit_sg,
                                           .discard = d_discard };

static void report(const struct disk_dev *d, uint64_t t0,
                   const struct virtio_blk_info *i, int rc)
{
    hc_log("disk: %02x:%02x.%x up in %llu us: %llu sectors of %u bytes, "
           "%s, %s, discard %u, features %#x, %s; first sector read: %s",
           KEEL_PCI_BUS(d->bdf), KEEL_PCI_DEV(d->bdf), KEEL_PCI_FN(d->bdf),
           (unsigned long long)(hc_now_ns() - t0) / 1000,
           (unsigned long long)i->sectors, i->sector_size,
           i->read_only ? "ro" : "rw", i->flush ? "flush" : "no flush",
           (unsigned)i->max_discard_sectors, (unsigned)i->features,
           d->port ? "interrupts" : "polled", rc ? ctl_strerror(rc) : "ok");
}

/* One more virtio-blk function: false when there is none left. */
static bool attach_one(struct disk_dev *d)
{
    uint64_t t0 = hc_now_ns();
    struct virtio_blk_info i;
    long rc = virtio_blk_probe(&d->bdf);

    if (rc == -KEEL_ENODEV)
        return false;              /* no (more) --disk: nothing to say */
    if (rc || (rc = virtio_blk_attach(d->bdf, on_done, d, &d->blk))) {
        hc_log("disk: a virtio-blk function did not come up: %s (%ld)",
               ctl_strerror(rc), rc);
        return d->bdf != 0;        /* taken but unusable: try the next */
    }
    d->port = virtio_blk_port(d->blk);
    virtio_blk_info(d->blk, &i);
    rc = self_test(d, &i);
    report(d, t0, &i, (int)rc);
    struct bb_dev_info bi = { .sectors = i.sectors, .sector_size = i.sector_size,
                              .max_bytes = i.max_bytes, .read_only = i.read_only,
                              .flush = i.flush, .discard = i.discard,
                              .max_discard = i.max_discard_sectors };
    if (rc == 0 && bb_disk_init(&d->bb, &ops, &dev_ops, d->blk, &bi, NULL) == 0)
        d->serving = true;
    return true;
}

void disk_attach(const struct manifest *m)
{
    disk_mf = m;
    while (ndevs < DISK_DEVS_MAX && attach_one(&devs[ndevs]))
        if (devs[ndevs].serving)
            ndevs++;
        else
            devs[ndevs] = (struct disk_dev){ 0 };
    if (m->disk_bench && ndevs) {   /* before any guest: nothing shares it */
        devs[0].serving = false;
        disk_bench(&devs[0]);
        devs[0].serving = true;
    }
}

struct bb_disk *disk_at_slot(uint32_t slot)
{
    for (unsigned k = 0; k < ndevs; k++)
        if (KEEL_PCI_DEV(devs[k].bdf) == slot && KEEL_PCI_BUS(devs[k].bdf) == 0)
            return &devs[k].bb;
    return NULL;
}

void disk_wake(void)
{
    woken = 1;
}

static void on_device(keel_evtchn_port_t port, void *arg)
{
    struct disk_dev *d = arg;

    (void)port;
    d->event = 1;
    woken = 1;
}

static int is_woken(void *arg)
{
    (void)arg;
    return woken;
}

static void *serve(void *arg)
{
    bool polled = false;

    (void)arg;
    for (unsigned k = 0; k < ndevs; k++)
        polled |= !devs[k].port;
    for (;;) {
        woken = 0;
        for (unsigned k = 0; k < ndevs; k++)
            bb_disk_hold(&devs[k].bb);
        for (unsigned k = 0; k < ndevs; k++) {
            struct disk_dev *d = &devs[k];
            if (d->event || !d->port) {
                d->event = 0;
                d->port ? virtio_blk_event(d->blk) : virtio_blk_poll(d->blk);
            }
        }
        disk_serve_vbd();
        for (unsigned k = 0; k < ndevs; k++)   /* one event per guest a turn */
            bb_disk_release(&devs[k].bb);
        libos_thread_wait(is_woken, 0, polled ? hc_now_ns() + DISK_POLL_NS :
                                                LIBOS_FOREVER);
    }
    return NULL;
}

/* Which path the guests' requests took, for make bench (as net_report). */
void disk_report(void)
{
    uint64_t zc = 0, copied = 0, calls = 0;

    for (unsigned k = 0; k < ndevs; k++) {
        zc += devs[k].bb.zero_copy;
        copied += devs[k].bb.copied;
        calls += devs[k].bb.copy_calls;
    }
    if (!zc && !copied)
        return;
    ctl_run_timing("disk_zero_copy", zc);
    ctl_run_timing("disk_copied", copied);
    ctl_run_timing("disk_copy_calls", calls);
}

int disk_start(void)
{
    libos_thread_t *t;

    if (!ndevs)
        return 0;
    for (unsigned k = 0; k < ndevs; k++)
        if (devs[k].port)
            libos_evtchn_set_handler(devs[k].port, on_device, &devs[k]);
    return libos_thread_create(&t, serve, NULL, 0);
}

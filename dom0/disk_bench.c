/*
 * dom0 reading and writing its virtio-blk device directly, with the
 * patterns of tests/guests/disk.c's `bench` mode, for make bench's
 * "blkfront vs dom0" rows (bench/bench_blk.py, docs/blk.md).  Only when
 * the manifest asks (`diskbench`, keel run under KEEL_DISK_BENCH=1): the
 * device's contents are overwritten.  Runs before any guest is served,
 * on the first device, with completions counted instead of handed to
 * blkback, and logs one line:
 *
 *   disk: bench dom0 seqw1=MiB/s seqr1=MiB/s seqw8=.. seqr8=.. rand1=IOPS rand32=IOPS
 *                    seqw32=.. seqr32=..
 */
#include <keel/abi.h>
#include <libos/event.h>
#include <drivers/virtio_blk.h>
#include "disk_impl.h"
#include "hc.h"

#define BIG_BYTES    KEEL_BLK_REQ_MAX_BYTES
#define RAND_BYTES   4096u
#define RAND_COUNT   2048u
#define STEP_NS      (5000ull * 1000 * 1000)   /* a request that never ends */

struct run {
    struct disk_dev *d;
    unsigned op, bytes, depth;
    uint64_t count, next, done;
    uint64_t units;               /* request-size units in the disk */
    bool random;
};

static uint64_t where(const struct run *r, uint64_t i)
{
    return (r->random ? i * 7919ull % r->units : i % r->units) * (r->bytes / 512);
}

/* Keep depth requests on the device until count are done: false when the
 * device stopped answering or refused one. */
static bool pump(struct run *r)
{
    struct disk_dev *d = r->d;
    uint64_t inflight = 0;

    d->bench_done = 0;
    while (r->done < r->count) {
        while (inflight < r->depth && r->next < r->count) {
            int s = virtio_blk_slot_get(d->blk);
            struct virtio_blk_request q = { .op = r->op, .sector = where(r, r->next),
                                            .bytes = r->bytes };
            if (s < 0 || virtio_blk_submit(d->blk, (unsigned)s, &q))
                return false;
            r->next++;
            inflight++;
        }
        virtio_blk_kick(d->blk);
        uint64_t before = d->bench_done, deadline = hc_now_ns() + STEP_NS;
        while (d->bench_done == before && hc_now_ns() < deadline)
            if (d->port ? libos_evtchn_wait(d->port, deadline) : 1)
                d->port ? virtio_blk_event(d->blk) : virtio_blk_poll(d->blk);
        if (d->bench_done == before || d->test_status)
            return false;
        inflight -= d->bench_done - before;
        r->done += d->bench_done - before;
        d->bench_done = 0;
    }
    return true;
}

/* MiB/s (sequential) or IOPS (random) of one pattern; -1 on failure. */
static double measure(struct disk_dev *d, unsigned op, unsigned bytes,
                      unsigned depth, bool random, uint64_t sectors)
{
    struct run r = { d, op, bytes, depth, 0, 0, 0, sectors / (bytes / 512), random };
    uint64_t t0 = hc_now_ns();

    r.count = random ? RAND_COUNT : r.units;
    if (!r.units || !pump(&r))
        return -1;
    if (op == VIRTIO_BLK_WRITE) {
        struct run f = { d, VIRTIO_BLK_FLUSH, 0, 1, 1, 0, 0, 1, false };
        if (d->bb.info.flush && !pump(&f))
            return -1;
    }
    double secs = (double)(hc_now_ns() - t0) / 1e9;
    return random ? (double)r.count / secs : (double)r.count * bytes / secs / (1 << 20);
}

void disk_bench(struct disk_dev *d)
{
    uint64_t n = d->bb.info.sectors;
    double v[8] = {
        measure(d, VIRTIO_BLK_WRITE, BIG_BYTES, 1, false, n),
        measure(d, VIRTIO_BLK_READ, BIG_BYTES, 1, false, n),
        measure(d, VIRTIO_BLK_WRITE, BIG_BYTES, 8, false, n),
        measure(d, VIRTIO_BLK_READ, BIG_BYTES, 8, false, n),
        measure(d, VIRTIO_BLK_READ, RAND_BYTES, 1, true, n),
        measure(d, VIRTIO_BLK_READ, RAND_BYTES, 32, true, n),
        measure(d, VIRTIO_BLK_WRITE, BIG_BYTES, 32, false, n),
        measure(d, VIRTIO_BLK_READ, BIG_BYTES, 32, false, n),
    };
    hc_log("disk: bench dom0 seqw1=%.1f seqr1=%.1f seqw8=%.1f seqr8=%.1f "
           "rand1=%.0f rand32=%.0f seqw32=%.1f seqr32=%.1f",
           v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}

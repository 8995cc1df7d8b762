/*
 * make bench's block rows (bench/bench_blk.py, docs/blk.md): the guest's
 * disk through blkfront with the patterns dom0/disk_bench.c uses on the
 * device directly, in one run (keel run under KEEL_DISK_BENCH=1, a
 * scratch disk: it is overwritten).  One line:
 *
 *   blk: bench guest seqw1=MiB/s seqr1=MiB/s seqw8=.. seqr8=.. rand1=IOPS rand32=IOPS
 *                    cseqw8=.. cseqr8=.. seqw32=.. seqr32=..
 *
 * Sequential: the whole disk in 44 KiB requests (keel/blk.h's largest),
 * 1, 8 or 32 at a time, a write pass ending with a flush; random: 2048
 * reads of 4 KiB, one or 32 at a time.  Every request's buffer is a
 * blkfront zero-copy buffer (blkfront_buffer_alloc), as an app that wants
 * raw blocks fast would use; the two "copied" patterns (cseqw8, cseqr8)
 * use the app's own memory, which blkfront copies through its pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <keel/abi.h>
#include <libos/time.h>
#include <blkfront/blkfront.h>

#define BIG        KEEL_BLK_REQ_MAX_BYTES
#define SMALL      4096u
#define RAND_COUNT 2048u

static struct blkfront *bf;
static uint8_t *buf;              /* every request's: contents do not matter */
static uint8_t own[BIG];          /* the app's memory: copied through */

struct run {
    unsigned op, bytes, depth;
    uint64_t count, next, done, units;
    bool random, failed;
};

static uint64_t where(const struct run *r, uint64_t i)
{
    return (r->random ? i * 7919ull % r->units : i % r->units) * (r->bytes / 512);
}

static void on_done(struct blkfront_io *io, int status)
{
    struct run *r = io->arg;

    r->done++;
    r->failed |= status != 0;
    if (r->next < r->count && !r->failed) {
        io->sector = where(r, r->next++);
        r->failed |= blkfront_submit(bf, io) != 0;
    }
}

static double measure_on(uint8_t *data, unsigned op, unsigned bytes, unsigned depth,
                         bool random)
{
    struct run r = { op, bytes, depth, 0, 0, 0, blkfront_sectors(bf) / (bytes / 512),
                     random, false };
    struct blkfront_io io[BLKFRONT_INFLIGHT];
    uint64_t t0 = libos_monotonic_ns();

    r.count = random ? RAND_COUNT : r.units;
    for (unsigned i = 0; i < depth && r.next < r.count; i++) {
        io[i] = (struct blkfront_io){ .op = op, .sector = where(&r, r.next++), .buf = data,
                                      .bytes = bytes, .done = on_done, .arg = &r };
        if (blkfront_submit(bf, &io[i]))
            return -1;
    }
    while (r.done < r.count && !r.failed)
        blkfront_poll(bf, LIBOS_FOREVER);
    if (r.failed || (op == KEEL_BLK_OP_WRITE && blkfront_flush(bf)))
        return -1;
    double secs = (double)(libos_monotonic_ns() - t0) / 1e9;
    return random ? (double)r.count / secs : (double)r.count * bytes / secs / (1 << 20);
}

static double measure(unsigned op, unsigned bytes, unsigned depth, bool random)
{
    return measure_on(buf, op, bytes, depth, random);
}

int main(void)
{
    int rc = blkfront_open(&bf);

    if (rc || !(buf = blkfront_buffer_alloc(bf, BIG))) {
        printf("blk: FAIL open (%d)\n", rc);
        return 1;
    }
    double v[10] = {
        measure(KEEL_BLK_OP_WRITE, BIG, 1, false),
        measure(KEEL_BLK_OP_READ, BIG, 1, false),
        measure(KEEL_BLK_OP_WRITE, BIG, 8, false),
        measure(KEEL_BLK_OP_READ, BIG, 8, false),
        measure(KEEL_BLK_OP_READ, SMALL, 1, true),
        measure(KEEL_BLK_OP_READ, SMALL, 32, true),
        measure_on(own, KEEL_BLK_OP_WRITE, BIG, 8, false),
        measure_on(own, KEEL_BLK_OP_READ, BIG, 8, false),
        measure(KEEL_BLK_OP_WRITE, BIG, 32, false),
        measure(KEEL_BLK_OP_READ, BIG, 32, false),
    };
    printf("blk: bench guest seqw1=%.1f seqr1=%.1f seqw8=%.1f seqr8=%.1f "
           "rand1=%.0f rand32=%.0f cseqw8=%.1f cseqr8=%.1f seqw32=%.1f seqr32=%.1f\n",
           v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    for (unsigned i = 0; i < 10; i++)
        if (v[i] < 0)
            return 1;
    return 0;
}

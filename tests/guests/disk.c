/*
 * The guest's disk through blkfront (blkfront/blkfront.h), for
 * tests/integration/test_disk.py.  One mode per run (the argument after
 * --), a seed choosing the bytes:
 *   write SEED   a 44 KiB request at sector 0, 8 asynchronous 4 KiB ones
 *                further on, a flush, everything read back and compared
 *   check SEED   reads what `write SEED` wrote (a later run)
 *   ro           a write and a discard are refused (EROFS), a read works
 *   zerocopy SEED  a 44 KiB write and 4 KiB ones from inside a zero-copy
 *                buffer (blkfront_buffer_alloc) at ZC_AT, read back through
 *                the app's own memory and into the buffer again; a buffer
 *                not on a page start is copied; free then alloc reuses; the
 *                1 MiB bound says NULL
 *   evil         scribbles its ring's producer index and waits to be cut
 *                off (the backend says CLOSED; reads then fail EPIPE)
 *   list         every disk it has (blkfront_open_nth): its size, ro or
 *                rw, mount point, an FNV-1a sum of all its bytes, and for
 *                a read-only one that a write is refused (EROFS) and the
 *                sum the same after; ", ext2" when it holds ext2's magic
 *   fill SEED, discard, discardpast   disk_discard.h
 * Prints "disk: ... ok" or "disk: FAIL ..." (exit 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include <libos/device.h>
#include <libos/time.h>
#include <blkfront/blkfront.h>

#define BIG     KEEL_BLK_REQ_MAX_BYTES
#define SMALL   4096u
#define NSMALL  8u
#define SMALL_AT 1000u             /* first sector of the small ones */

static struct blkfront *bf;
static uint8_t big[BIG], small[NSMALL][SMALL], back[BIG];

static _Noreturn void fail(const char *what, int rc)
{
    printf("disk: FAIL %s (%d)\n", what, rc);
    exit(1);
}

static void fill(uint8_t *p, size_t n, unsigned seed, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 31 + salt * 7 + i * 13 + (i >> 9));
}

static unsigned answered;

static void on_done(struct blkfront_io *io, int status)
{
    if (status)
        fail("an asynchronous write", status);
    (void)io;
    answered++;
}

#include "disk_discard.h"

static void write_all(unsigned seed)
{
    struct blkfront_io io[NSMALL];
    int rc;

    fill(big, BIG, seed, 0);
    if ((rc = blkfront_write(bf, 0, big, BIG)))
        fail("the 44 KiB write", rc);
    for (unsigned i = 0; i < NSMALL; i++) {
        fill(small[i], SMALL, seed, i + 1);
        io[i] = (struct blkfront_io){ .op = KEEL_BLK_OP_WRITE, .sector = SMALL_AT + i * 8,
                                      .buf = small[i], .bytes = SMALL, .done = on_done };
        if ((rc = blkfront_submit(bf, &io[i])))
            fail("submit", rc);
    }
    while (answered < NSMALL)
        blkfront_poll(bf, LIBOS_FOREVER);
    if ((rc = blkfront_flush(bf)))
        fail("flush", rc);
}

static void check_all(unsigned seed)
{
    int rc;

    fill(big, BIG, seed, 0);
    if ((rc = blkfront_read(bf, 0, back, BIG)) || memcmp(back, big, BIG))
        fail("reading the 44 KiB back", rc);
    for (unsigned i = 0; i < NSMALL; i++) {
        fill(small[i], SMALL, seed, i + 1);
        if ((rc = blkfront_read(bf, SMALL_AT + i * 8, back, SMALL)) ||
            memcmp(back, small[i], SMALL))
            fail("reading a 4 KiB one back", rc);
    }
}

#define ZC_AT 4000u                /* first sector the zerocopy mode writes */

static void zc_write(uint8_t *zc, unsigned seed)
{
    struct blkfront_io io[NSMALL];
    int rc;

    fill(zc, BIG, seed, 9);
    if ((rc = blkfront_write(bf, ZC_AT, zc, BIG)))
        fail("the zero-copy 44 KiB write", rc);
    answered = 0;
    for (unsigned i = 0; i < NSMALL; i++) {      /* pages 1..8 of it, elsewhere */
        io[i] = (struct blkfront_io){ .op = KEEL_BLK_OP_WRITE, .sector = ZC_AT + 100 + i * 8,
                                      .buf = zc + (i + 1) * SMALL, .bytes = SMALL,
                                      .done = on_done };
        if ((rc = blkfront_submit(bf, &io[i])))
            fail("a zero-copy submit", rc);
    }
    while (answered < NSMALL)
        blkfront_poll(bf, LIBOS_FOREVER);
    if ((rc = blkfront_flush(bf)))
        fail("flush", rc);
}

static void zc_check(uint8_t *zc, unsigned seed)
{
    int rc;

    fill(big, BIG, seed, 9);
    if ((rc = blkfront_read(bf, ZC_AT, back, BIG)) || memcmp(back, big, BIG))
        fail("the zero-copy write read back into own memory", rc);
    for (unsigned i = 0; i < NSMALL; i++)
        if ((rc = blkfront_read(bf, ZC_AT + 100 + i * 8, back, SMALL)) ||
            memcmp(back, big + (i + 1) * SMALL, SMALL))
            fail("a zero-copy 4 KiB write read back", rc);
    memset(zc, 0, BIG);
    if ((rc = blkfront_read(bf, ZC_AT, zc, BIG)) || memcmp(zc, big, BIG))
        fail("a read into the zero-copy buffer", rc);
    if ((rc = blkfront_read(bf, ZC_AT, zc + 512, SMALL)) || memcmp(zc + 512, big, SMALL))
        fail("a read into the buffer off a page start", rc);
}

static void zerocopy(unsigned seed)
{
    uint8_t *zc = blkfront_buffer_alloc(bf, BIG), *again, *over;

    if (!zc || (uintptr_t)zc % KEEL_PAGE_SIZE)
        fail("blkfront_buffer_alloc", 0);
    zc_write(zc, seed);
    zc_check(zc, seed);
    blkfront_buffer_free(bf, zc);
    if ((again = blkfront_buffer_alloc(bf, SMALL)) != zc)
        fail("a freed buffer is not reused", 0);
    /* 11 pages held: 245 more reach the bound, one more is over it */
    if (!(over = blkfront_buffer_alloc(bf, 245 * KEEL_PAGE_SIZE)) ||
        blkfront_buffer_alloc(bf, SMALL))
        fail("the buffers' 1 MiB bound", 0);
    printf("disk: zero-copy buffers ok\n");
}

/* The producer index jumps; an event reaches dom0 on the port we share
 * with it (the console's output sends one), and blkback cuts us off. */
static void evil(void)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_BLOCK, NULL);
    struct keel_blk_page *pg = (void *)(uintptr_t)d->ring_va;
    struct keel_blk_sring *s = (void *)(uintptr_t)(d->ring_va + KEEL_PAGE_SIZE);
    int rc;

    if ((rc = blkfront_read(bf, 0, back, SMALL)))
        fail("a read before", rc);
    s->h.req_prod += 1000;
    for (int i = 0; i < 100 && pg->hdr.mapper_state != KEEL_CONN_CLOSED; i++) {
        printf("disk: scribbled, waiting\n");
        fflush(stdout);
        libos_sleep_until(libos_monotonic_ns() + 20 * 1000 * 1000);
    }
    if (pg->hdr.mapper_state != KEEL_CONN_CLOSED)
        fail("never cut off", 0);
    if ((rc = blkfront_read(bf, 0, back, SMALL)) != -KEEL_EPIPE)
        fail("a read after", rc);
    printf("disk: cut off ok\n");
}

static uint32_t disk_sum(struct blkfront *d)
{
    uint64_t total = blkfront_sectors(d), at = 0;
    uint32_t h = 2166136261u;
    int rc;

    while (at < total) {
        uint64_t n = total - at < BIG / 512 ? total - at : BIG / 512;
        if ((rc = blkfront_read(d, at, back, n * 512)))
            fail("a read for the sum", rc);
        for (size_t i = 0; i < n * 512; i++)
            h = (h ^ back[i]) * 16777619u;
        at += n;
    }
    return h;
}

static void list(void)
{
    struct blkfront *d;
    unsigned n;
    int rc;

    for (n = 0; (rc = blkfront_open_nth(n, &d)) == 0; n++) {
        uint32_t sum = disk_sum(d);
        const char *w = "";
        if (blkfront_read_only(d)) {
            if ((rc = blkfront_write(d, 0, big, SMALL)) != -KEEL_EROFS)
                fail("a write to a read-only disk", rc);
            if (disk_sum(d) != sum)
                fail("a read-only disk changed", 0);
            w = ", write refused EROFS";
        }
        if ((rc = blkfront_read(d, 2, back, 1024)))
            fail("a read of the superblock", rc);
        bool ext2 = back[56] == 0x53 && back[57] == 0xef;   /* s_magic */
        printf("disk %u: %llu sectors, %s, at %s, sum %08x%s%s\n", n,
               (unsigned long long)blkfront_sectors(d),
               blkfront_read_only(d) ? "ro" : "rw", blkfront_mount_point(d), sum, w,
               ext2 ? ", ext2" : "");
    }
    if (rc != -KEEL_ENODEV)
        fail("open_nth", rc);
    printf("disk: %u disks listed ok\n", n);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "write";
    unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    int rc;

    if (!strcmp(mode, "list")) {
        list();
        return 0;
    }
    if ((rc = blkfront_open(&bf)))
        fail("open", rc);
    printf("disk: %llu sectors of %u bytes, %s\n",
           (unsigned long long)blkfront_sectors(bf), blkfront_sector_size(bf),
           blkfront_read_only(bf) ? "ro" : "rw");
    if (!strcmp(mode, "write")) {
        write_all(seed);
        check_all(seed);
        printf("disk: wrote, flushed, read back ok\n");
    } else if (!strcmp(mode, "check")) {
        check_all(seed);
        printf("disk: found ok\n");
    } else if (!strcmp(mode, "ro")) {
        if ((rc = blkfront_write(bf, 0, big, SMALL)) != -KEEL_EROFS)
            fail("a write to a read-only disk", rc);
        discard_ro();
        if ((rc = blkfront_read(bf, 0, back, SMALL)))
            fail("a read of a read-only disk", rc);
        printf("disk: write refused EROFS, discard refused EROFS, read ok\n");
    } else if (!strcmp(mode, "zerocopy")) {
        zerocopy(seed);
    } else if (!strcmp(mode, "evil")) {
        evil();
    } else if (!strcmp(mode, "fill")) {
        fill_range(seed);
    } else if (!strcmp(mode, "discard")) {
        discard_range();
    } else if (!strcmp(mode, "discardpast")) {
        discard_past();
    }
    return 0;
}

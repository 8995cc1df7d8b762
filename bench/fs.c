/*
 * make bench's file rows (bench/bench_blk.py, docs/fs.md "Measured"): a
 * 64 MiB file written (64 KiB write calls, then fsync) and read back
 * through the file system on the first disk, beside the same bytes
 * through blkfront on the second (a scratch disk, mounted nowhere
 * useful: it is taken raw before the first path call), 44 KiB requests
 * one at a time, a write pass ending with a flush.  One line:
 *
 *   fs: bench fsw=MiB/s fsr=MiB/s raww=MiB/s rawr=MiB/s
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <keel/abi.h>
#include <libos/time.h>
#include <blkfront/blkfront.h>

#define FILE_BYTES (64u << 20)
#define CHUNK      (64u << 10)
#define BIG        KEEL_BLK_REQ_MAX_BYTES

static uint8_t buf[CHUNK];

static double mib_s(uint64_t t0)
{
    return (double)FILE_BYTES / ((double)(libos_monotonic_ns() - t0) / 1e9) / (1 << 20);
}

static double raw(struct blkfront *bf, bool out)
{
    uint64_t t0 = libos_monotonic_ns();

    for (uint64_t at = 0; at < FILE_BYTES; at += BIG) {
        size_t n = FILE_BYTES - at < BIG ? FILE_BYTES - at : BIG;
        uint64_t sector = at / KEEL_BLK_SECTOR;
        if ((out ? blkfront_write(bf, sector, buf, n) : blkfront_read(bf, sector, buf, n)))
            return -1;
    }
    if (out && blkfront_flush(bf))
        return -1;
    return mib_s(t0);
}

static double file_pass(bool out)
{
    uint64_t t0 = libos_monotonic_ns();
    int fd = open("/big", out ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY, 0644);

    if (fd < 0)
        return -1;
    for (uint32_t at = 0; at < FILE_BYTES; at += CHUNK)
        if ((out ? write(fd, buf, CHUNK) : read(fd, buf, CHUNK)) != CHUNK)
            return -1;
    if ((out && fsync(fd)) || close(fd))
        return -1;
    return mib_s(t0);
}

int main(void)
{
    struct blkfront *bf;
    int rc = blkfront_open_nth(1, &bf);

    if (rc) {
        printf("fs: FAIL open the scratch disk (%d)\n", rc);
        return 1;
    }
    for (unsigned i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 31);
    double v[4] = { file_pass(true), file_pass(false), raw(bf, true), raw(bf, false) };
    printf("fs: bench fsw=%.1f fsr=%.1f raww=%.1f rawr=%.1f\n", v[0], v[1], v[2], v[3]);
    return v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0;
}

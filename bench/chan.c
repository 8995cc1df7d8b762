/*
 * The inter-guest channel's throughput, the floor of the network's guest
 * to guest rows (bench/bench.py):
 *
 *   keel run --connect 0:1 chan.img chan.img -- BYTES
 *
 * The granter writes BYTES (64 KiB at a time) and closes; the mapper reads
 * to the end and prints "chan bytes= ns=" from its first byte to the end,
 * as bench/net.c's stream does for TCP.
 */
#include <inttypes.h>
#include "../tests/guests/chan_common.h"

#define CHUNK (64 * 1024)

static uint8_t buf[CHUNK];

static int send_all(libos_chan_t *c, size_t bytes)
{
    for (size_t done = 0; done < bytes;) {
        size_t n = bytes - done < CHUNK ? bytes - done : CHUNK;
        long w = libos_chan_write(c, buf, n);
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

static int receive_all(libos_chan_t *c)
{
    uint64_t first = 0, total = 0;
    long r;

    while ((r = libos_chan_read(c, buf, sizeof(buf))) > 0) {
        if (!first)
            first = libos_monotonic_ns();
        total += (uint64_t)r;
    }
    if (r < 0)
        return -1;
    printf("chan bytes=%" PRIu64 " ns=%" PRIu64 "\n", total,
           libos_monotonic_ns() - first);
    return 0;
}

int main(int argc, char **argv)
{
    size_t bytes = argc > 1 ? strtoul(argv[1], NULL, 10) : 16u << 20;
    libos_chan_t *c = chan_open_or_die("chan");
    int rc = libos_chan_is_granter(c) ? send_all(c, bytes) : receive_all(c);

    if (libos_chan_close(c, libos_monotonic_ns() + 10000000000ull) || rc) {
        printf("chan: FAIL\n");
        return 1;
    }
    return 0;
}

/*
 * Event ping-pong over a channel: the granter sends a 4-byte counter, the
 * mapper answers with counter + 1, argv[1] times (default 1000).  Each
 * message is one event each way (the reader sleeps with prod_event set),
 * so this is an event-channel round trip plus two tiny stream copies.
 */
#include <stdint.h>
#include "chan_common.h"

static int round_trip(libos_chan_t *c, uint32_t i)
{
    uint32_t v;

    if (libos_chan_write(c, &i, 4) != 4 || read_full(c, &v, 4))
        return -1;
    return v == i + 1 ? 0 : -1;
}

static int answer(libos_chan_t *c)
{
    uint32_t v;

    if (read_full(c, &v, 4))
        return -1;
    v++;
    return libos_chan_write(c, &v, 4) == 4 ? 0 : -1;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000;
    libos_chan_t *c = chan_open_or_die("chan_pingpong");
    int g = libos_chan_is_granter(c);
    uint64_t t0 = libos_monotonic_ns();

    for (uint32_t i = 0; i < n; i++)
        if (g ? round_trip(c, i * 2) : answer(c)) {
            printf("chan_pingpong: round %u failed\n", i);
            return 1;
        }
    uint64_t ns = libos_monotonic_ns() - t0;
    if (libos_chan_close(c, libos_monotonic_ns() + 10000000000ull))
        return 1;
    printf("chan_pingpong: %s: %u round trips, %llu ns each\n",
           g ? "granter" : "mapper", n, (unsigned long long)(n ? ns / n : 0));
    return 0;
}

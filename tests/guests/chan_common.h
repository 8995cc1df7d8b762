/*
 * Shared by the chan_* test guests: open the run's channel, report, and a
 * deterministic byte generator both ends can replay.
 */
#ifndef CHAN_COMMON_H
#define CHAN_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <libos/channel.h>
#include <libos/time.h>

#define CHAN_OPEN_NS 20000000000ull    /* the peer gets 20 s to come up */

static inline libos_chan_t *chan_open_or_die(const char *who)
{
    libos_chan_t *c;
    int rc = libos_chan_open("chan", libos_monotonic_ns() + CHAN_OPEN_NS, &c);

    if (rc) {
        printf("%s: opening the channel failed: %d\n", who, rc);
        exit(2);
    }
    return c;
}

/* xorshift32, one byte per step; seed picks the direction. */
static inline uint8_t gen_next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return (uint8_t)x;
}

/* FNV-1a over a buffer, continued from h. */
static inline uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static inline int read_full(libos_chan_t *c, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        long n = libos_chan_read(c, p, len);
        if (n <= 0)
            return n ? (int)n : -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

#endif

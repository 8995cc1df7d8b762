/*
 * The byte stream the network test guests send (lwip_loop.c, sock_tcp.c)
 * and its digest: byte i is a function of i alone, FNV-1a 64 over what
 * went and what came back.  Plain C: a Linux build of the guests uses it
 * as it is.
 */
#ifndef STREAM_DIGEST_H
#define STREAM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t pattern(uint32_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

static inline uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

#define FNV_INIT 0xcbf29ce484222325ull

#endif /* STREAM_DIGEST_H */

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012) and RFC 6528's ISN on top of
 * it (isn_hash.h).  SipHash is a keyed pseudo-random function made for
 * short inputs: without the key, an observer of any number of ISNs learns
 * nothing about the F of another 4-tuple, which is all RFC 6528 needs.
 */
#include <string.h>
#include "isn_hash.h"

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline void sipround(uint64_t v[4])
{
    v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
    v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
    v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
    v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

static inline void absorb(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sipround(v);
    sipround(v);
    v[0] ^= m;
}

uint64_t keel_siphash24(const uint8_t key[KEEL_ISN_KEY_BYTES],
                        const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
                      k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
    uint8_t last[8] = { 0 };
    size_t whole = len & ~(size_t)7;

    for (size_t i = 0; i < whole; i += 8)
        absorb(v, load_le64(p + i));
    memcpy(last, p + whole, len - whole);
    last[7] = (uint8_t)len;
    absorb(v, load_le64(last));
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++)
        sipround(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint32_t keel_isn(const uint8_t key[KEEL_ISN_KEY_BYTES],
                  uint32_t local_addr, uint16_t local_port,
                  uint32_t remote_addr, uint16_t remote_port, uint64_t now_ns)
{
    uint8_t tuple[12];
    uint32_t m = (uint32_t)(now_ns / KEEL_ISN_TICK_NS);   /* wraps: fine */

    memcpy(tuple, &local_addr, 4);
    memcpy(tuple + 4, &remote_addr, 4);
    memcpy(tuple + 8, &local_port, 2);
    memcpy(tuple + 10, &remote_port, 2);
    return m + (uint32_t)keel_siphash24(key, tuple, sizeof(tuple));
}

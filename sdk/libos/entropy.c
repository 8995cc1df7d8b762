/*
 * The boot's entropy (libos/entropy.h): the CPU's generator, or a mix of
 * TSC jitter and what the domain started with.  The mix is absorbed into
 * a ChaCha20 key: each 32-byte piece is XORed into the key, which is then
 * replaced by the block function's output (a one-way step), so every
 * input reaches every key bit.
 */
#include <stdbool.h>
#include <string.h>
#include <libos/entropy.h>
#include <libos/start.h>
#include <libos/time.h>
#include "internal.h"

#define RNG_TRIES 10   /* Intel: ten RDRAND failures in a row mean a broken unit */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static bool has_rdseed(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    if (r[0] < 7)
        return false;
    cpuid(7, 0, r);
    return r[1] & (1u << 18);
}

static bool has_rdrand(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    return r[2] & (1u << 30);
}

/* One 64-bit word from RDSEED (seed) or RDRAND; false if it kept failing. */
static bool hw_word(bool seed, uint64_t *out)
{
    for (int i = 0; i < RNG_TRIES; i++) {
        unsigned char ok;
        if (seed)
            __asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok));
        else
            __asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

static bool hw_fill(bool seed, uint8_t *key, size_t bytes)
{
    uint64_t w;

    for (size_t i = 0; i < bytes; i += sizeof(w)) {
        if (!hw_word(seed, &w))
            return false;
        memcpy(key + i, &w, bytes - i < sizeof(w) ? bytes - i : sizeof(w));
    }
    return true;
}

int libos_hw_random(uint64_t *out)
{
    static int has = -1;

    if (has < 0)
        has = has_rdrand();
    return has && hw_word(false, out);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void absorb(uint32_t key[8], uint32_t *round, const void *data, size_t len)
{
    static const uint32_t nonce[3] = { 0x6b65656c, 0x6d697800, 0 };   /* "keelmix" */
    const uint8_t *p = data;
    uint8_t block[64];

    while (len) {
        uint8_t piece[32] = { 0 };
        size_t n = len < 32 ? len : 32;

        memcpy(piece, p, n);
        for (int i = 0; i < 8; i++) {
            uint32_t w;
            memcpy(&w, piece + 4 * i, 4);
            key[i] ^= w;
        }
        /* the TSC after each block: its low bits jitter with the work */
        key[0] ^= (uint32_t)rdtsc();
        libos_chacha20_block(key, (*round)++, nonce, block);
        memcpy(key, block, 32);
        p += n;
        len -= n;
    }
}

static void mixed_fill(uint8_t *out, size_t bytes)
{
    const struct keel_start_info *si = libos_start_info();
    uint32_t key[8] = { 0 }, round = 0;
    uint64_t t[2] = { rdtsc(), libos_monotonic_ns() };

    absorb(key, &round, t, sizeof(t));
    absorb(key, &round, si, sizeof(*si));
    if (si->device_page_va)
        absorb(key, &round, (const void *)(uintptr_t)si->device_page_va, KEEL_PAGE_SIZE);
    if (si->args_va)
        absorb(key, &round, (const void *)(uintptr_t)si->args_va, si->args_bytes);
    for (int i = 0; i < 64; i++) {
        t[0] = rdtsc();
        absorb(key, &round, t, sizeof(t[0]));
    }
    memcpy(out, key, bytes);
}

const char *libos_entropy_seed(void *key, size_t bytes)
{
    if (bytes > 32)
        libos_fatal("libos_entropy_seed: at most 32 bytes");
    if (has_rdseed() && hw_fill(true, key, bytes))
        return "rdseed";
    if (has_rdrand() && hw_fill(false, key, bytes))
        return "rdrand";
    mixed_fill(key, bytes);
    return "mixed";
}

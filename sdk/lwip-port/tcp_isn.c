/*
 * LWIP_HOOK_TCP_ISN (arch/keel_hooks.h): lwIP's own ISN is a counter
 * advanced by its timer, so an observer of one connection predicts the
 * next.  Here it is RFC 6528's hash (isn_hash.h) under a 128-bit secret
 * chosen at the first connection of the boot.
 *
 * The secret comes from the CPU's generator when CPUID says it has one
 * (RDSEED, else RDRAND: any x86-64 of the last decade, and QEMU TCG's
 * -cpu max).  Without one it is SipHash of what the domain can read that
 * an outsider cannot: the TSC, sampled around work whose duration jitters,
 * and the start info, device page and arguments (the domain id, its
 * memory, its MAC).  That fallback is worth little against someone who
 * knows the machine and roughly when the guest started (docs/net.md).
 */
#include <stdbool.h>
#include <string.h>
#include <libos/start.h>
#include <libos/time.h>
#include "lwip/opt.h"
#include "lwip/ip_addr.h"
#include "arch/keel_hooks.h"
#include "isn_hash.h"

#define RNG_TRIES 10   /* Intel: ten RDRAND failures in a row mean a broken unit */

static uint8_t secret[KEEL_ISN_KEY_BYTES];
static const char *source;

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

static bool hw_secret(bool seed, uint8_t key[KEEL_ISN_KEY_BYTES])
{
    uint64_t w[2];

    if (!hw_word(seed, &w[0]) || !hw_word(seed, &w[1]))
        return false;
    memcpy(key, w, sizeof(w));
    return true;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* Two independent 64-bit hashes of what the domain started with and of
 * TSC samples taken around a hash each (their low bits jitter). */
static void mixed_secret(uint8_t key[KEEL_ISN_KEY_BYTES])
{
    static const uint8_t k0[KEEL_ISN_KEY_BYTES] = "keel isn mix 0";
    const struct keel_start_info *si = libos_start_info();
    uint64_t acc[4] = { rdtsc(), libos_monotonic_ns(), 0, 0 };

    acc[2] = keel_siphash24(k0, si, sizeof(*si));
    if (si->device_page_va)
        acc[2] ^= keel_siphash24(k0, (const void *)(uintptr_t)si->device_page_va,
                                 KEEL_PAGE_SIZE);
    if (si->args_va)
        acc[3] = keel_siphash24(k0, (const void *)(uintptr_t)si->args_va,
                                si->args_bytes);
    for (int i = 0; i < 64; i++) {
        acc[i & 3] ^= rdtsc();
        acc[(i + 1) & 3] += keel_siphash24(k0, acc, sizeof(acc));
    }
    uint64_t w[2] = { keel_siphash24(k0, acc, sizeof(acc)), 0 };
    acc[0] ^= rdtsc();
    w[1] = keel_siphash24(k0, acc, sizeof(acc));
    memcpy(key, w, sizeof(w));
}

static void choose_secret(void)
{
    if (has_rdseed() && hw_secret(true, secret))
        source = "rdseed";
    else if (has_rdrand() && hw_secret(false, secret))
        source = "rdrand";
    else {
        mixed_secret(secret);
        source = "mixed";
    }
}

uint32_t keel_lwip_tcp_isn(const struct ip4_addr *local_ip, uint16_t local_port,
                           const struct ip4_addr *remote_ip, uint16_t remote_port)
{
    if (!source)
        choose_secret();
    return keel_isn(secret, local_ip->addr, local_port, remote_ip->addr,
                    remote_port, libos_monotonic_ns());
}

const char *keel_lwip_isn_source(void)
{
    return source;
}

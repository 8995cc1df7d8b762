/*
 * LWIP_HOOK_TCP_ISN (arch/keel_hooks.h): lwIP's own ISN is a counter
 * advanced by its timer, so an observer of one connection predicts the
 * next.  Here it is RFC 6528's hash (isn_hash.h) under a 128-bit secret
 * chosen at the first connection of the boot.
 *
 * The secret is the libos's boot entropy (libos/entropy.h): the CPU's
 * generator when it has one, else a mix of TSC jitter and what the domain
 * started with, worth little against someone who knows the machine and
 * roughly when the guest started (docs/net.md).
 */
#include <libos/entropy.h>
#include <libos/time.h>
#include "lwip/opt.h"
#include "lwip/ip_addr.h"
#include "arch/keel_hooks.h"
#include "isn_hash.h"

static uint8_t secret[KEEL_ISN_KEY_BYTES];
static const char *source;

uint32_t keel_lwip_tcp_isn(const struct ip4_addr *local_ip, uint16_t local_port,
                           const struct ip4_addr *remote_ip, uint16_t remote_port)
{
    if (!source)
        source = libos_entropy_seed(secret, sizeof(secret));
    return keel_isn(secret, local_ip->addr, local_port, remote_ip->addr,
                    remote_port, libos_monotonic_ns());
}

const char *keel_lwip_isn_source(void)
{
    return source;
}

/*
 * lwIP's hooks in Keel guests (LWIP_HOOK_FILENAME in lwipopts.h).
 */
#ifndef KEEL_LWIP_ARCH_HOOKS_H
#define KEEL_LWIP_ARCH_HOOKS_H

#include <stdint.h>

struct ip4_addr;   /* ip_addr_t: IPv4 only (lwipopts.h) */

/* LWIP_HOOK_TCP_ISN: RFC 6528's keyed hash of the 4-tuple plus a 4 us
 * clock (tcp_isn.c). */
uint32_t keel_lwip_tcp_isn(const struct ip4_addr *local_ip, uint16_t local_port,
                           const struct ip4_addr *remote_ip, uint16_t remote_port);

/* Where the per-boot secret came from: "rdseed", "rdrand" or "mixed"
 * (no hardware generator: the TSC and what the domain was started with).
 * NULL until the first ISN. */
const char *keel_lwip_isn_source(void);

#endif /* KEEL_LWIP_ARCH_HOOKS_H */

/*
 * TCP initial sequence numbers as RFC 6528 asks (section 3):
 *
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 *
 * M a clock that ticks every 4 microseconds, F SipHash-2-4 of the
 * connection's 4-tuple keyed with a 128-bit secret chosen once per boot.
 * Pure functions (no lwIP, no libos), so that the host tests check them
 * against SipHash's reference vectors.  The hook that feeds them the
 * secret and the clock is tcp_isn.c.
 */
#ifndef KEEL_LWIP_ISN_HASH_H
#define KEEL_LWIP_ISN_HASH_H

#include <stddef.h>
#include <stdint.h>

#define KEEL_ISN_KEY_BYTES  16
#define KEEL_ISN_TICK_NS    4000u   /* RFC 6528's (and RFC 793's) 4 us clock */

/* SipHash-2-4 of data[0, len) under key. */
uint64_t keel_siphash24(const uint8_t key[KEEL_ISN_KEY_BYTES],
                        const void *data, size_t len);

/* The ISN of a connection at now_ns.  Addresses as lwIP keeps them
 * (network byte order), ports in host order: only equality matters. */
uint32_t keel_isn(const uint8_t key[KEEL_ISN_KEY_BYTES],
                  uint32_t local_addr, uint16_t local_port,
                  uint32_t remote_addr, uint16_t remote_port, uint64_t now_ns);

#endif /* KEEL_LWIP_ISN_HASH_H */

/*
 * netfront in lwIP: this domain's NIC as lwIP's default interface, with
 * Ethernet and ARP, configured from the toolstack's settings (address,
 * netmask, gateway, MTU: no DHCP).
 *
 * When it starts: with lwIP.  lwIP's port (sdk/lwip-port, sys_init, which
 * tcpip_init calls) calls netfront_lwip_start, so a program that uses
 * lwIP (or the sockets over it) links netfront and gets its NIC, and one
 * that does not links neither.  netfront_lwip_start makes the netfront
 * thread, which runs as soon as the caller of tcpip_init first blocks:
 * it opens the interface, adds it to lwIP under the core lock and then
 * services the rings, handing received frames to lwIP; lwIP sends from
 * whichever thread holds the core lock.  The event handler only notes
 * the event (it must never call lwIP).  A domain without a NIC gets no
 * thread and keeps loopback only.
 */
#ifndef NETFRONT_NETIF_H
#define NETFRONT_NETIF_H

#include <stdint.h>

struct netif;

/* From lwIP's sys_init: start the netfront thread if this domain has a
 * NIC.  Idempotent. */
void netfront_lwip_start(void);

/* Wait until the interface is up in lwIP: 0; -KEEL_ENODEV (no NIC, or it
 * could not be opened); -KEEL_EAGAIN at monotonic deadline_ns. */
int netfront_lwip_wait_up(uint64_t deadline_ns);

/* lwIP's interface, once up (NULL before). */
struct netif *netfront_lwip_netif(void);

#endif /* NETFRONT_NETIF_H */

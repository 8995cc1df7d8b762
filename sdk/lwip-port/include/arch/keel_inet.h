/*
 * lwIP's <lwip/inet.h> for Keel (LWIP_SOCKET_EXTERNAL_HEADERS, lwipopts.h):
 * the guest's own <netinet/in.h> and <arpa/inet.h> (sdk/sockets/include),
 * with Linux's layouts, instead of lwIP's copies; and the two conversions
 * lwIP's sockets.c needs between struct in_addr and its ip4_addr_t.
 */
#ifndef KEEL_LWIP_ARCH_INET_H
#define KEEL_LWIP_ARCH_INET_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include "lwip/def.h"
#include "lwip/ip_addr.h"

#define inet_addr_from_ip4addr(target_inaddr, source_ipaddr) \
    ((target_inaddr)->s_addr = ip4_addr_get_u32(source_ipaddr))
#define inet_addr_to_ip4addr(target_ipaddr, source_inaddr) \
    (ip4_addr_set_u32(target_ipaddr, (source_inaddr)->s_addr))

#endif /* KEEL_LWIP_ARCH_INET_H */

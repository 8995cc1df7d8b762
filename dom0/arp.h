/*
 * The ARP frames of the uplink's self test (uplink.c): a request for one
 * IPv4 address, and recognising its answer.  Pure; unit-tested
 * (tests/unit/dom0_arp_test.c).  Addresses are host-order numbers, as in
 * keel/launch.h's network plan.
 */
#ifndef DOM0_ARP_H
#define DOM0_ARP_H

#include <stddef.h>
#include <stdint.h>

#define ARP_FRAME_LEN 60u   /* the Ethernet minimum without FCS: ARP's 42, padded */

/* An Ethernet broadcast "who has target_ip, tell sender_ip" from mac into
 * frame (ARP_FRAME_LEN bytes); returns ARP_FRAME_LEN.  sender_ip 0 makes
 * it an RFC 5227 probe, which claims no address. */
size_t arp_request(uint8_t *frame, const uint8_t mac[6], uint32_t sender_ip,
                   uint32_t target_ip);

/* 1 and *mac when frame is an Ethernet ARP reply for IPv4 whose sender is
 * ip, sent to `to` (our MAC) or broadcast; else 0. */
int arp_answer_from(const uint8_t *frame, size_t len, uint32_t ip,
                    const uint8_t to[6], uint8_t mac[6]);

#endif /* DOM0_ARP_H */

/*
 * ARP request and reply (arp.h), RFC 826 over Ethernet for IPv4:
 *
 *   0  destination MAC, source MAC, type 0x0806
 *   14 htype 1, ptype 0x0800, hlen 6, plen 4, op (1 request, 2 reply)
 *   22 sender MAC, sender IPv4, target MAC, target IPv4   (42 bytes)
 */
#include <string.h>
#include "arp.h"

#define ETH_TYPE_ARP  0x0806u
#define ETH_TYPE_IPV4 0x0800u
#define ARP_REQUEST   1u
#define ARP_REPLY     2u
#define ARP_END       42u

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) << 16 | get16(p + 2);
}

size_t arp_request(uint8_t *frame, const uint8_t mac[6], uint32_t sender_ip,
                   uint32_t target_ip)
{
    memset(frame, 0, ARP_FRAME_LEN);
    memset(frame, 0xff, 6);
    memcpy(frame + 6, mac, 6);
    put16(frame + 12, ETH_TYPE_ARP);
    put16(frame + 14, 1);
    put16(frame + 16, ETH_TYPE_IPV4);
    frame[18] = 6;
    frame[19] = 4;
    put16(frame + 20, ARP_REQUEST);
    memcpy(frame + 22, mac, 6);
    put32(frame + 28, sender_ip);
    put32(frame + 38, target_ip);
    return ARP_FRAME_LEN;
}

static int for_us(const uint8_t *dst, const uint8_t to[6])
{
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    return !memcmp(dst, to, 6) || !memcmp(dst, broadcast, 6);
}

int arp_answer_from(const uint8_t *frame, size_t len, uint32_t ip,
                    const uint8_t to[6], uint8_t mac[6])
{
    if (len < ARP_END || !for_us(frame, to) ||
        get16(frame + 12) != ETH_TYPE_ARP || get16(frame + 14) != 1 ||
        get16(frame + 16) != ETH_TYPE_IPV4 || frame[18] != 6 || frame[19] != 4 ||
        get16(frame + 20) != ARP_REPLY || get32(frame + 28) != ip)
        return 0;
    memcpy(mac, frame + 22, 6);
    return 1;
}

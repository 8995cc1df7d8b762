/*
 * The few header fields the switch reads, always on dom0's own copy of a
 * frame.  Guests send IPv4 and ARP only (they have no other address the
 * toolstack could vouch for), and every address a frame claims as its
 * sender must be one the guest was given: Ethernet source, IPv4 source,
 * ARP sender hardware and protocol addresses.  Addresses stay in network
 * byte order throughout, as keel_net_settings has them.
 */
#include <string.h>
#include "nb_impl.h"

#define ETH_SRC   6u
#define ETH_TYPE 12u
#define IPV4_MIN (KEEL_NET_ETH_HLEN + 20u)
#define IPV4_SRC (KEEL_NET_ETH_HLEN + 12u)
#define ARP_HW_ETHER 1u
#define ARP_REPLY    2u

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint16_t nb_ethertype(const uint8_t *f)
{
    return be16(f + ETH_TYPE);
}

bool nb_mac_is_group(const uint8_t *mac)
{
    return mac[0] & 1;
}

bool nb_mac_is_broadcast(const uint8_t *mac)
{
    static const uint8_t all[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    return memcmp(mac, all, 6) == 0;
}

/* ARP for IPv4 over Ethernet (the only kind), request or reply. */
bool nb_parse_arp(const uint8_t *f, uint16_t len, struct nb_arp *a)
{
    const uint8_t *p = f + KEEL_NET_ETH_HLEN;

    if (len < NB_ARP_LEN || nb_ethertype(f) != NB_ETH_ARP)
        return false;
    if (be16(p) != ARP_HW_ETHER || be16(p + 2) != NB_ETH_IPV4 || p[4] != 6 || p[5] != 4)
        return false;
    a->op = be16(p + 6);
    memcpy(a->sha, p + 8, 6);
    memcpy(&a->spa, p + 14, 4);
    memcpy(a->tha, p + 18, 6);
    memcpy(&a->tpa, p + 24, 4);
    return a->op == NB_ARP_REQUEST || a->op == ARP_REPLY;
}

enum nb_source nb_check_source(const struct nb_if *vif, const uint8_t *f, uint16_t len)
{
    struct nb_arp a;
    uint32_t src;

    if (memcmp(f + ETH_SRC, vif->mac, 6) != 0)
        return NB_SRC_SPOOFED;
    switch (nb_ethertype(f)) {
    case NB_ETH_ARP:
        if (!nb_parse_arp(f, len, &a))
            return NB_SRC_UNFORWARDED;
        return memcmp(a.sha, vif->mac, 6) == 0 && a.spa == vif->ipv4 ?
               NB_SRC_OK : NB_SRC_SPOOFED;
    case NB_ETH_IPV4:
        if (len < IPV4_MIN || f[KEEL_NET_ETH_HLEN] >> 4 != 4)
            return NB_SRC_UNFORWARDED;
        memcpy(&src, f + IPV4_SRC, 4);
        return src == vif->ipv4 ? NB_SRC_OK : NB_SRC_SPOOFED;
    default:
        return NB_SRC_UNFORWARDED;
    }
}

/* owner's answer to req, written at out (which may hold req's frame: req
 * is a copy).  Returns its length. */
uint16_t nb_arp_reply(uint8_t *out, const struct nb_if *owner, const struct nb_arp *req)
{
    uint8_t *p = out + KEEL_NET_ETH_HLEN;

    memcpy(out, req->sha, 6);
    memcpy(out + ETH_SRC, owner->mac, 6);
    put_be16(out + ETH_TYPE, NB_ETH_ARP);
    put_be16(p, ARP_HW_ETHER);
    put_be16(p + 2, NB_ETH_IPV4);
    p[4] = 6;
    p[5] = 4;
    put_be16(p + 6, ARP_REPLY);
    memcpy(p + 8, owner->mac, 6);
    memcpy(p + 14, &owner->ipv4, 4);
    memcpy(p + 18, req->sha, 6);
    memcpy(p + 24, &req->spa, 4);
    return NB_ARP_LEN;
}

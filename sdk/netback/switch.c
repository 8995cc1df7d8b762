/*
 * Where a frame goes.  Every guest is on one Ethernet segment with the
 * uplink; the switch knows each guest's MAC and IPv4 address because dom0
 * assigned them, so it never learns addresses and never floods.
 *
 * From a guest (after the source check of frame.c: spoofed -> DROPPED):
 *   unicast to a guest's MAC       -> that guest only (never the uplink)
 *   broadcast ARP request for a
 *     guest's address              -> answered here with that guest's MAC
 *                                     (asking for itself: goes nowhere)
 *   unicast to any other MAC       -> the uplink (the gateway, the LAN)
 *   any other broadcast, multicast -> the uplink only
 *   (no uplink: DROPPED, "no such destination")
 * From the uplink:
 *   unicast to a guest's MAC       -> that guest
 *   broadcast ARP request for a
 *     guest's address              -> answered here, back to the uplink
 *   anything else, or a frame that
 *     claims a guest's MAC as source -> dropped (counted)
 *
 * Broadcasts never fan out to guests: a guest needs none (its address is
 * static, and the only question it would have to hear, ARP, the switch
 * answers for it), and fan-out would make one frame cost work for every
 * interface.  A guest's sender status never depends on the receiver: a
 * destination without a posted buffer loses the frame and counts it.
 */
#include <string.h>
#include "nb_impl.h"

static int16_t to_uplink(struct nb_switch *sw, const struct nb_txent *e)
{
    if (!sw->ops->uplink_tx)
        return KEEL_NET_DROPPED;
    nb_to_uplink(sw, e->buf, e->len);
    return KEEL_NET_OK;
}

static int16_t spoofed(struct nb_switch *sw, struct nb_if *vif)
{
    vif->c.tx_spoofed++;
    if (!(vif->flags & NB_F_SPOOF_LOGGED)) {
        vif->flags |= NB_F_SPOOF_LOGGED;
        nb_log(sw, "netback: domain %u sends frames from addresses it was not given "
               "(dropped; logged once)", vif->domid);
    }
    return KEEL_NET_DROPPED;
}

static int16_t guest_arp_request(struct nb_switch *sw, struct nb_txent *e,
                                 const struct nb_arp *a)
{
    struct nb_if *owner = nb_switch_find_ipv4(sw, a->tpa);

    if (!owner)
        return to_uplink(sw, e);
    if (owner != e->src) {
        nb_deliver(sw, e->src, e->buf, nb_arp_reply(e->buf, owner, a));
        sw->st.arp_answered++;
    }
    return KEEL_NET_OK;
}

/* e's frame is staged and e->src live: returns the tx status. */
int16_t nb_switch_guest_frame(struct nb_switch *sw, struct nb_txent *e)
{
    const uint8_t *dst_mac = e->buf;
    struct nb_arp a;
    struct nb_if *dst;

    switch (nb_check_source(e->src, e->buf, e->len)) {
    case NB_SRC_SPOOFED:
        return spoofed(sw, e->src);
    case NB_SRC_UNFORWARDED:
        return KEEL_NET_DROPPED;
    case NB_SRC_OK:
        break;
    }
    if (nb_mac_is_broadcast(dst_mac) && nb_parse_arp(e->buf, e->len, &a) &&
        a.op == NB_ARP_REQUEST)
        return guest_arp_request(sw, e, &a);
    if (!nb_mac_is_group(dst_mac) && (dst = nb_switch_find_mac(sw, dst_mac))) {
        nb_deliver(sw, dst, e->buf, e->len);
        return KEEL_NET_OK;
    }
    return to_uplink(sw, e);
}

/* A copy segment's own-memory side must lie in one page: a frame of the
 * NIC's that crosses a page boundary is moved to scratch first. */
static const uint8_t *in_one_page(const struct nb_frame *f, uint8_t *scratch)
{
    if (((uintptr_t)f->data & (KEEL_PAGE_SIZE - 1)) + f->len <= KEEL_PAGE_SIZE)
        return f->data;
    memcpy(scratch, f->data, f->len);
    return scratch;
}

/* scratch: a staging page of the batch, free for this frame. */
void nb_switch_uplink_frame(struct nb_switch *sw, const struct nb_frame *f, uint8_t *scratch)
{
    const uint8_t *d = f->data;
    struct nb_if *dst;
    struct nb_arp a;

    sw->st.uplink_rx++;
    if (f->len < KEEL_NET_MIN_FRAME || f->len > KEEL_PAGE_SIZE ||
        nb_switch_find_mac(sw, d + 6)) {
        sw->st.uplink_rx_dropped++;
    } else if (!nb_mac_is_group(d) && (dst = nb_switch_find_mac(sw, d))) {
        nb_deliver(sw, dst, in_one_page(f, scratch), f->len);
    } else if (nb_mac_is_broadcast(d) && nb_parse_arp(d, f->len, &a) &&
               a.op == NB_ARP_REQUEST && (dst = nb_switch_find_ipv4(sw, a.tpa))) {
        nb_to_uplink(sw, scratch, nb_arp_reply(scratch, dst, &a));
        sw->st.arp_answered++;
    } else {
        sw->st.uplink_rx_dropped++;
    }
}

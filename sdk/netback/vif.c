/*
 * One guest interface: its settings checked once, its counters (ours are
 * the truth; page 0 gets copies the guest may scribble on), and cutting it
 * off when it breaks the protocol.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "nb_impl.h"

#define NB_MTU_MIN 576u

static bool settings_ok(const struct keel_net_settings *s)
{
    static const uint8_t zero[6];

    return s->version == KEEL_NET_VERSION &&
           s->mtu >= NB_MTU_MIN && s->mtu <= KEEL_NET_MTU_MAX &&
           !nb_mac_is_group(s->mac) && memcmp(s->mac, zero, 6) != 0 &&
           s->ipv4_addr != 0;
}

int nb_if_init(struct nb_if *vif, const struct nb_if_conf *conf)
{
    const struct keel_net_settings *s = conf->settings;

    if (!s || !settings_ok(s))
        return -KEEL_EINVAL;
    for (unsigned i = 0; i < KEEL_NET_RING_PAGES; i++)
        if (!conf->page[i])
            return -KEEL_EINVAL;
    memset(vif, 0, sizeof(*vif));
    if (keel_net_tx_back_init(&vif->tx, conf->page[1], KEEL_PAGE_SIZE) ||
        keel_net_rx_back_init(&vif->rx, conf->page[2], KEEL_PAGE_SIZE))
        return -KEEL_EINVAL;
    vif->page = conf->page[0];
    vif->domid = conf->domid;
    vif->port = conf->port;
    vif->mtu = s->mtu;
    vif->ipv4 = s->ipv4_addr;
    memcpy(vif->mac, s->mac, 6);
    return 0;
}

const char *nb_reason_text(enum nb_reason why)
{
    switch (why) {
    case NB_TX_RING_CORRUPT: return "tx ring producer index out of range";
    case NB_RX_RING_CORRUPT: return "rx ring producer index out of range";
    case NB_BAD_STATE_WORD:  return "connection state word is garbage";
    default:                 return "none";
    }
}

void nb_log(struct nb_switch *sw, const char *fmt, ...)
{
    char line[160];
    va_list ap;

    if (!sw->ops->log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    sw->ops->log(sw->ctx, "%s", line);
}

/* Once: stop serving, say CLOSED in page 0 (the frontend sees why its
 * frames stopped), tell it, log it.  The interface stays in the tables so
 * that frames for it are dropped here instead of leaking to the uplink. */
void nb_cut_off(struct nb_switch *sw, struct nb_if *vif, enum nb_reason why)
{
    if (vif->state == NB_CUT)
        return;
    vif->state = NB_CUT;
    vif->reason = (uint8_t)why;
    nb_hold_forget(sw, vif);
    __atomic_store_n(&vif->page->hdr.mapper_state, KEEL_CONN_CLOSED, __ATOMIC_RELEASE);
    sw->ops->notify(sw->ctx, vif->port);
    nb_log(sw, "netback: domain %u cut off: %s", vif->domid, nb_reason_text(why));
}

/* keel/net.h: a state word outside KEEL_CONN_* closes the interface. */
bool nb_state_word_ok(struct nb_switch *sw, struct nb_if *vif)
{
    if (vif->page->hdr.granter_state <= KEEL_CONN_CLOSED)
        return true;
    nb_cut_off(sw, vif, NB_BAD_STATE_WORD);
    return false;
}

void nb_count_tx(struct nb_if *vif, int16_t status)
{
    if (status == KEEL_NET_OK)
        vif->c.tx_ok++;
    else if (status == KEEL_NET_DROPPED)
        vif->page->tx_dropped = ++vif->c.tx_dropped;
    else
        vif->page->tx_errors = ++vif->c.tx_errors;
}

void nb_count_rx_lost(struct nb_if *vif, bool unusable)
{
    if (unusable)
        vif->c.rx_errors++;
    else
        vif->page->rx_no_buffer = ++vif->c.rx_no_buffer;
}

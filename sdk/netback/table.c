/*
 * The switch's two indexes: interfaces by MAC and by IPv4 address, hash
 * tables with chains through the interfaces themselves (no allocation per
 * interface).  Each table has at least max_ifs buckets (a power of two),
 * so chains stay about one long; the keys are dom0's own assignments
 * (usually consecutive), which a Fibonacci hash spreads evenly, and a
 * guest cannot choose them.  A lookup of a key that is not there (a frame
 * from the uplink for a stranger) walks one short chain.
 */
#include <stdlib.h>
#include <string.h>
#include "nb_impl.h"

static uint64_t mac_key(const uint8_t *mac)
{
    uint64_t k = 0;

    for (int i = 0; i < 6; i++)
        k = k << 8 | mac[i];
    return k;
}

static unsigned bucket(const struct nb_switch *sw, uint64_t key)
{
    return (unsigned)((key * 0x9e3779b97f4a7c15ull) >> (64 - sw->bits));
}

struct nb_if *nb_switch_find_mac(const struct nb_switch *sw, const uint8_t mac[6])
{
    struct nb_if *v = sw->mac_tab[bucket(sw, mac_key(mac))];

    while (v && memcmp(v->mac, mac, 6) != 0)
        v = v->mac_next;
    return v;
}

struct nb_if *nb_switch_find_ipv4(const struct nb_switch *sw, uint32_t ipv4)
{
    struct nb_if *v = sw->ip_tab[bucket(sw, ipv4)];

    while (v && v->ipv4 != ipv4)
        v = v->ip_next;
    return v;
}

int nb_switch_add(struct nb_switch *sw, struct nb_if *vif)
{
    unsigned m = bucket(sw, mac_key(vif->mac)), i = bucket(sw, vif->ipv4);

    if (nb_switch_find_mac(sw, vif->mac) || nb_switch_find_ipv4(sw, vif->ipv4))
        return -KEEL_EEXIST;
    if (sw->nifs >= sw->max_ifs)
        return -KEEL_ENOSPC;
    vif->mac_next = sw->mac_tab[m];
    sw->mac_tab[m] = vif;
    vif->ip_next = sw->ip_tab[i];
    sw->ip_tab[i] = vif;
    sw->nifs++;
    return 0;
}

/* link: offsetof the chain's next pointer (one walk for both tables). */
static void unchain(struct nb_if **head, struct nb_if *vif, size_t link)
{
    while (*head && *head != vif)
        head = (struct nb_if **)((char *)*head + link);
    if (*head)
        *head = *(struct nb_if **)((char *)vif + link);
}

void nb_switch_remove(struct nb_switch *sw, struct nb_if *vif)
{
    unchain(&sw->mac_tab[bucket(sw, mac_key(vif->mac))], vif,
            offsetof(struct nb_if, mac_next));
    unchain(&sw->ip_tab[bucket(sw, vif->ipv4)], vif, offsetof(struct nb_if, ip_next));
    nb_pending_forget(sw, vif);
    nb_hold_forget(sw, vif);
    sw->nifs--;
}

int nb_switch_init(struct nb_switch *sw, const struct nb_ops *ops, void *ctx,
                   unsigned max_ifs)
{
    if (!ops || !ops->copy || !ops->notify || max_ifs == 0 || max_ifs > (1u << 24))
        return -KEEL_EINVAL;
    memset(sw, 0, sizeof(*sw));
    sw->ops = ops;
    sw->ctx = ctx;
    sw->max_ifs = max_ifs;
    sw->bits = 4;
    while ((1u << sw->bits) < max_ifs)
        sw->bits++;
    sw->mac_tab = calloc(1u << sw->bits, sizeof(*sw->mac_tab));
    sw->ip_tab = calloc(1u << sw->bits, sizeof(*sw->ip_tab));
    sw->b = calloc(1, sizeof(*sw->b));
    if (sw->b)
        sw->b->stage = aligned_alloc(KEEL_PAGE_SIZE, NB_BATCH * KEEL_PAGE_SIZE);
    if (!sw->mac_tab || !sw->ip_tab || !sw->b || !sw->b->stage || nb_hold_init(sw)) {
        nb_switch_fini(sw);
        return -KEEL_ENOMEM;
    }
    return 0;
}

void nb_switch_fini(struct nb_switch *sw)
{
    free(sw->mac_tab);
    free(sw->ip_tab);
    if (sw->b)
        free(sw->b->stage);
    free(sw->b);
    nb_hold_fini(sw);
    memset(sw, 0, sizeof(*sw));
}

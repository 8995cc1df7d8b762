/*
 * Guests' interfaces (net.h): the plan's addresses in the device page,
 * the mapper end of each connection, netback's interface once the guest
 * is INITIALISED, and its removal when the guest ends.
 *
 * Connecting happens on the switch's thread: an event before the
 * interface is in the switch only marks it, and the thread maps the three
 * pages, checks the guest's state word and adds it (a guest that has not
 * granted yet fails the map and is tried again at its next event).  From
 * then on the port's events kick netback directly.
 */
#include <stdlib.h>
#include <string.h>
#include <keel/image_note.h>
#include <keel/launch.h>
#include <libos/event.h>
#include "builder.h"
#include "ctl.h"
#include "devpage.h"
#include "hc.h"
#include "net.h"
#include "net_impl.h"

/* keel/launch.h's budget: a NIC's three pages beside every console in
 * dom0's grant window, and the switch's tables for every guest. */
#define MAX_VIFS KEEL_LAUNCH_MAX_GUESTS
_Static_assert(MAX_VIFS * (1 + KEEL_NET_RING_PAGES) <= KEEL_GRANT_MAX_MAPS,
               "grant-window pages for every console and NIC");

static struct vif **by_domid;           /* KEEL_DOMID_MAX + 1 slots */
static struct vif *waiting;             /* connected: none of these */
static unsigned nvifs;

void net_settings(uint32_t idx, struct keel_net_settings *s)
{
    memset(s, 0, sizeof(*s));
    keel_net_plan_guest_mac(idx, s->mac);
    s->mtu = KEEL_NET_MTU_DEFAULT;
    s->ipv4_addr = __builtin_bswap32(keel_net_plan_guest_ipv4(idx));
    s->ipv4_netmask = __builtin_bswap32(keel_net_plan_netmask());
    s->ipv4_gateway = __builtin_bswap32(KEEL_NET_PLAN_GATEWAY);
    s->version = KEEL_NET_VERSION;
}

int net_plan(struct guest *g)
{
    uint16_t self = (uint16_t)hc_start_info()->domid;
    struct keel_net_settings s;
    struct keel_device *d;

    if (!(g->info.devices & KEEL_NOTE_DEV_NET))
        return 0;
    if (!(d = devpage_add_granter(g->dev, KEEL_DEV_NET, "net", self,
                                  KEEL_NET_RING_PAGES)))
        return -1;
    net_settings((uint32_t)g->idx, &s);
    memcpy(d->settings, &s, sizeof(s));
    return 0;
}

static struct keel_device *net_entry(struct guest *g)
{
    for (uint32_t i = 0; i < g->dev->page.nr_devices; i++)
        if (g->dev->page.dev[i].type == KEEL_DEV_NET)
            return &g->dev->page.dev[i];
    return NULL;
}

/* Upcall context. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    struct vif *v = arg;

    (void)port;
    if (v->added)
        nb_switch_kick(&net_sw, &v->nb);
    else
        v->bc.event = true;
    net_wake();
}

long net_connect(struct guest *g)
{
    struct keel_device *d = net_entry(g);
    struct vif *v;
    long rc;

    if (!d)
        return 0;
    if (nvifs >= MAX_VIFS || g->domid > KEEL_DOMID_MAX)
        return -KEEL_ENOSPC;
    if (!by_domid && !(by_domid = calloc(KEEL_DOMID_MAX + 1, sizeof(*by_domid))))
        return -KEEL_ENOMEM;
    if (!(v = calloc(1, sizeof(*v))))
        return -KEEL_ENOMEM;
    *v = (struct vif){ .idx = g->idx };
    memcpy(&v->settings, d->settings, sizeof(v->settings));
    if ((rc = backend_conn_init(&v->bc, g->domid, g->port, d, on_event, v))) {
        free(v);
        return rc;
    }
    by_domid[g->domid] = v;
    v->next_waiting = waiting;
    waiting = v;
    nvifs++;
    return 0;
}

/* Mapped, INITIALISED: into the switch, CONNECTED.  false: not yet. */
static bool connect_one(struct vif *v)
{
    long rc;

    if (!backend_conn_ready(&v->bc, KEEL_NET_RING_PAGES, "net"))
        return false;          /* granted, not ready; garbage: never */
    struct nb_if_conf conf = { .domid = (keel_domid_t)v->bc.domid,
                               .port = v->bc.conn.port, .settings = &v->settings };
    for (unsigned i = 0; i < KEEL_NET_RING_PAGES; i++)
        conf.page[i] = v->bc.page[i];
    if ((rc = nb_if_init(&v->nb, &conf)) || (rc = nb_switch_add(&net_sw, &v->nb))) {
        hc_log("net: domain %u: interface refused: %s (%ld)", v->bc.domid,
               ctl_strerror(rc), rc);
        return true;           /* never again */
    }
    v->added = true;
    libos_conn_connect(&v->bc.conn);
    nb_switch_kick(&net_sw, &v->nb);   /* frames queued before we came */
    return true;
}

void net_connect_waiting(void)
{
    for (struct vif **pp = &waiting; *pp;) {
        struct vif *v = *pp;
        if (v->bc.event && (v->bc.event = false, connect_one(v))) {
            *pp = v->next_waiting;
            v->next_waiting = NULL;
        } else {
            pp = &v->next_waiting;
        }
    }
}

static void forget_waiting(struct vif *v)
{
    for (struct vif **pp = &waiting; *pp; pp = &(*pp)->next_waiting)
        if (*pp == v) {
            *pp = v->next_waiting;
            return;
        }
}

/* The handler goes first (libos_conn_release), so nothing kicks the
 * interface after the switch forgot it. */
void net_detach(uint32_t domid)
{
    struct vif *v = by_domid && domid <= KEEL_DOMID_MAX ? by_domid[domid] : NULL;

    if (!v)
        return;
    by_domid[domid] = NULL;
    forget_waiting(v);
    libos_conn_release(&v->bc.conn);
    if (v->added)
        nb_switch_remove(&net_sw, &v->nb);
    free(v);
    nvifs--;
}

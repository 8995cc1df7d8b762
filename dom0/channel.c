/*
 * Wiring inter-domain channels between the guests of a run (channel.h).
 */
#include <stdlib.h>
#include <string.h>
#include <keel/channel.h>
#include "builder.h"
#include "channel.h"
#include "ctl.h"
#include "devpage.h"
#include "hc.h"

struct chan_ends {
    struct keel_device *granter, *mapper;   /* in the guests' g->dev */
};

static const struct manifest *run_mf;
static struct chan_ends *ends;               /* one per connect line */

int chan_setup(const struct manifest *m)
{
    free(ends);
    ends = NULL;
    run_mf = m;
    if (!m->nconnects)
        return 0;
    if (!(ends = calloc(m->nconnects, sizeof(*ends)))) {
        ctl_msg(-1, "out of memory for %u channels", m->nconnects);
        run_mf = NULL;
        return -1;
    }
    return 0;
}

bool chan_held(uint32_t idx)
{
    for (uint32_t k = 0; run_mf && ends && k < run_mf->nconnects; k++)
        if (run_mf->connects[k].a == idx || run_mf->connects[k].b == idx)
            return true;
    return false;
}

static void settings(struct keel_device *d)
{
    struct keel_channel_settings s = { .version = KEEL_CHANNEL_VERSION,
                                       .data_pages = KEEL_CHANNEL_DATA_PAGES };

    memcpy(d->settings, &s, sizeof(s));
}

/* Peers and ports are placeholders (0) until chan_wire: the peer may not
 * exist yet.  The mapper learns the granter's ring_ref there too. */
int chan_plan(struct guest *g)
{
    const uint32_t pages = KEEL_CHANNEL_RING_PAGES(KEEL_CHANNEL_DATA_PAGES);

    for (uint32_t k = 0; run_mf && ends && k < run_mf->nconnects; k++) {
        const struct mf_connect *c = &run_mf->connects[k];
        struct keel_device *d;
        if (c->a == (uint32_t)g->idx) {
            d = devpage_add_granter(g->dev, KEEL_DEV_CHANNEL, c->name, 0, pages);
            ends[k].granter = d;
        } else if (c->b == (uint32_t)g->idx) {
            d = devpage_add_mapper(g->dev, KEEL_DEV_CHANNEL, c->name, 0, 0,
                                   pages, 0);
            ends[k].mapper = d;
        } else {
            continue;
        }
        if (!d)
            return -1;
        settings(d);
    }
    return 0;
}

/* Built, held, device page still in dom0's hands. */
static bool built(const struct guest *g)
{
    return g->dev != NULL && g->status == -1;
}

static void disable(struct guest *g, struct keel_device *d, const char *name,
                    const char *why)
{
    if (!built(g) || !d)
        return;
    d->type = 0;
    ctl_msg(g->idx, "channel \"%s\" not connected: %s", name, why);
}

static void wire_one(struct guest *g, uint32_t k)
{
    const struct mf_connect *c = &run_mf->connects[k];
    struct guest *ga = &g[c->a], *gb = &g[c->b];
    struct keel_device *a = ends[k].granter, *b = ends[k].mapper;
    long port;

    if (!built(ga) || !built(gb)) {
        disable(ga, a, c->name, "its peer could not be started");
        disable(gb, b, c->name, "its peer could not be started");
        return;
    }
    port = hc_evtchn_alloc_in(gb->domid, ga->domid);
    if (port < 0) {
        disable(ga, a, c->name, ctl_strerror(port));
        disable(gb, b, c->name, ctl_strerror(port));
        return;
    }
    a->peer_domid = (uint16_t)gb->domid;
    a->port = (uint32_t)port;
    b->peer_domid = (uint16_t)ga->domid;
    b->port = (uint32_t)port;
    b->ring_ref = a->ring_ref;
    hc_log("channel \"%s\": domain %u grants refs %u.. to domain %u, port %ld",
           c->name, ga->domid, a->ring_ref, gb->domid, port);
}

void chan_wire(struct guest *g, uint32_t n)
{
    for (uint32_t k = 0; run_mf && ends && k < run_mf->nconnects; k++)
        if (run_mf->connects[k].a < n && run_mf->connects[k].b < n)
            wire_one(g, k);
}

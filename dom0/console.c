/*
 * Wiring consoles to the console backend library (console.h).
 */
#include <consback/consback.h>
#include <keel/console.h>
#include <keel/event_channel.h>
#include <keel/grant_table.h>
#include <keel/launch.h>
#include "builder.h"
#include "console.h"
#include "ctl.h"
#include "devpage.h"
#include "hc.h"

/* Each console shares its guest's port with dom0's other backends
 * (builder.c) and holds, while connected, one page of dom0's grant window:
 * keel/launch.h's guest limit is derived from these (budget.h). */
#define MAX_CONSOLES KEEL_LAUNCH_MAX_GUESTS

static unsigned nconsoles;

/* The guest's records: the launcher routes them as its own output. */
static void output(void *ctx, keel_domid_t domid, unsigned stream,
                   const void *buf, uint32_t len)
{
    (void)ctx;
    hc_console_write(stream | KEEL_CONSOLE_FOR |
                     (uint32_t)domid << KEEL_CONSOLE_DOMID_SHIFT, buf, len);
}

static void closed(void *ctx, const char *why)
{
    const struct guest *g = ctx;

    ctl_msg(g->idx, "%s: console closed: %s", g->mf->name, why);
    hc_log("console of domain %u closed: %s", g->domid, why);
}

static void stalled(void *ctx, long err)
{
    const struct guest *g = ctx;

    ctl_msg(g->idx, "%s: console not connected yet: %s (%ld) in the "
            "hypervisor; its output waits (raise keel run --mem)",
            g->mf->name, ctl_strerror(err), err);
}

static const struct consback_ops ops = { output, closed, stalled };

int console_start(void)
{
    return consback_start(&ops);
}

int console_plan(struct guest *g)
{
    uint16_t self = (uint16_t)hc_start_info()->domid;

    return devpage_add_granter(g->dev, KEEL_DEV_CONSOLE, "console", self,
                               KEEL_CONSOLE_RING_PAGES) ? 0 : -1;
}

static struct keel_device *console_entry(struct guest *g)
{
    for (uint32_t i = 0; i < g->dev->page.nr_devices; i++)
        if (g->dev->page.dev[i].type == KEEL_DEV_CONSOLE)
            return &g->dev->page.dev[i];
    return NULL;
}

/* The guest's entry names our port (the guest's, shared by dom0's
 * backends); the backend's descriptor is the same connection from our
 * end. */
long console_connect(struct guest *g)
{
    struct keel_device *d = console_entry(g);
    long rc;

    if (!d)
        return 0;
    if (nconsoles >= MAX_CONSOLES)
        return -KEEL_ENOSPC;      /* refused before a grant page runs out */
    struct consback_conn c = {
        .dev = { .type = KEEL_DEV_CONSOLE, .role = KEEL_DEV_MAPPER,
                 .peer_domid = (uint16_t)g->domid, .port = g->port,
                 .ring_pages = d->ring_pages, .ring_ref = d->ring_ref,
                 .name = "console" },
        .input = g->idx == 0, .ctx = g };
    if ((rc = consback_add(&c)) < 0)
        return rc;
    nconsoles++;
    return 0;
}

void console_detach(uint32_t domid)
{
    if (consback_remove((keel_domid_t)domid) == 0)
        nconsoles--;
}

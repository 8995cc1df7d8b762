/*
 * The console backend (consback.h): the guests it serves, the connection
 * handshake, and the thread that serves them.
 *
 * Connecting: on the guest's first event (or whenever we look and have not
 * mapped yet) we map its ring pages; a guest that has not granted them yet
 * simply fails the map and we wait for its next event.  Once mapped and
 * INITIALISED, we resume from the counters in the page (a restarted backend
 * continues where the last one stopped), bump mapper_epoch and say
 * CONNECTED.
 */
#include <stdlib.h>
#include <libos/event.h>
#include <libos/grant.h>
#include <libos/start.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <keel/event_channel.h>
#include <keel/grant_table.h>
#include <keel/launch.h>
#include "builder.h"
#include "consback.h"
#include "consback_impl.h"
#include "consback_in.h"
#include "ctl.h"
#include "devpage.h"
#include "hc.h"

/* Each console holds one port of dom0's own (besides its two VIRQs,
 * VIRQ_DOM_EXC and VIRQ_CONSOLE) and, while connected, one page of its
 * grant window: keel/launch.h's guest limit is derived from these. */
#define CB_MAX_CONSOLES KEEL_LAUNCH_MAX_GUESTS
_Static_assert(CB_MAX_CONSOLES + 2 < KEEL_EVTCHN_PORTS,
               "a port for every console");
_Static_assert(CB_MAX_CONSOLES <= KEEL_GRANT_MAX_MAPS,
               "a grant-window page for every console");

static struct cb_guest **guests;
static unsigned nguests, cap;
static volatile int kicked;           /* any guest's event */
static unsigned turn;                 /* round-robin start */

static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    ((struct cb_guest *)arg)->kicked = 1;
    kicked = 1;
}

int consback_plan(struct guest *g)
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

static int remember(struct cb_guest *c)
{
    if (nguests == cap) {
        unsigned ncap = cap ? cap * 2 : 16;
        struct cb_guest **n = realloc(guests, ncap * sizeof(*n));
        if (!n)
            return -1;
        guests = n;
        cap = ncap;
    }
    guests[nguests++] = c;
    return 0;
}

long consback_connect(struct guest *g)
{
    struct keel_device *d = console_entry(g);
    struct cb_guest *c;
    long port;

    if (!d)
        return 0;
    if (nguests >= CB_MAX_CONSOLES)
        return -KEEL_ENOSPC;      /* refused before a port or page runs out */
    if (!(c = calloc(1, sizeof(*c))))
        return -KEEL_ENOMEM;
    if ((port = libos_evtchn_alloc_unbound((keel_domid_t)g->domid)) < 0) {
        free(c);
        return port;
    }
    *c = (struct cb_guest){ .domid = g->domid, .idx = g->idx,
                            .name = g->mf->name, .port = (uint32_t)port,
                            .ref = d->ring_ref };
    if (remember(c)) {
        libos_evtchn_close(c->port);
        free(c);
        return -KEEL_ENOMEM;
    }
    d->port = (uint32_t)port;
    libos_evtchn_set_handler(c->port, on_event, c);
    if (g->idx == 0)
        cb_input_target(c);
    return 0;
}

static void unmap(struct cb_guest *c)
{
    if (c->mapped)
        libos_grant_unmap(c->handle);
    c->mapped = 0;
    c->pg = NULL;
}

/* Not granted yet is the normal first answer; out of grant handles or of
 * hypervisor memory should never be (dom0's handle and window tables come
 * out of dom0's reserve, the guest's grant records out of the guest's:
 * keel/domctl.h, admit.h), so the user hears of it once.  Either way we
 * try again on the guest's next event. */
static int map_page0(struct cb_guest *c)
{
    void *va;
    long h = libos_grant_map((keel_domid_t)c->domid, c->ref, 0, &va);

    if (h < 0) {
        if ((h == -KEEL_ENOMEM || h == -KEEL_ENOSPC) && !c->warned) {
            c->warned = 1;
            ctl_msg(c->idx, "%s: console not connected yet: %s (%ld) in the "
                    "hypervisor; its output waits (raise keel run --mem)",
                    c->name, ctl_strerror(h), h);
        }
        return -1;
    }
    c->handle = (uint32_t)h;
    c->page0 = va;
    c->pg = va;
    c->mapped = 1;
    return 0;
}

static void close_console(struct cb_guest *c, const char *why)
{
    c->pg->hdr.mapper_state = KEEL_CONN_CLOSED;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    cb_notify(c);
    unmap(c);
    c->closed = 1;
    ctl_msg(c->idx, "%s: console closed: %s", c->name, why);
    hc_log("console of domain %u closed: %s", c->domid, why);
}

/* Map and say CONNECTED; 1 when connected, 0 not yet. */
static int connect(struct cb_guest *c)
{
    if (c->mapped)
        return 1;
    if (c->closed || map_page0(c))
        return 0;
    uint32_t st = c->pg->hdr.granter_state;
    if (st != KEEL_CONN_INITIALISED && st != KEEL_CONN_CONNECTED) {
        unmap(c);   /* granted, not ready: later */
        return 0;
    }
    c->out_cons = c->pg->out.cons;
    c->err_cons = c->pg->err.cons;
    c->in_prod = c->pg->in.prod;
    c->pg->hdr.mapper_epoch++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    c->pg->hdr.mapper_state = KEEL_CONN_CONNECTED;
    if (!cb_input_is_target(c))
        cb_send_eof(c);           /* stdin is the first guest's only */
    cb_notify(c);
    return 1;
}

/* One turn for one guest: bytes moved, 0 if idle. */
static long serve(struct cb_guest *c, uint32_t budget)
{
    c->kicked = 0;
    if (!connect(c))
        return 0;
    long n = cb_pump_output(c, budget);
    if (n < 0) {
        close_console(c, "corrupt ring indices or pages not granted");
        return 0;
    }
    long m = cb_input_pump(c);
    if (m < 0) {
        close_console(c, "corrupt input ring indices");
        return 0;
    }
    return n + m;
}

void consback_detach(uint32_t domid)
{
    for (unsigned i = 0; i < nguests; i++) {
        struct cb_guest *c = guests[i];
        if (c->domid != domid)
            continue;
        /* the guest has ended: what is in the ring is all there is, and
         * the counters' check bounds it */
        for (int k = 0; k < 4 && connect(c); k++) {
            long n = cb_pump_output(c, CB_MAX_BUDGET);
            if (n < 0)
                close_console(c, "corrupt ring indices or pages not granted");
            if (n <= 0)
                break;
        }
        unmap(c);
        cb_input_forget(c);
        libos_evtchn_close(c->port);
        guests[i] = guests[--nguests];
        free(c);
        return;
    }
}

static int is_kicked(void *arg)
{
    (void)arg;
    return kicked || cb_input_fired();
}

static void *backend(void *arg)
{
    (void)arg;
    for (;;) {
        long moved = 0;
        kicked = 0;
        cb_input_take_event();
        for (unsigned k = 0; k < nguests; k++) {
            struct cb_guest *c = guests[(turn + k) % nguests];
            moved += serve(c, CB_PASS_BYTES);
        }
        turn++;
        if (moved > 0)
            libos_thread_yield();   /* let the toolstack run between turns */
        else
            libos_thread_wait(is_kicked, 0, cb_input_deadline());
    }
    return NULL;
}

int consback_start(void)
{
    libos_thread_t *t;

    cb_input_start();
    return libos_thread_create(&t, backend, NULL, 0);
}

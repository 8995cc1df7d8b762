/*
 * The console frontend's connection (keel/console.h): find the console in
 * the device page, grant its pages to the backend, bind the port, mark the
 * ring INITIALISED and notify.  Anything missing or refused leaves the
 * domain on the hypercall console (dom0 always is: it is its own backend).
 */
#include <libos/device.h>
#include <libos/event.h>
#include <libos/grant.h>
#include "console_front.h"
#include <libos/start.h>
#include "internal.h"

struct console_front libos_cf;

/* Events only wake the scheduler, which re-reads the ring: nothing to do. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
}

static int grant_pages(const struct keel_device *d)
{
    for (uint32_t i = 0; i < d->ring_pages; i++) {
        const void *va = (const void *)(uintptr_t)(d->ring_va + i * KEEL_PAGE_SIZE);
        if (libos_grant_set(d->ring_ref + i, d->peer_domid, va, 0))
            return -1;
    }
    return 0;
}

/* Fresh counters: we own the pages, the backend resumes from them. */
static void stream_fresh(struct stream *st, struct keel_stream *s,
                         uint8_t *data, uint32_t size)
{
    stream_reset(s);
    stream_init(st, s, data, size, 0);
}

void libos_console_init(void)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_CONSOLE, "console");
    long port;

    if (libos_is_privileged() || !d || d->role != KEEL_DEV_GRANTER ||
        d->ring_pages != KEEL_CONSOLE_RING_PAGES ||
        d->ring_ref + d->ring_pages > LIBOS_GRANT_ENTRIES || grant_pages(d))
        return;
    port = libos_evtchn_bind_interdomain(d->peer_domid, d->port);
    if (port <= 0)
        return;
    uint8_t *base = (uint8_t *)(uintptr_t)d->ring_va;
    struct keel_console_page *pg = (struct keel_console_page *)base;
    stream_fresh(&libos_cf.out, &pg->out,
                 base + KEEL_CONSOLE_OUT_PAGE * KEEL_PAGE_SIZE, KEEL_CONSOLE_OUT_SIZE);
    stream_fresh(&libos_cf.err, &pg->err,
                 base + KEEL_CONSOLE_ERR_PAGE * KEEL_PAGE_SIZE, KEEL_CONSOLE_ERR_SIZE);
    stream_fresh(&libos_cf.in, &pg->in, base + KEEL_CONSOLE_IN_OFFSET,
                 KEEL_CONSOLE_IN_SIZE);
    libos_cf.pg = pg;
    libos_cf.port = (keel_evtchn_port_t)port;
    libos_evtchn_set_handler(libos_cf.port, on_event, 0);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* counters before the state */
    pg->hdr.granter_state = KEEL_CONN_INITIALISED;
    libos_cf.up = 1;
    libos_evtchn_send(libos_cf.port);
}

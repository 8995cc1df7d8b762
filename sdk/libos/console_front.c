/*
 * The console frontend's connection (keel/console.h): find the console in
 * the device page, grant its pages to the backend and bind the port
 * (libos/conn.h), zero the counters, go INITIALISED.  Anything missing or
 * refused leaves the domain on the hypercall console (dom0 always is: it
 * is its own backend).
 */
#include <libos/conn.h>
#include <libos/device.h>
#include <libos/start.h>
#include "console_front.h"
#include "internal.h"

struct console_front libos_cf;

/* Events only wake the scheduler, which re-reads the ring: nothing to do. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
}

/* Fresh counters: we own the pages, the backend resumes from them. */
static void stream_fresh(struct stream *st, struct keel_stream *s,
                         uint8_t *data, uint32_t size)
{
    stream_reset(s);
    stream_init(st, s, data, size, 0);
}

static int connect(const struct keel_device *d)
{
    struct libos_conn *c = &libos_cf.conn;

    if (d->role != KEEL_DEV_GRANTER || d->ring_pages != KEEL_CONSOLE_RING_PAGES ||
        libos_conn_init(c, d, libos_cf.page, 0, on_event, 0))
        return -1;
    if (libos_conn_grant(c)) {
        libos_conn_release(c);
        return -1;
    }
    return 0;
}

void libos_console_init(void)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_CONSOLE, "console");

    if (libos_is_privileged() || !d || connect(d))
        return;
    uint8_t *base = libos_cf.page[0];
    struct keel_console_page *pg = (struct keel_console_page *)base;
    stream_fresh(&libos_cf.out, &pg->out,
                 base + KEEL_CONSOLE_OUT_PAGE * KEEL_PAGE_SIZE, KEEL_CONSOLE_OUT_SIZE);
    stream_fresh(&libos_cf.err, &pg->err,
                 base + KEEL_CONSOLE_ERR_PAGE * KEEL_PAGE_SIZE, KEEL_CONSOLE_ERR_SIZE);
    stream_fresh(&libos_cf.in, &pg->in, base + KEEL_CONSOLE_IN_OFFSET,
                 KEEL_CONSOLE_IN_SIZE);
    libos_cf.pg = pg;
    libos_conn_set_state(&libos_cf.conn, KEEL_CONN_INITIALISED);
    libos_cf.up = 1;
}

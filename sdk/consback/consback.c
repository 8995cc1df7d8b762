/*
 * The console backend (consback/consback.h): the consoles it serves, the
 * connection (libos/conn.h's mapper end), and the thread that serves them.
 *
 * Connecting: on the guest's first event (or whenever we look and have not
 * mapped yet) we map its ring's page 0; a guest that has not granted it
 * yet simply fails the map and we wait for its next event.  Once mapped
 * and INITIALISED, we resume from the counters in the page (a restarted
 * backend continues where the last one stopped), bump mapper_epoch and
 * say CONNECTED.
 */
#include <stdlib.h>
#include <libos/thread.h>
#include "consback_impl.h"

const struct consback_ops *cb_ops;
static struct cb_console **consoles;
static unsigned nconsoles, cap;
static volatile int kicked;           /* any console's event */
static struct cb_console *input_console;

/* Consoles with something to do: their port fired, they are new, or their
 * last turn moved bytes.  A FIFO threaded through the consoles
 * and changed with upcalls masked (the handler appends), so that a pass
 * costs what the ready consoles cost: with thousands of guests, a look at
 * every console on every event made each guest's boot slower than the
 * last's. */
static struct cb_console *ready_head, **ready_tail = &ready_head;

/* Upcalls masked: in the handler, or under libos_events_mask. */
static void ready_push(struct cb_console *c)
{
    if (c->queued)
        return;
    c->queued = 1;
    c->next_ready = NULL;
    *ready_tail = c;
    ready_tail = &c->next_ready;
}

static void ready_push_masked(struct cb_console *c)
{
    int old = libos_events_mask();

    ready_push(c);
    libos_events_restore(old);
}

/* The whole list, now the caller's; each stays queued (a new event does
 * not append it again) until the caller clears queued. */
static struct cb_console *ready_take_all(void)
{
    int old = libos_events_mask();
    struct cb_console *list = ready_head;

    ready_head = NULL;
    ready_tail = &ready_head;
    libos_events_restore(old);
    return list;
}

static void ready_forget(struct cb_console *c)
{
    int old = libos_events_mask();

    for (struct cb_console **p = &ready_head; *p; p = &(*p)->next_ready) {
        if (*p != c)
            continue;
        *p = c->next_ready;
        if (ready_tail == &c->next_ready)
            ready_tail = p;
        break;
    }
    libos_events_restore(old);
}

static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    ((struct cb_console *)arg)->kicked = 1;
    ready_push(arg);
    kicked = 1;
}

static int remember(struct cb_console *c)
{
    if (nconsoles == cap) {
        unsigned ncap = cap ? cap * 2 : 16;
        struct cb_console **n = realloc(consoles, ncap * sizeof(*n));
        if (!n)
            return -1;
        consoles = n;
        cap = ncap;
    }
    consoles[nconsoles++] = c;
    return 0;
}

int consback_add(const struct consback_conn *d)
{
    struct cb_console *c;
    int rc;

    if (d->dev.role != KEEL_DEV_MAPPER ||
        d->dev.ring_pages != KEEL_CONSOLE_RING_PAGES)
        return -KEEL_EINVAL;
    if (!(c = calloc(1, sizeof(*c))))
        return -KEEL_ENOMEM;
    *c = (struct cb_console){ .domid = d->dev.peer_domid, .input = d->input,
                              .ctx = d->ctx };
    if (remember(c)) {
        free(c);
        return -KEEL_ENOMEM;
    }
    if ((rc = libos_conn_init(&c->conn, &d->dev, c->page, c->handle, on_event, c))) {
        nconsoles--;
        free(c);
        return rc;
    }
    if (c->input) {
        cb_input_target(c);
        input_console = c;
    }
    ready_push_masked(c);         /* an event before the handler is lost */
    kicked = 1;
    return 0;
}

/* Not granted yet is the normal first answer; out of grant handles or of
 * hypervisor memory should never be (dom0's handle and window tables come
 * out of its reserve, the guest's grant records out of the guest's), so
 * the caller hears of it once.  Either way we try again at the next event. */
static int map_page0(struct cb_console *c)
{
    long rc = libos_conn_map(&c->conn, 1);

    if (rc && (rc == -KEEL_ENOMEM || rc == -KEEL_ENOSPC) && !c->warned) {
        c->warned = 1;
        if (cb_ops->stalled)
            cb_ops->stalled(c->ctx, rc);
    }
    return rc ? -1 : 0;
}

static void close_console(struct cb_console *c, const char *why)
{
    libos_conn_set_state(&c->conn, KEEL_CONN_CLOSED);
    libos_conn_unmap(&c->conn);
    c->pg = NULL;
    c->closed = 1;
    if (cb_ops->closed)
        cb_ops->closed(c->ctx, why);
}

/* Where the guest's counters are: ours are private from here on. */
static void resume(struct cb_console *c)
{
    struct keel_console_page *pg = c->pg;

    stream_init_pages(&c->out, &pg->out, NULL, KEEL_CONSOLE_OUT_SIZE, pg->out.cons);
    stream_init_pages(&c->err, &pg->err, NULL, KEEL_CONSOLE_ERR_SIZE, pg->err.cons);
    stream_init(&c->in, &pg->in, c->page[0] + KEEL_CONSOLE_IN_OFFSET,
                KEEL_CONSOLE_IN_SIZE, pg->in.prod);
}

/* Map and say CONNECTED; 1 when connected, 0 not yet. */
static int connect(struct cb_console *c)
{
    if (c->pg)
        return 1;
    if (c->closed || map_page0(c))
        return 0;
    long st = libos_conn_peer_state(&c->conn);
    if (st != KEEL_CONN_INITIALISED && st != KEEL_CONN_CONNECTED) {
        libos_conn_unmap(&c->conn);   /* granted, not ready: later */
        return 0;
    }
    c->pg = (struct keel_console_page *)c->page[0];
    resume(c);
    if (!c->input)
        cb_send_eof(c);               /* the input is one console's only */
    libos_conn_connect(&c->conn);
    return 1;
}

/* One turn for one console: bytes moved, 0 if idle. */
static long serve(struct cb_console *c, uint32_t budget)
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

int consback_remove(keel_domid_t domid)
{
    for (unsigned i = 0; i < nconsoles; i++) {
        struct cb_console *c = consoles[i];
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
        cb_input_forget(c);
        if (input_console == c)
            input_console = NULL;
        ready_forget(c);
        libos_conn_release(&c->conn);
        consoles[i] = consoles[--nconsoles];
        free(c);
        return 0;
    }
    return -KEEL_ENOENT;
}

static int is_kicked(void *arg)
{
    (void)arg;
    return kicked || cb_input_fired();
}

/* One pass: the input's console (its input may have come), then every
 * ready console once; one that moved bytes (serve's "call again soon")
 * goes to the back of the list for the next pass, until a turn finds its
 * rings drained and armed.  Serving never yields, so no console on the
 * caller's list goes away under it (consback_remove runs between passes). */
static long serve_ready(void)
{
    struct cb_console *c = ready_take_all(), *next;
    long moved = 0, n;

    if (input_console)
        moved += serve(input_console, CB_PASS_BYTES);
    for (; c; c = next) {
        next = c->next_ready;
        c->queued = 0;
        moved += n = serve(c, CB_PASS_BYTES);
        if (n > 0)
            ready_push_masked(c);
    }
    return moved;
}

static void *backend(void *arg)
{
    (void)arg;
    for (;;) {
        kicked = 0;
        cb_input_take_event();
        if (serve_ready() > 0)
            libos_thread_yield();   /* let the caller run between turns */
        else
            libos_thread_wait(is_kicked, 0, cb_input_deadline());
    }
    return NULL;
}

int consback_start(const struct consback_ops *ops)
{
    libos_thread_t *t;

    cb_ops = ops;
    cb_input_start();
    return libos_thread_create(&t, backend, NULL, 0);
}

/*
 * The split-driver handshake (libos/conn.h, keel/device.h).
 *
 * Each end writes only its own state word and reads the peer's, checked.
 * A state word is published after a full fence, so that the peer, which
 * reads the word before it looks at the rest of the pages, finds
 * everything this end wrote before it (zeroed counters, a resumed
 * position); the event follows the store, so a peer woken by it sees the
 * new state.
 */
#include <libos/conn.h>
#include <libos/event.h>
#include <libos/grant.h>

#define PAGE KEEL_PAGE_SIZE

static struct libos_conn *granters;

/* Upcall context: every connection on the port looks at its pages. */
static void dispatch(keel_evtchn_port_t port, void *arg)
{
    for (struct libos_conn *c = arg; c; c = c->next_on_port)
        if (c->fn)
            c->fn(port, c->arg);
}

/* The connections on c's port (NULL: none yet). */
static struct libos_conn *port_head(const struct libos_conn *c)
{
    void *head = 0;

    return libos_evtchn_get_handler(c->port, &head) == dispatch ? head : 0;
}

/* c starts hearing events on c->port, with whoever is there already. */
static void join_port(struct libos_conn *c)
{
    int old = libos_events_mask();

    c->next_on_port = port_head(c);
    libos_evtchn_set_handler(c->port, dispatch, c);
    libos_events_restore(old);
}

/* c stops hearing them; true when it was the last one on the port. */
static bool leave_port(struct libos_conn *c)
{
    int old = libos_events_mask();
    struct libos_conn *head = port_head(c), **pp = &head;

    while (*pp && *pp != c)
        pp = &(*pp)->next_on_port;
    if (*pp)
        *pp = c->next_on_port;
    libos_evtchn_set_handler(c->port, head ? dispatch : 0, head);
    libos_events_restore(old);
    c->next_on_port = 0;
    return head == 0;
}

/* A port this domain already bound to (peer, peer_port), or 0. */
static keel_evtchn_port_t bound_port(const struct libos_conn *c)
{
    for (const struct libos_conn *o = granters; o; o = o->next_granter)
        if (o->peer == c->peer && o->peer_port == c->peer_port && o->port)
            return o->port;
    return 0;
}

static void forget_granter(struct libos_conn *c)
{
    struct libos_conn **pp = &granters;

    while (*pp && *pp != c)
        pp = &(*pp)->next_granter;
    if (*pp)
        *pp = c->next_granter;
    c->next_granter = 0;
}

int libos_conn_init(struct libos_conn *c, const struct keel_device *d,
                    uint8_t **page, keel_grant_handle_t *handle,
                    libos_evtchn_handler_t fn, void *arg)
{
    bool granter = d->role == KEEL_DEV_GRANTER;

    if (!d->ring_pages || (!granter && d->role != KEEL_DEV_MAPPER) ||
        (granter && (d->ring_pages > LIBOS_GRANT_ENTRIES ||
                     d->ring_ref > LIBOS_GRANT_ENTRIES - d->ring_pages)))
        return -KEEL_EINVAL;
    *c = (struct libos_conn){ .peer = d->peer_domid, .granter = granter,
                              .ref = d->ring_ref, .npages = d->ring_pages,
                              .va = d->ring_va, .page = page, .handle = handle,
                              .fn = fn, .arg = arg };
    if (granter) {
        c->peer_port = d->port;
    } else {
        c->port = d->port;
        join_port(c);
    }
    return 0;
}

long libos_conn_grant(struct libos_conn *c)
{
    long rc;

    for (; c->ready < c->npages; c->ready++) {
        c->page[c->ready] = (uint8_t *)(uintptr_t)(c->va + (uint64_t)c->ready * PAGE);
        if ((rc = libos_grant_set(c->ref + c->ready, c->peer, c->page[c->ready], 0)))
            return rc;
    }
    c->hdr = (struct keel_conn_header *)c->page[0];
    if (c->port)
        return 0;
    if (!(c->port = bound_port(c))) {
        if ((rc = libos_evtchn_bind_interdomain(c->peer, c->peer_port)) < 0)
            return rc;
        c->port = (keel_evtchn_port_t)rc;
    }
    join_port(c);
    c->next_granter = granters;
    granters = c;
    return 0;
}

long libos_conn_map(struct libos_conn *c, uint32_t n)
{
    for (; c->ready < n && c->ready < c->npages; c->ready++) {
        void *va;
        long h = libos_grant_map(c->peer, c->ref + c->ready, 0, &va);
        if (h < 0)
            return h;
        c->page[c->ready] = va;
        c->handle[c->ready] = (keel_grant_handle_t)h;
    }
    c->hdr = c->ready ? (struct keel_conn_header *)c->page[0] : NULL;
    return 0;
}

void libos_conn_unmap(struct libos_conn *c)
{
    while (c->ready)
        libos_grant_unmap(c->handle[--c->ready]);
    c->hdr = NULL;
}

long libos_conn_peer_state(const struct libos_conn *c)
{
    if (!c->hdr)
        return KEEL_CONN_UNKNOWN;
    const volatile uint32_t *w = c->granter ? &c->hdr->mapper_state
                                            : &c->hdr->granter_state;
    uint32_t s = __atomic_load_n(w, __ATOMIC_ACQUIRE);

    return s > KEEL_CONN_CLOSED ? -KEEL_EIO : (long)s;
}

bool libos_conn_peer_bound(const struct libos_conn *c)
{
    struct keel_evtchn_op st;

    return libos_evtchn_status(c->port, &st) == 0 &&
           st.state == KEEL_EVTCHNSTAT_INTERDOMAIN;
}

void libos_conn_notify(const struct libos_conn *c)
{
    libos_evtchn_send(c->port);
}

void libos_conn_set_state(struct libos_conn *c, uint32_t state)
{
    if (!c->hdr)
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the pages before the word */
    if (c->granter)
        c->hdr->granter_state = state;
    else
        c->hdr->mapper_state = state;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    libos_conn_notify(c);
}

void libos_conn_connect(struct libos_conn *c)
{
    c->hdr->mapper_epoch++;
    libos_conn_set_state(c, KEEL_CONN_CONNECTED);
}

void libos_conn_release(struct libos_conn *c)
{
    if (c->port) {
        if (leave_port(c))
            libos_evtchn_close(c->port);
        c->port = 0;
    }
    if (c->granter) {
        forget_granter(c);
        while (c->ready)
            libos_grant_end(c->ref + --c->ready);
    } else {
        libos_conn_unmap(c);
    }
    c->hdr = NULL;
}

/*
 * Routing records.  A domain's records belong to the guest that the last
 * `start <idx> <domid>` control line named (domids may be reused after a
 * guest is destroyed).  Domain 0 is dom0: its stdout/stderr, like the
 * hypervisor's log and bytes outside records, go to stderr only with -v.
 * Output of a domain not yet named is held (dom0 may print `start` after the
 * guest already runs) and replayed when it is named.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/console.h>

#include "router.h"

static void tail_add(struct keel_router *r, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        r->tail[r->tail_pos++] = (char)d[i];
        if (r->tail_pos == KEEL_TAIL_BYTES) {
            r->tail_pos = 0;
            r->tail_wrapped = true;
        }
    }
}

static void route_log(struct keel_router *r, struct keel_lineout *lo,
                      const uint8_t *d, size_t n)
{
    tail_add(r, d, n);
    if (r->verbose)
        keel_lo_write(lo, d, n);
}

static void log_bytes(void *ctx, const uint8_t *d, size_t n)
{
    struct keel_router *r = ctx;
    route_log(r, &r->hvlog, d, n);
}

void keel_route_guest(struct keel_router *r, int idx, char stream,
                      const uint8_t *data, size_t n)
{
    struct keel_guest *g = &r->g[idx];
    keel_lo_write(stream == KEEL_REC_STDERR ? &g->err : &g->out, data, n);
}

static void hold_pending(struct keel_router *r, const struct keel_record *rec)
{
    if (r->pending_bytes + rec->len > KEEL_PENDING_MAX)
        return;
    struct keel_pending *p = malloc(sizeof(*p) + rec->len);
    if (!p)
        return;
    *p = (struct keel_pending){ .domid = rec->domid, .stream = rec->stream,
                                .len = rec->len };
    memcpy(p->data, rec->data, rec->len);
    *r->pending_tail = p;
    r->pending_tail = &p->next;
    r->pending_bytes += rec->len;
}

/* `start idx domid`: the domain is guest idx from now on. */
void keel_route_claim(struct keel_router *r, unsigned domid, int idx)
{
    r->dom2guest[domid] = idx;
    struct keel_pending **pp = &r->pending;
    r->pending_tail = &r->pending;
    while (*pp) {
        struct keel_pending *p = *pp;
        if (p->domid != domid) {
            pp = &p->next;
            r->pending_tail = pp;
            continue;
        }
        *pp = p->next;
        r->pending_bytes -= p->len;
        keel_route_guest(r, idx, p->stream, p->data, p->len);
        free(p);
    }
}

static void on_record(void *ctx, const struct keel_record *rec)
{
    struct keel_router *r = ctx;
    bool io = rec->stream == KEEL_REC_STDOUT || rec->stream == KEEL_REC_STDERR;
    if (rec->stream == KEEL_REC_CONTROL) {
        keel_control_feed(r, rec->data, rec->len);
    } else if (rec->stream == KEEL_REC_POWEROFF) {
        r->poweroff = true;
    } else if (io && rec->domid <= KEEL_DOMID_MAX && r->dom2guest[rec->domid] >= 0) {
        keel_route_guest(r, r->dom2guest[rec->domid], rec->stream, rec->data, rec->len);
    } else if (io && rec->domid == 0) {
        route_log(r, rec->stream == KEEL_REC_STDERR ? &r->dom0err : &r->dom0out,
                  rec->data, rec->len);
    } else if (io && rec->domid <= KEEL_DOMID_MAX) {
        hold_pending(r, rec);
    } else {
        route_log(r, &r->hvlog, rec->data, rec->len);
    }
}

struct keel_rec_sink keel_router_sink(struct keel_router *r)
{
    return (struct keel_rec_sink){ .record = on_record, .log = log_bytes, .ctx = r };
}

struct keel_router *keel_router_new(char *const *names, int n, int out_fd,
                                    int err_fd, bool verbose, bool timings)
{
    struct keel_router *r = calloc(1, sizeof(*r));
    if (!r || !(r->g = calloc((size_t)n, sizeof(*r->g))) ||
        !(r->dom2guest = malloc(sizeof(int) * (KEEL_DOMID_MAX + 1u)))) {
        keel_router_free(r);
        return NULL;
    }
    for (unsigned d = 0; d <= KEEL_DOMID_MAX; d++)
        r->dom2guest[d] = -1;
    *r = (struct keel_router){ .n = n, .g = r->g, .dom2guest = r->dom2guest,
        .verbose = verbose, .timings = timings, .multi = n > 1, .err_fd = err_fd };
    r->pending_tail = &r->pending;
    for (int i = 0; i < n; i++) {
        char prefix[512];
        snprintf(prefix, sizeof(prefix), "%s| ", names[i]);
        r->g[i].name = strdup(names[i]);
        r->g[i].status = -1;
        keel_lo_init(&r->g[i].out, out_fd, r->multi ? prefix : NULL);
        keel_lo_init(&r->g[i].err, err_fd, r->multi ? prefix : NULL);
    }
    keel_lo_init(&r->hvlog, err_fd, "hv| ");
    keel_lo_init(&r->dom0out, err_fd, "dom0| ");
    keel_lo_init(&r->dom0err, err_fd, "dom0| ");
    keel_lo_init(&r->msg, err_fd, NULL);
    return r;
}

/* End of the run: partial lines are flushed, unclaimed output shown with -v. */
void keel_router_finish(struct keel_router *r)
{
    if (r->ctl_len) {
        r->ctl[r->ctl_len] = '\0';
        r->ctl_len = 0;
        keel_control_line(r, r->ctl);
    }
    for (struct keel_pending *p = r->pending; p; p = p->next)
        route_log(r, &r->hvlog, p->data, p->len);
    for (int i = 0; i < r->n; i++) {
        keel_lo_flush(&r->g[i].out);
        keel_lo_flush(&r->g[i].err);
    }
    keel_lo_flush(&r->hvlog);
    keel_lo_flush(&r->dom0out);
    keel_lo_flush(&r->dom0err);
}

void keel_router_free(struct keel_router *r)
{
    if (!r)
        return;
    for (int i = 0; r->g && i < r->n; i++) {
        keel_lo_free(&r->g[i].out);
        keel_lo_free(&r->g[i].err);
        free(r->g[i].name);
    }
    while (r->pending) {
        struct keel_pending *p = r->pending;
        r->pending = p->next;
        free(p);
    }
    keel_lo_free(&r->hvlog);
    keel_lo_free(&r->dom0out);
    keel_lo_free(&r->dom0err);
    keel_lo_free(&r->msg);
    free(r->g);
    free(r->dom2guest);
    free(r->ctl);
    free(r);
}

bool keel_router_done(const struct keel_router *r, int *status)
{
    if (r->done && status)
        *status = r->done_status;
    return r->done;
}

bool keel_router_started(const struct keel_router *r)
{
    return r->started;
}

bool keel_router_poweroff(const struct keel_router *r)
{
    return r->poweroff;
}

/* The last lines of the hypervisor's and dom0's logs. */
void keel_router_log_tail(const struct keel_router *r, FILE *f)
{
    if (r->tail_wrapped)
        fwrite(r->tail + r->tail_pos, 1, KEEL_TAIL_BYTES - r->tail_pos, f);
    fwrite(r->tail, 1, r->tail_pos, f);
    if (r->tail_pos && r->tail[r->tail_pos - 1] != '\n')
        fputc('\n', f);
}

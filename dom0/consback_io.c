/*
 * Moving console bytes (consback.h): guest output to the launcher, the
 * launcher's input to the guest.  Counters the guest owns are read once per
 * step and checked against the stream's size before anything is copied;
 * our own counters are kept privately, so a guest scribbling on them cannot
 * make us re-send or skip bytes.
 */
#include <keel/console.h>
#include <libos/console.h>
#include <libos/event.h>
#include <libos/grant.h>
#include "consback_impl.h"

#define PAGE KEEL_PAGE_SIZE
/* A copy segment may cross a page on neither side: a pass's bytes end at
 * most at every page boundary of the ring and of the bounce buffer. */
#define MAX_SEGS (2 * (CB_MAX_BUDGET / PAGE) + 2)

static uint8_t bounce[CB_MAX_BUDGET] __attribute__((aligned(PAGE)));

void cb_notify(struct cb_guest *c)
{
    libos_evtchn_send(c->port);
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Copy [cons, cons + n) of a stream whose data starts at page `first`
 * into bounce, one grant-copy segment per page piece.  0 or -1. */
static int fetch(struct cb_guest *c, unsigned first, uint32_t size,
                 uint32_t cons, uint32_t n)
{
    struct keel_grant_copy seg[MAX_SEGS];
    unsigned k = 0;

    for (uint32_t done = 0; done < n; k++) {
        uint32_t at = (cons + done) & (size - 1);
        uint32_t len = min3(PAGE - at % PAGE, n - done, size - at);
        if (len > PAGE - done % PAGE)
            len = PAGE - done % PAGE;
        seg[k] = (struct keel_grant_copy){
            .src = { .ref = c->ref + first + at / PAGE,
                     .domid = (keel_domid_t)c->domid,
                     .offset = (uint16_t)(at % PAGE) },
            .dst = { .gva = (uint64_t)(uintptr_t)(bounce + done) },
            .len = (uint16_t)len, .flags = KEEL_GRANT_COPY_SRC_GREF };
        done += len;
    }
    return libos_grant_copy(seg, k) == 0 ? 0 : -1;
}

/* The bytes go out as the guest's own records. */
static void forward(struct cb_guest *c, unsigned stream, uint32_t n)
{
    libos_console_write_direct(stream | KEEL_CONSOLE_FOR |
                               (c->domid << KEEL_CONSOLE_DOMID_SHIFT),
                               bounce, n);
}

static long pump(struct cb_guest *c, struct keel_stream *s, uint32_t *cons,
                 unsigned stream, unsigned first, uint32_t size, uint32_t budget)
{
    uint32_t prod = s->prod, used = prod - *cons, n;

    if (used > size)
        return -1;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);   /* prod before the bytes */
    n = used < budget ? used : budget;
    if (n) {
        uint32_t old = *cons;
        if (fetch(c, first, size, old, n))
            return -1;
        forward(c, stream, n);
        *cons += n;
        s->cons = *cons;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* cons before cons_event */
        if (keel_stream_need_notify(old, *cons, s->cons_event))
            cb_notify(c);
    }
    if (*cons == prod) {
        /* drained: ask for the next byte, then look again */
        s->prod_event = *cons + 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (s->prod != prod)
            return n ? (long)n : 1;
    }
    return n;
}

long cb_pump_output(struct cb_guest *c, uint32_t budget)
{
    struct keel_console_page *pg = c->pg;
    long a = pump(c, &pg->out, &c->out_cons, KEEL_CONSOLE_STDOUT,
                  KEEL_CONSOLE_OUT_PAGE, KEEL_CONSOLE_OUT_SIZE, budget);
    if (a < 0)
        return -1;
    long b = pump(c, &pg->err, &c->err_cons, KEEL_CONSOLE_STDERR,
                  KEEL_CONSOLE_ERR_PAGE, KEEL_CONSOLE_ERR_SIZE, budget);
    return b < 0 ? -1 : a + b;
}

/* Room in the input stream; when there is none, ask for an event when the
 * guest consumes and look once more. */
static long in_space(struct cb_guest *c, struct keel_stream *s)
{
    uint32_t cons = s->cons, used = c->in_prod - cons;

    if (used > KEEL_CONSOLE_IN_SIZE)
        return -1;
    if (used < KEEL_CONSOLE_IN_SIZE)
        return KEEL_CONSOLE_IN_SIZE - used;
    s->cons_event = cons + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    cons = s->cons;
    used = c->in_prod - cons;
    return used > KEEL_CONSOLE_IN_SIZE ? -1 : (long)(KEEL_CONSOLE_IN_SIZE - used);
}

long cb_push_input(struct cb_guest *c, const uint8_t *buf, uint32_t len)
{
    struct keel_stream *s = &c->pg->in;
    uint8_t *data = c->page0 + KEEL_CONSOLE_IN_OFFSET;
    long space = in_space(c, s);

    if (space <= 0)
        return space;
    uint32_t n = len < space ? len : (uint32_t)space, old = c->in_prod;
    uint32_t at = old & (KEEL_CONSOLE_IN_SIZE - 1);
    uint32_t first = n < KEEL_CONSOLE_IN_SIZE - at ? n : KEEL_CONSOLE_IN_SIZE - at;
    __builtin_memcpy(data + at, buf, first);
    __builtin_memcpy(data, buf + first, n - first);
    __atomic_thread_fence(__ATOMIC_RELEASE);      /* bytes before prod */
    c->in_prod += n;
    s->prod = c->in_prod;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);      /* prod before prod_event */
    if (keel_stream_need_notify(old, c->in_prod, s->prod_event))
        cb_notify(c);
    return n;
}

void cb_send_eof(struct cb_guest *c)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);      /* last byte before the flag */
    c->pg->in_eof = 1;
    c->eof_sent = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    cb_notify(c);
}

/*
 * Moving console bytes (consback_impl.h): guest output to the caller's
 * output callback, the console input to the guest, each direction through
 * the byte-stream ring (stream/stream.h: the guest's counters checked at
 * every step, ours kept privately, so a guest scribbling on them cannot
 * make us re-send or skip bytes).
 */
#include <libos/grant.h>
#include "consback_impl.h"

#define PAGE KEEL_PAGE_SIZE
/* A copy segment may cross a page on neither side: a pass's bytes end at
 * most at every page boundary of the ring and of the bounce buffer. */
#define MAX_SEGS (2 * (CB_MAX_BUDGET / PAGE) + 2)

static uint8_t bounce[CB_MAX_BUDGET] __attribute__((aligned(PAGE)));

/* Copy the n bytes at our counter of a stream whose data starts at page
 * `first` into bounce, one grant-copy segment per piece.  0 or -1. */
static int fetch(struct cb_console *c, const struct stream *st, unsigned first,
                 uint32_t n)
{
    struct keel_grant_copy seg[MAX_SEGS];
    unsigned k = 0;
    uint32_t at;

    for (uint32_t done = 0, len; done < n; done += len, k++) {
        len = stream_piece(st, done, n, &at);   /* within one ring page */
        if (len > PAGE - done % PAGE)
            len = PAGE - done % PAGE;           /* and one bounce page */
        seg[k] = (struct keel_grant_copy){
            .src = { .ref = c->conn.ref + first + at / PAGE,
                     .domid = c->domid, .offset = (uint16_t)(at % PAGE) },
            .dst = { .gva = (uint64_t)(uintptr_t)(bounce + done) },
            .len = (uint16_t)len, .flags = KEEL_GRANT_COPY_SRC_GREF };
    }
    return libos_grant_copy(seg, k) == 0 ? 0 : -1;
}

static long pump(struct cb_console *c, struct stream *st, unsigned stream,
                 unsigned first, uint32_t budget)
{
    long used = stream_readable(st);

    if (used < 0)
        return -1;
    uint32_t n = (uint32_t)used < budget ? (uint32_t)used : budget;
    if (n) {
        if (fetch(c, st, first, n))
            return -1;
        cb_ops->output(c->ctx, c->domid, stream, bounce, n);
        if (stream_consumed(st, n))
            libos_conn_notify(&c->conn);
    }
    /* drained: ask for the next byte, then look again */
    if (n == (uint32_t)used && stream_arm_read(st) != 0)
        return n ? (long)n : 1;
    return n;
}

long cb_pump_output(struct cb_console *c, uint32_t budget)
{
    long a = pump(c, &c->out, KEEL_CONSOLE_STDOUT, KEEL_CONSOLE_OUT_PAGE, budget);
    if (a < 0)
        return -1;
    long b = pump(c, &c->err, KEEL_CONSOLE_STDERR, KEEL_CONSOLE_ERR_PAGE, budget);
    return b < 0 ? -1 : a + b;
}

long cb_push_input(struct cb_console *c, const uint8_t *buf, uint32_t len)
{
    long room = stream_writable(&c->in);

    if (room == 0)      /* full: hear of the guest's next read, look again */
        room = stream_arm_write(&c->in);
    if (room <= 0)
        return room < 0 ? -1 : 0;
    uint32_t n = len < (uint32_t)room ? len : (uint32_t)room;
    if (stream_put(&c->in, buf, n))
        libos_conn_notify(&c->conn);
    return n;
}

void cb_send_eof(struct cb_console *c)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);      /* last byte before the flag */
    c->pg->in_eof = 1;
    c->eof_sent = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    libos_conn_notify(&c->conn);
}

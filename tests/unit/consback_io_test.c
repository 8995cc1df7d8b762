/*
 * sdk/consback/consback_io.c: the console backend's byte moving, over a
 * fake guest (its 11 ring pages in host memory) and a fake grant copy that
 * refuses what the hypervisor refuses (a segment crossing a page on either
 * side, a reference outside the ring).  Output across the ring's wrap and
 * the 32-bit counter wrap arrives intact and in order, a hostile guest's
 * counters close the console without a byte forwarded, input waits for
 * room and the guest hears of what it asked for.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../lib/stream/stream.c"
#include "../../sdk/consback/consback_io.c"

#define REF 20
static _Alignas(4096) uint8_t guest[KEEL_CONSOLE_RING_PAGES][4096];
static struct keel_console_page *pg = (void *)guest[0];
static struct cb_console con;
static int notifies, bad_segs;
static uint8_t got[1 << 18];   /* more than the test sends */
static size_t got_len;

long libos_grant_copy(struct keel_grant_copy *seg, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        const struct keel_grant_copy *s = &seg[i];
        uint8_t *dst = (uint8_t *)(uintptr_t)s->dst.gva;
        uint32_t page = s->src.ref - REF;
        if (s->flags != KEEL_GRANT_COPY_SRC_GREF || page >= KEEL_CONSOLE_RING_PAGES ||
            s->src.offset + s->len > 4096 ||
            ((uintptr_t)dst & 4095) + s->len > 4096) {
            bad_segs++;
            return 1;
        }
        memcpy(dst, guest[page] + s->src.offset, s->len);
    }
    return 0;
}

void libos_conn_notify(const struct libos_conn *c)
{
    (void)c;
    notifies++;
}

static void output(void *ctx, keel_domid_t domid, unsigned stream,
                   const void *buf, uint32_t len)
{
    (void)ctx, (void)domid;
    if (stream == KEEL_CONSOLE_STDOUT && got_len + len <= sizeof(got))
        memcpy(got + got_len, buf, len);
    got_len += len;
}

static const struct consback_ops ops = { .output = output };
const struct consback_ops *cb_ops = &ops;

/* A connected console whose counters all start at `at`; gout is the
 * guest's end of stdout. */
static struct stream gout, gin;

static void setup(uint32_t at)
{
    memset(guest, 0, sizeof(guest));
    *pg = (struct keel_console_page){ 0 };
    pg->out = pg->err = pg->in = (struct keel_stream){ at, 1, at, 1 };
    con = (struct cb_console){ .domid = 5, .pg = pg, .page = { guest[0] } };
    con.conn.ref = REF;
    stream_init_pages(&con.out, &pg->out, NULL, KEEL_CONSOLE_OUT_SIZE, at);
    stream_init_pages(&con.err, &pg->err, NULL, KEEL_CONSOLE_ERR_SIZE, at);
    stream_init(&con.in, &pg->in, guest[0] + KEEL_CONSOLE_IN_OFFSET,
                KEEL_CONSOLE_IN_SIZE, at);
    stream_init(&gout, &pg->out, guest[KEEL_CONSOLE_OUT_PAGE], KEEL_CONSOLE_OUT_SIZE, at);
    stream_init(&gin, &pg->in, guest[0] + KEEL_CONSOLE_IN_OFFSET,
                KEEL_CONSOLE_IN_SIZE, at);
    notifies = bad_segs = 0;
    got_len = 0;
}

static uint8_t pat(uint64_t i) { return (uint8_t)(i * 7 + (i >> 11)); }

KTEST(output_intact_across_every_wrap)
{
    static uint8_t chunk[3000];
    uint64_t sent = 0;
    int wrong = 0;

    setup(0xffffffffu - 20000);
    for (int pass = 0; sent < 200000; pass++) {
        uint32_t n;
        while ((n = (uint32_t)stream_writable(&gout)) > 0) {   /* fill it */
            n = n < sizeof(chunk) ? n : (uint32_t)sizeof(chunk);
            for (uint32_t i = 0; i < n; i++)
                chunk[i] = pat(sent + i);
            stream_put(&gout, chunk, n);
            sent += n;
        }
        if (cb_pump_output(&con, pass % 2 ? CB_PASS_BYTES : CB_MAX_BUDGET) <= 0)
            break;
    }
    EXPECT(sent >= 200000);
    while (cb_pump_output(&con, CB_MAX_BUDGET) > 0)
        ;
    EXPECT_EQ(got_len, sent);
    for (uint64_t i = 0; i < got_len; i++)
        wrong += got[i] != pat(i);
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(bad_segs, 0);
    EXPECT_EQ(pg->out.prod_event, pg->out.cons + 1);   /* drained: armed */
}

KTEST(hostile_counters_forward_nothing)
{
    setup(100);
    pg->out.prod = 100 + KEEL_CONSOLE_OUT_SIZE + 1;
    EXPECT_EQ(cb_pump_output(&con, CB_MAX_BUDGET), -1);
    EXPECT_EQ(got_len, 0);
    setup(100);
    pg->err.prod = 99;                                   /* went backwards */
    EXPECT_EQ(cb_pump_output(&con, CB_MAX_BUDGET), -1);
    setup(100);
    pg->in.cons = 101;                                   /* read unwritten input */
    EXPECT_EQ(cb_push_input(&con, (const uint8_t *)"x", 1), -1);
}

KTEST(input_waits_for_room)
{
    static uint8_t big[KEEL_CONSOLE_IN_SIZE + 10], back[KEEL_CONSOLE_IN_SIZE];

    setup(0xfffffff0u);
    memset(big, 'a', sizeof(big));
    EXPECT_EQ(cb_push_input(&con, big, sizeof(big)), KEEL_CONSOLE_IN_SIZE);
    EXPECT_EQ(notifies, 1);                              /* the guest asked */
    EXPECT_EQ(cb_push_input(&con, big, 10), 0);          /* full */
    EXPECT_EQ(pg->in.cons_event, pg->in.cons + 1);       /* wake us on a read */
    EXPECT_EQ(stream_take(&gin, back, 100), 1);          /* guest notifies */
    EXPECT_EQ(cb_push_input(&con, big, 10), 10);
    cb_send_eof(&con);
    EXPECT_EQ(pg->in_eof, 1);
    EXPECT(con.eof_sent);
}

KTEST_MAIN(KTEST_CASE(output_intact_across_every_wrap),
           KTEST_CASE(hostile_counters_forward_nothing),
           KTEST_CASE(input_waits_for_room))

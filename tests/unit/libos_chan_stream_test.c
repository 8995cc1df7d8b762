/*
 * sdk/libos/channel_stream.c: one channel direction over scattered pages,
 * both ends driven from one thread; counters started near 2^32 so they
 * wrap; a hostile peer's impossible counters are -EIO, never followed.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../sdk/libos/channel_stream.c"

#define PAGES 4
static struct keel_stream st;
static _Alignas(4096) uint8_t mem[PAGES * 2][4096];
static uint8_t *pages[PAGES];
static struct chan_dir rd, wr;

/* Pages deliberately out of order: the mapper's grant window need not be
 * contiguous. */
static void setup(uint32_t start)
{
    memset(mem, 0xa5, sizeof(mem));
    for (int i = 0; i < PAGES; i++)
        pages[i] = mem[(i * 3 + 1) % (PAGES * 2)];
    st = (struct keel_stream){ start, 0, start, 0 };
    rd = (struct chan_dir){ &st, pages, PAGES * 4096, start };
    wr = rd;
}

static uint8_t pat(uint64_t i) { return (uint8_t)(i * 131 + (i >> 9)); }

KTEST(bytes_survive_wrap_and_pages)
{
    static uint8_t in[5000], out[5000];
    uint64_t sent = 0, got = 0;
    int bad = 0;

    setup(0xffffe000u);
    while (got < 200000) {
        long w = chan_writable(&wr);
        uint32_t n = (uint32_t)(w < 4999 ? w : 4999);
        for (uint32_t i = 0; i < n; i++)
            in[i] = pat(sent + i);
        chan_put(&wr, in, n);
        sent += n;
        long r = chan_readable(&rd);
        uint32_t m = (uint32_t)(r < 3001 ? r : 3001);
        chan_take(&rd, out, m);
        for (uint32_t i = 0; i < m; i++)
            bad += out[i] != pat(got + i);
        got += m;
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(st.prod, (uint32_t)(0xffffe000u + sent));
    EXPECT_EQ(st.cons, (uint32_t)(0xffffe000u + got));
}

KTEST(full_and_empty)
{
    static uint8_t buf[PAGES * 4096];

    setup(7);
    EXPECT_EQ(chan_readable(&rd), 0);
    EXPECT_EQ(chan_writable(&wr), PAGES * 4096);
    chan_put(&wr, buf, PAGES * 4096);
    EXPECT_EQ(chan_writable(&wr), 0);
    EXPECT_EQ(chan_readable(&rd), PAGES * 4096);
}

KTEST(hostile_counters)
{
    setup(100);
    st.prod = 100 + PAGES * 4096 + 1;          /* more than the ring holds */
    EXPECT_EQ(chan_readable(&rd), -KEEL_EIO);
    EXPECT_EQ(chan_arm_read(&rd), -KEEL_EIO);
    st.prod = 99;                              /* went backwards */
    EXPECT_EQ(chan_readable(&rd), -KEEL_EIO);
    setup(100);
    st.cons = 101;                             /* consumed what was never written */
    EXPECT_EQ(chan_writable(&wr), -KEEL_EIO);
    st.cons = 100 - PAGES * 4096 - 1;          /* claims the ring overfull */
    EXPECT_EQ(chan_writable(&wr), -KEEL_EIO);
    EXPECT_EQ(chan_arm_write(&wr), -KEEL_EIO);
    /* our own counter in shared memory is never read back */
    setup(100);
    st.cons = 5000;
    EXPECT_EQ(rd.mine, 100);
    EXPECT_EQ(chan_readable(&rd), 0);
}

KTEST(notification_only_when_asked)
{
    static uint8_t b[PAGES * 4096];

    setup(0);
    st.prod_event = 0;                         /* reader is not waiting */
    EXPECT_EQ(chan_put(&wr, b, 10), 0);
    EXPECT_EQ(chan_arm_read(&rd), 10);         /* asks for prod 1: data there */
    setup(0);
    EXPECT_EQ(chan_arm_read(&rd), 0);          /* prod_event = 1 */
    EXPECT_EQ(chan_put(&wr, b, 4), 1);         /* crossed it */
    EXPECT_EQ(chan_put(&wr, b, 4), 0);         /* already told */
    chan_put(&wr, b, (uint32_t)chan_writable(&wr));
    EXPECT_EQ(chan_arm_write(&wr), 0);         /* full: cons_event = cons + 1 */
    EXPECT_EQ(chan_take(&rd, b, 1), 1);        /* writer hears of the space */
    EXPECT_EQ(chan_take(&rd, b, 1), 0);
}

KTEST_MAIN(KTEST_CASE(bytes_survive_wrap_and_pages), KTEST_CASE(full_and_empty),
           KTEST_CASE(hostile_counters), KTEST_CASE(notification_only_when_asked))

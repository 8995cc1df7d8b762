/*
 * lib/stream: the one byte-stream ring, both ends driven from one thread,
 * over a contiguous area and over scattered pages; counters started near
 * 2^32 so they wrap; a hostile peer's impossible counters are
 * STREAM_CORRUPT, never followed, and our own counter in shared memory is
 * never read back.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../lib/stream/stream.c"

#define PAGES 4
#define SIZE (PAGES * 4096)
static struct keel_stream ks;
static _Alignas(4096) uint8_t mem[PAGES * 2][4096];
static uint8_t *pages[PAGES];
static struct stream rd, wr;

/* Pages deliberately out of order: a mapper's grant window need not be
 * contiguous.  paged 0: the area is mem[0..PAGES). */
static void setup(uint32_t start, int paged)
{
    memset(mem, 0xa5, sizeof(mem));
    for (int i = 0; i < PAGES; i++)
        pages[i] = mem[(i * 3 + 1) % (PAGES * 2)];
    ks = (struct keel_stream){ start, 0, start, 0 };
    if (paged)
        stream_init_pages(&rd, &ks, pages, SIZE, start);
    else
        stream_init(&rd, &ks, mem[0], SIZE, start);
    wr = rd;
}

static uint8_t pat(uint64_t i) { return (uint8_t)(i * 131 + (i >> 9)); }

static int send_and_check(int paged)
{
    static uint8_t in[5000], out[5000];
    uint64_t sent = 0, got = 0;
    int bad = 0;

    setup(0xffffe000u, paged);
    while (got < 200000) {
        long w = stream_writable(&wr);
        uint32_t n = (uint32_t)(w < 4999 ? w : 4999);
        for (uint32_t i = 0; i < n; i++)
            in[i] = pat(sent + i);
        stream_put(&wr, in, n);
        sent += n;
        long r = stream_readable(&rd);
        uint32_t m = (uint32_t)(r < 3001 ? r : 3001);
        stream_take(&rd, out, m);
        for (uint32_t i = 0; i < m; i++)
            bad += out[i] != pat(got + i);
        got += m;
    }
    bad += ks.prod != (uint32_t)(0xffffe000u + sent);
    bad += ks.cons != (uint32_t)(0xffffe000u + got);
    return bad;
}

KTEST(bytes_survive_wrap_contiguous)
{
    EXPECT_EQ(send_and_check(0), 0);
}

KTEST(bytes_survive_wrap_and_pages)
{
    EXPECT_EQ(send_and_check(1), 0);
}

KTEST(full_and_empty)
{
    static uint8_t buf[SIZE];

    setup(7, 1);
    EXPECT_EQ(stream_readable(&rd), 0);
    EXPECT_EQ(stream_writable(&wr), SIZE);
    stream_put(&wr, buf, SIZE);
    EXPECT_EQ(stream_writable(&wr), 0);
    EXPECT_EQ(stream_readable(&rd), SIZE);
}

/* Pieces end at the area's end, and at every page unless contiguous. */
KTEST(pieces)
{
    uint32_t off;

    setup(SIZE - 10, 0);                       /* 10 bytes before the wrap */
    EXPECT_EQ(stream_piece(&rd, 0, 100, &off), 10);
    EXPECT_EQ(off, SIZE - 10);
    EXPECT_EQ(stream_piece(&rd, 10, 100, &off), 90);
    EXPECT_EQ(off, 0);
    setup(100, 0);
    EXPECT_EQ(stream_piece(&rd, 0, 9000, &off), 9000);
    stream_init_pages(&rd, &ks, NULL, SIZE, 100);   /* by offset only */
    EXPECT_EQ(stream_piece(&rd, 0, 9000, &off), 4096 - 100);
    EXPECT_EQ(stream_piece(&rd, 4096 - 100, 9000, &off), 4096);
    EXPECT_EQ(off, 4096);
    EXPECT_EQ(stream_piece(&rd, 8192 - 100, 9000, &off), 9000 - (8192 - 100));
}

KTEST(hostile_counters)
{
    setup(100, 1);
    ks.prod = 100 + SIZE + 1;                  /* more than the ring holds */
    EXPECT_EQ(stream_readable(&rd), STREAM_CORRUPT);
    EXPECT_EQ(stream_arm_read(&rd), STREAM_CORRUPT);
    ks.prod = 99;                              /* went backwards */
    EXPECT_EQ(stream_readable(&rd), STREAM_CORRUPT);
    setup(100, 1);
    ks.cons = 101;                             /* consumed what was never written */
    EXPECT_EQ(stream_writable(&wr), STREAM_CORRUPT);
    ks.cons = 100 - SIZE - 1;                  /* claims the ring overfull */
    EXPECT_EQ(stream_writable(&wr), STREAM_CORRUPT);
    EXPECT_EQ(stream_arm_write(&wr), STREAM_CORRUPT);
}

/* A peer that rewrites our own counter steers nothing. */
KTEST(own_counter_never_read_back)
{
    static uint8_t b[64];

    setup(100, 0);
    ks.cons = 5000;
    EXPECT_EQ(rd.mine, 100);
    EXPECT_EQ(stream_readable(&rd), 0);
    setup(100, 0);
    stream_put(&wr, "abc", 3);
    ks.prod = 50;                              /* back, but cons is ours */
    stream_put(&wr, "de", 2);
    EXPECT_EQ(ks.prod, 105);
    ks.cons = 100;
    stream_take(&rd, b, 5);
    EXPECT(!memcmp(b, "abcde", 5));
}

KTEST(notification_only_when_asked)
{
    static uint8_t b[SIZE];

    setup(0, 1);
    ks.prod_event = 0;                         /* reader is not waiting */
    EXPECT_EQ(stream_put(&wr, b, 10), 0);
    EXPECT_EQ(stream_arm_read(&rd), 10);       /* asks for prod 1: data there */
    setup(0, 1);
    EXPECT_EQ(stream_arm_read(&rd), 0);        /* prod_event = 1 */
    EXPECT_EQ(stream_put(&wr, b, 4), 1);       /* crossed it */
    EXPECT_EQ(stream_put(&wr, b, 4), 0);       /* already told */
    stream_put(&wr, b, (uint32_t)stream_writable(&wr));
    EXPECT_EQ(stream_arm_write(&wr), 0);       /* full: cons_event = cons + 1 */
    EXPECT_EQ(stream_take(&rd, b, 1), 1);      /* writer hears of the room */
    EXPECT_EQ(stream_take(&rd, b, 1), 0);
}

/* The owner's reset: the first byte and the first room are heard of. */
KTEST(reset_hears_the_first_byte)
{
    static uint8_t b[8];

    memset(&ks, 0xee, sizeof(ks));
    stream_reset(&ks);
    stream_init(&wr, &ks, mem[0], SIZE, 0);
    rd = wr;
    EXPECT_EQ(stream_put(&wr, b, 1), 1);
    EXPECT_EQ(stream_take(&rd, b, 1), 1);
}

KTEST_MAIN(KTEST_CASE(bytes_survive_wrap_contiguous),
           KTEST_CASE(bytes_survive_wrap_and_pages), KTEST_CASE(full_and_empty),
           KTEST_CASE(pieces), KTEST_CASE(hostile_counters),
           KTEST_CASE(own_counter_never_read_back),
           KTEST_CASE(notification_only_when_asked),
           KTEST_CASE(reset_hears_the_first_byte))

/*
 * sdk/fs's block cache (io_cache.h) over a fake disk that logs every
 * request: writes stay in the cache until a sync and then go as few large
 * requests in the order of their last change, waiting between streams;
 * reads hit, read ahead on sequential misses and never read over a dirty
 * block; the cache stays bounded; I/O of another size sees and keeps the
 * held blocks.
 */
#include "ktest.h"
#include "../../sdk/fs/io_cache.c"
#include "../../sdk/fs/io_cache_wb.c"

#define DISK   (1u << 20)
#define MAXREQ (11u * 4096)
#define LOGMAX 4096

struct fake {
    uint8_t disk[DISK];
    char op[LOGMAX];              /* 'r', 'w', 'W' (wait), 'F' (flush) */
    uint64_t at[LOGMAX];
    size_t len[LOGMAX];
    unsigned n;
};

static struct fake fk;

static void log_op(char op, uint64_t byte, size_t n)
{
    if (fk.n < LOGMAX) {
        fk.op[fk.n] = op;
        fk.at[fk.n] = byte;
        fk.len[fk.n++] = n;
    }
}

static int fk_read(void *ctx, uint64_t byte, void *buf, size_t n)
{
    (void)ctx;
    log_op('r', byte, n);
    if (byte + n > DISK || n > MAXREQ)
        return -5;
    memcpy(buf, fk.disk + byte, n);
    return 0;
}

static int fk_write(void *ctx, uint64_t byte, const void *buf, size_t n)
{
    (void)ctx;
    log_op('w', byte, n);
    if (byte + n > DISK || n > MAXREQ)
        return -5;
    memcpy(fk.disk + byte, buf, n);
    return 0;
}

static int fk_wait(void *ctx) { (void)ctx; log_op('W', 0, 0); return 0; }
static int fk_flush(void *ctx) { (void)ctx; log_op('F', 0, 0); return 0; }

static const struct io_cache_dev dev = { NULL, DISK, MAXREQ, fk_read, fk_write, fk_wait, fk_flush };

static struct io_cache *fresh(size_t bytes, size_t bs)
{
    memset(&fk, 0, sizeof(fk));
    for (unsigned i = 0; i < DISK; i++)
        fk.disk[i] = (uint8_t)(i / 1024);
    return io_cache_new(&dev, bytes, bs);
}

static unsigned count(char op)
{
    unsigned k = 0;
    for (unsigned i = 0; i < fk.n; i++)
        k += fk.op[i] == op;
    return k;
}

static void fill_block(uint8_t *b, size_t bs, uint8_t v)
{
    memset(b, v, bs);
}

KTEST(writes_wait_for_sync_then_go_in_large_requests)
{
    struct io_cache *c = fresh(256 * 1024, 1024);
    uint8_t b[1024];

    for (unsigned i = 0; i < 100; i++) {
        fill_block(b, sizeof(b), (uint8_t)(0xa0 + i));
        EXPECT_EQ(io_cache_write(c, (200 + i) * 1024ull, b, sizeof(b)), 0);
    }
    EXPECT_EQ(fk.n, 0);                         /* nothing reached the disk */
    EXPECT_EQ(io_cache_dirty(c), 100);
    EXPECT_EQ(io_cache_sync(c), 0);
    EXPECT_EQ(count('w'), 3);                   /* 44 + 44 + 12 blocks */
    EXPECT_EQ(fk.len[0], MAXREQ);
    EXPECT_EQ(count('W'), 1);                   /* one stream: one wait, at the end */
    EXPECT_EQ(fk.op[fk.n - 1], 'F');            /* the flush after every write */
    EXPECT_EQ(fk.disk[(200 + 99) * 1024], (uint8_t)(0xa0 + 99));
    EXPECT_EQ(io_cache_dirty(c), 0);
    io_cache_free(c);
}

KTEST(write_back_follows_the_last_change_and_waits_between_streams)
{
    struct io_cache *c = fresh(64 * 1024, 1024);
    uint8_t b[1024];

    fill_block(b, sizeof(b), 1);
    io_cache_write(c, 50 * 1024, b, sizeof(b));   /* 50, then 10, 11, then 50 again */
    io_cache_write(c, 10 * 1024, b, sizeof(b));
    io_cache_write(c, 11 * 1024, b, sizeof(b));
    io_cache_write(c, 50 * 1024, b, sizeof(b));
    io_cache_write(c, 30 * 1024, b, sizeof(b));
    EXPECT_EQ(io_cache_writeback(c), 0);
    /* w 10-11, W, w 50, W, w 30, W */
    EXPECT_EQ(fk.n, 6);
    EXPECT(fk.op[0] == 'w' && fk.at[0] == 10 * 1024 && fk.len[0] == 2048);
    EXPECT(fk.op[1] == 'W');
    EXPECT(fk.op[2] == 'w' && fk.at[2] == 50 * 1024);
    EXPECT(fk.op[3] == 'W');
    EXPECT(fk.op[4] == 'w' && fk.at[4] == 30 * 1024);
    io_cache_free(c);
}

KTEST(a_held_block_is_read_once)
{
    struct io_cache *c = fresh(64 * 1024, 1024);
    uint8_t b[1024];

    EXPECT_EQ(io_cache_read(c, 700 * 1024, b, sizeof(b)), 0);
    EXPECT_EQ(io_cache_read(c, 700 * 1024, b, sizeof(b)), 0);
    EXPECT_EQ(b[0], (uint8_t)700);
    EXPECT_EQ(count('r'), 1);
    EXPECT_EQ(io_cache_stats(c)->hits, 1);
    io_cache_free(c);
}

KTEST(sequential_reads_read_ahead_in_growing_windows)
{
    struct io_cache *c = fresh(256 * 1024, 1024);
    uint8_t b[1024];

    for (unsigned i = 0; i < 200; i++) {
        EXPECT_EQ(io_cache_read(c, (300 + i) * 1024ull, b, sizeof(b)), 0);
        EXPECT_EQ(b[5], (uint8_t)(300 + i));
    }
    /* windows 1, 2, 4, ..., 32, then 44 each: 1+2+...+32 = 63, 137 more in 4 */
    EXPECT_EQ(count('r'), 6 + 4);
    EXPECT_EQ(fk.len[fk.n - 1], MAXREQ);
    io_cache_free(c);
}

KTEST(read_ahead_stops_before_a_dirty_block)
{
    struct io_cache *c = fresh(256 * 1024, 1024);
    uint8_t b[1024];

    fill_block(b, sizeof(b), 0xdd);
    io_cache_write(c, 104 * 1024, b, sizeof(b));
    for (unsigned i = 100; i < 110; i++) {
        EXPECT_EQ(io_cache_read(c, i * 1024ull, b, sizeof(b)), 0);
        EXPECT_EQ(b[0], i == 104 ? 0xdd : (uint8_t)i);
    }
    for (unsigned i = 0; i < fk.n; i++)         /* no read covered block 104 */
        EXPECT(fk.op[i] != 'r' || fk.at[i] + fk.len[i] <= 104 * 1024 ||
               fk.at[i] >= 105 * 1024);
    EXPECT_EQ(count('w'), 0);
    io_cache_free(c);
}

KTEST(the_cache_stays_bounded_and_loses_nothing)
{
    struct io_cache *c = fresh(16 * 1024, 1024);  /* 16 slots */
    uint8_t b[1024];

    for (unsigned i = 0; i < 300; i++) {
        fill_block(b, sizeof(b), (uint8_t)(i * 7));
        EXPECT_EQ(io_cache_write(c, (i % 150) * 2048ull, b, sizeof(b)), 0);
        EXPECT(io_cache_dirty(c) <= 8);
        EXPECT_EQ(io_cache_read(c, 900 * 1024, b, sizeof(b)), 0);  /* clean, kept */
    }
    EXPECT_EQ(io_cache_sync(c), 0);
    for (unsigned i = 150; i < 300; i++)
        EXPECT_EQ(fk.disk[(i % 150) * 2048], (uint8_t)(i * 7));
    EXPECT(count('r') < 10);
    io_cache_free(c);
}

KTEST(io_of_another_size_sees_and_keeps_held_blocks)
{
    struct io_cache *c = fresh(64 * 1024, 4096);
    uint8_t b[4096], sb[1024], many[3 * 4096];

    fill_block(b, sizeof(b), 0x44);
    io_cache_write(c, 0, b, sizeof(b));         /* block 0 dirty */
    io_cache_write(c, 8192, b, sizeof(b));      /* block 2 dirty */
    EXPECT_EQ(io_cache_read(c, 1024, sb, sizeof(sb)), 0);   /* the superblock */
    EXPECT_EQ(sb[0], 0x44);
    EXPECT_EQ(io_cache_read(c, 0, many, sizeof(many)), 0);
    EXPECT(many[0] == 0x44 && many[4096] == 4 && many[8192] == 0x44);
    fill_block(sb, sizeof(sb), 0x55);
    unsigned before = fk.n;
    EXPECT_EQ(io_cache_write(c, 1024, sb, sizeof(sb)), 0);
    /* the dirty blocks first, then the superblock */
    EXPECT(fk.op[before] == 'w' && fk.at[before] == 0);
    EXPECT(fk.op[fk.n - 2] == 'w' && fk.at[fk.n - 2] == 1024 && fk.len[fk.n - 2] == 1024);
    EXPECT_EQ(fk.disk[1024], 0x55);
    EXPECT_EQ(io_cache_read(c, 0, b, sizeof(b)), 0);        /* held, patched */
    EXPECT(b[0] == 0x44 && b[1024] == 0x55 && b[2048] == 0x44);
    EXPECT_EQ(io_cache_dirty(c), 0);
    io_cache_free(c);
}

KTEST_MAIN(KTEST_CASE(writes_wait_for_sync_then_go_in_large_requests),
           KTEST_CASE(write_back_follows_the_last_change_and_waits_between_streams),
           KTEST_CASE(a_held_block_is_read_once),
           KTEST_CASE(sequential_reads_read_ahead_in_growing_windows),
           KTEST_CASE(read_ahead_stops_before_a_dirty_block),
           KTEST_CASE(the_cache_stays_bounded_and_loses_nothing),
           KTEST_CASE(io_of_another_size_sees_and_keeps_held_blocks))

/* Serial record parser of the launcher (tools/keel/record.c), with the
 * host I/O path's doorbell bytes mixed in. */
#include <stdbool.h>

#include "ktest.h"
#include "../../tools/keel/record.c"

#define MAXREC 16

struct capture {
    char log[4096];
    size_t log_len;
    int nrec;
    struct { unsigned domid; char stream; size_t len; uint8_t data[70000]; } rec[MAXREC];
};

static struct capture cap;

static void cap_record(void *ctx, const struct keel_record *r)
{
    struct capture *c = ctx;
    if (c->nrec == MAXREC)
        return;
    c->rec[c->nrec].domid = r->domid;
    c->rec[c->nrec].stream = r->stream;
    c->rec[c->nrec].len = r->len;
    memcpy(c->rec[c->nrec].data, r->data, r->len);
    c->nrec++;
}

static void cap_log(void *ctx, const uint8_t *b, size_t n)
{
    struct capture *c = ctx;
    memcpy(c->log + c->log_len, b, n);
    c->log_len += n;
}

static struct keel_rec_parser parser;

/* Feeds s (n bytes) in pieces of `chunk` bytes, then finishes. */
static void run(const char *s, size_t n, size_t chunk)
{
    memset(&cap, 0, sizeof(cap));
    keel_rec_init(&parser, (struct keel_rec_sink){ cap_record, cap_log, &cap });
    for (size_t i = 0; i < n; i += chunk)
        keel_rec_feed(&parser, (const uint8_t *)s + i, n - i < chunk ? n - i : chunk);
    keel_rec_finish(&parser);
}

#define RUN(lit, chunk) run(lit, sizeof(lit) - 1, chunk)

KTEST(one_record)
{
    RUN("\x01K0003o0005:hello", 100);
    EXPECT_EQ(cap.nrec, 1);
    EXPECT_EQ(cap.rec[0].domid, 3);
    EXPECT_EQ(cap.rec[0].stream, 'o');
    EXPECT_EQ(cap.rec[0].len, 5);
    EXPECT(!memcmp(cap.rec[0].data, "hello", 5));
    EXPECT_EQ(cap.log_len, 0);
}

KTEST(split_at_every_byte)
{
    /* a record with an upper-case stream letter is log; payloads are binary */
    static const char s[] = "boot\x01KffffL0002:x\n\x01K0a1be000a:err\x01line\0\n"
                            "\x01K0000c0000:";
    for (size_t chunk = 1; chunk < sizeof(s); chunk++) {
        run(s, sizeof(s) - 1, chunk);
        bool ok = cap.nrec == 2 && cap.rec[0].domid == 0xa1b && cap.rec[0].len == 10 &&
                  !memcmp(cap.rec[0].data, "err\x01line\0\n", 10) &&
                  cap.rec[1].len == 0 && cap.rec[1].stream == 'c' &&
                  cap.log_len == 4 + 14 && !memcmp(cap.log, "boot\x01KffffL", 11);
        if (!ok) {
            printf("    # split in pieces of %zu bytes\n", chunk);
            EXPECT(ok);
            break;
        }
    }
}

KTEST(zero_length_record)
{
    RUN("\x01K0001c0000:", 3);
    EXPECT_EQ(cap.nrec, 1);
    EXPECT_EQ(cap.rec[0].stream, 'c');
    EXPECT_EQ(cap.rec[0].len, 0);
}

KTEST(garbage_around_records)
{
    RUN("SeaBIOS\r\n\x01K0001o0002:ab junk \x01K0001e0001:z tail", 5);
    EXPECT_EQ(cap.nrec, 2);
    EXPECT_EQ(cap.rec[1].stream, 'e');
    EXPECT(cap.log_len == strlen("SeaBIOS\r\n junk  tail"));
    EXPECT(!memcmp(cap.log, "SeaBIOS\r\n junk  tail", cap.log_len));
}

KTEST(bad_header_resyncs)
{
    /* upper-case hex, a missing ':', and a SOH inside a header */
    RUN("\x01K000Ao0001:x\x01K0001o0001x\x01K00\x01K0002o0002:ok", 1);
    EXPECT_EQ(cap.nrec, 1);
    EXPECT_EQ(cap.rec[0].domid, 2);
    EXPECT(!memcmp(cap.rec[0].data, "ok", 2));
    const char want[] = "\x01K000Ao0001:x\x01K0001o0001x\x01K00";
    EXPECT_EQ(cap.log_len, sizeof(want) - 1);
    EXPECT(!memcmp(cap.log, want, sizeof(want) - 1));
}

KTEST(soh_soh)
{
    RUN("\x01\x01K0004o0001:q", 2);
    EXPECT_EQ(cap.nrec, 1);
    EXPECT_EQ(cap.rec[0].domid, 4);
    EXPECT_EQ(cap.log_len, 1);
}

KTEST(largest_record)
{
    static char s[12 + 0xffff + 1];
    memcpy(s, "\x01K7fefoffff:", 12);
    for (size_t i = 0; i < 0xffff; i++)
        s[12 + i] = (char)(i * 7);
    run(s, 12 + 0xffff, 4096);
    EXPECT_EQ(cap.nrec, 1);
    EXPECT_EQ(cap.rec[0].domid, 0x7fef);
    EXPECT_EQ(cap.rec[0].len, 0xffff);
    EXPECT(!memcmp(cap.rec[0].data, s + 12, 0xffff));
}

KTEST(truncated_record_is_log)
{
    RUN("\x01K0001o0010:only", 3);
    EXPECT_EQ(cap.nrec, 0);
    EXPECT_EQ(cap.log_len, 16);
}

KTEST(doorbells_are_dropped_outside_records)
{
    /* BEL (KEEL_HOSTIO_DOORBELL) before, between and after records, after
     * a stray SOH and inside a header is no log; inside a payload it is
     * data */
    static const char s[] = "\a\abo\aot\x01K0001o0003:a\ab\a\a\x01\a"
                            "\x01K00\a\x01K0002e0001:\a\a";
    for (size_t chunk = 1; chunk < sizeof(s); chunk++) {
        run(s, sizeof(s) - 1, chunk);
        bool ok = cap.nrec == 2 && cap.rec[0].len == 3 &&
                  !memcmp(cap.rec[0].data, "a\ab", 3) && cap.rec[1].domid == 2 &&
                  cap.rec[1].len == 1 && cap.rec[1].data[0] == '\a' &&
                  cap.log_len == 4 + 1 + 4 && !memcmp(cap.log, "boot\x01\x01K00", 9);
        if (!ok) {
            printf("    # split in pieces of %zu bytes\n", chunk);
            EXPECT(ok);
            break;
        }
    }
}

KTEST_MAIN(KTEST_CASE(one_record), KTEST_CASE(split_at_every_byte),
           KTEST_CASE(zero_length_record), KTEST_CASE(garbage_around_records),
           KTEST_CASE(bad_header_resyncs), KTEST_CASE(soh_soh),
           KTEST_CASE(largest_record), KTEST_CASE(truncated_record_is_log),
           KTEST_CASE(doorbells_are_dropped_outside_records))

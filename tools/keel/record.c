/*
 * Serial record parser.  The serial line carries records framed by the
 * hypervisor (keel/console.h): SOH 'K' dddd s llll ':' payload.  Anything
 * else (firmware bytes, a record header that does not check out) is log,
 * except the host I/O path's doorbell byte (KEEL_HOSTIO_DOORBELL, BEL,
 * keel/hostio.h), which is dropped: it only wakes us.  It cannot start or
 * continue a header, so a doorbell after a stray SOH ends up here too.
 *
 * The parser is fed whatever read() returned, so every state survives a
 * split at any byte.  A header is validated byte by byte; at the first byte
 * that cannot belong to a header, its SOH is given up as log and the bytes
 * after it are scanned again (they may hold the real record start).
 * Complete records are delivered whole (payload <= 0xffff bytes).
 */
#include <string.h>

#include <keel/console.h>
#include <keel/hostio.h>

#include "keel.h"

void keel_rec_init(struct keel_rec_parser *p, struct keel_rec_sink sink)
{
    p->sink = sink;
    p->have = 0;
    p->need = 0;
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static unsigned hex_value(const uint8_t *s, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++)
        v = v * 16 + (unsigned)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
    return v;
}

/* Can c be byte number pos of a record header? */
static bool header_byte_ok(size_t pos, uint8_t c)
{
    switch (pos) {
    case 0: return c == KEEL_REC_SOH;
    case 1: return c == KEEL_REC_MAGIC;
    case 6: return c >= 'a' && c <= 'z';
    case 11: return c == ':';
    default: return is_hex(c);
    }
}

static void deliver(struct keel_rec_parser *p)
{
    struct keel_record r = {
        .domid = hex_value(p->buf + 2, 4),
        .stream = (char)p->buf[6],
        .len = p->need - KEEL_REC_HDR_LEN,
        .data = p->buf + KEEL_REC_HDR_LEN,
    };
    p->have = p->need = 0;
    p->sink.record(p->sink.ctx, &r);
}

/* The header so far is not one: SOH is log, rescan what follows it. */
static void resync(struct keel_rec_parser *p)
{
    uint8_t rest[KEEL_REC_HDR_LEN];
    size_t n = p->have - 1;
    memcpy(rest, p->buf + 1, n);
    p->have = p->need = 0;
    p->sink.log(p->sink.ctx, (const uint8_t[]){ KEEL_REC_SOH }, 1);
    keel_rec_feed(p, rest, n);
}

static size_t feed_header(struct keel_rec_parser *p, const uint8_t *d, size_t n)
{
    size_t used = 0;
    while (used < n && p->have < KEEL_REC_HDR_LEN) {
        uint8_t c = d[used++];
        p->buf[p->have++] = c;
        if (!header_byte_ok(p->have - 1, c)) {
            resync(p);
            return used;
        }
    }
    if (p->have == KEEL_REC_HDR_LEN) {
        p->need = KEEL_REC_HDR_LEN + hex_value(p->buf + 7, 4);
        if (p->need == KEEL_REC_HDR_LEN)
            deliver(p);
    }
    return used;
}

/* Up to the next SOH or doorbell byte, whichever comes first. */
static const uint8_t *special(const uint8_t *d, size_t n)
{
    const uint8_t *soh = memchr(d, KEEL_REC_SOH, n);
    const uint8_t *bell = memchr(d, KEEL_HOSTIO_DOORBELL, soh ? (size_t)(soh - d) : n);
    return bell ? bell : soh;
}

static size_t feed_log(struct keel_rec_parser *p, const uint8_t *d, size_t n)
{
    const uint8_t *soh = special(d, n);
    size_t plain = soh ? (size_t)(soh - d) : n;
    if (plain)
        p->sink.log(p->sink.ctx, d, plain);
    if (soh && *soh == KEEL_HOSTIO_DOORBELL)
        return plain + 1;               /* a doorbell: nothing to log */
    if (soh) {
        p->buf[0] = KEEL_REC_SOH;
        p->have = 1;
        return plain + 1;
    }
    return plain;
}

void keel_rec_feed(struct keel_rec_parser *p, const uint8_t *data, size_t n)
{
    while (n > 0) {
        size_t used;
        if (p->have == 0) {
            used = feed_log(p, data, n);
        } else if (p->need == 0) {
            used = feed_header(p, data, n);
        } else {
            used = p->need - p->have;
            if (used > n)
                used = n;
            memcpy(p->buf + p->have, data, used);
            p->have += used;
            if (p->have == p->need)
                deliver(p);
        }
        data += used;
        n -= used;
    }
}

/* End of stream: a record cut short is log. */
void keel_rec_finish(struct keel_rec_parser *p)
{
    if (p->have)
        p->sink.log(p->sink.ctx, p->buf, p->have);
    p->have = p->need = 0;
}

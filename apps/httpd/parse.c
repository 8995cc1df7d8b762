/*
 * The request head: request line, then header fields up to a blank line.
 *
 * Strict where leniency lets two parsers disagree on framing (RFC 9112
 * 11.2): a bare CR, whitespace before a field's colon, folded lines, two
 * Host fields, Content-Length with Transfer-Encoding are all 400.  A bare
 * LF ends a line like CRLF, and empty lines before the request line are
 * skipped (both allowed by 9112 2.2).  Bytes that can never be part of a
 * head are refused as soon as they arrive, not when the buffer is full.
 */
#include <string.h>
#include <strings.h>

#include "parse.h"

struct cursor { const char *p, *end; };

struct fields {
    int count, hosts;
    bool close, keep_alive, chunked, has_length;
    uint64_t length;
};

static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

/* NUL and controls other than HT are never part of a head (CR only
 * before LF, which next_line checks). */
static bool is_head_byte(unsigned char c)
{
    return c >= 0x20 ? c != 0x7f : c == '\t' || c == '\r' || c == '\n';
}

static bool span_is(struct http_span s, const char *word)
{
    return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

/* The next line without its line end: 1, or 0 if no LF came yet, or -400
 * for a CR that is not right before the LF. */
static int next_line(struct cursor *c, struct http_span *line)
{
    const char *lf = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (!lf)
        return 0;
    const char *e = lf > c->p && lf[-1] == '\r' ? lf - 1 : lf;
    if (memchr(c->p, '\r', (size_t)(e - c->p)))
        return -400;
    *line = (struct http_span){ c->p, (size_t)(e - c->p) };
    c->p = lf + 1;
    return 1;
}

/* An unfinished line: 0 while it may still become valid, else -400. */
static int check_tail(const char *p, const char *end, bool request_line)
{
    bool in_method = request_line;
    for (; p < end; p++) {
        if (!is_head_byte((unsigned char)*p) || (*p == '\r' && p + 1 < end))
            return -400;
        if (in_method && (*p == ' ' || *p == '\r'))
            in_method = false;
        else if (in_method && !is_tchar((unsigned char)*p))
            return -400;
    }
    return 0;
}

static int parse_version(const char *p, size_t n, int *minor)
{
    if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
        p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
        return -400;
    if (p[5] != '1')
        return -505;
    *minor = p[7] - '0';
    return 0;
}

/* method SP request-target SP HTTP-version, single spaces. */
static int parse_request_line(struct http_span l, struct http_request *req)
{
    const char *end = l.p + l.n;
    const char *sp1 = memchr(l.p, ' ', l.n);
    if (!sp1 || sp1 == l.p)
        return -400;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
    if (!sp2 || sp2 == sp1 + 1)
        return -400;
    for (const char *p = l.p; p < sp1; p++)
        if (!is_tchar((unsigned char)*p))
            return -400;
    for (const char *p = sp1 + 1; p < sp2; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return -400;
    size_t mlen = (size_t)(sp1 - l.p);     /* methods are case-sensitive */
    req->method = mlen == 3 && !memcmp(l.p, "GET", 3) ? HTTP_GET
                : mlen == 4 && !memcmp(l.p, "HEAD", 4) ? HTTP_HEAD
                : mlen == 3 && !memcmp(l.p, "PUT", 3) ? HTTP_PUT
                : mlen == 6 && !memcmp(l.p, "DELETE", 6) ? HTTP_DELETE : HTTP_OTHER;
    req->target = (struct http_span){ sp1 + 1, (size_t)(sp2 - sp1 - 1) };
    return parse_version(sp2 + 1, (size_t)(end - sp2 - 1), &req->minor);
}

static void parse_connection(struct http_span v, struct fields *f)
{
    const char *p = v.p, *end = v.p + v.n;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        struct http_span tok = { p, (size_t)(e - p) };
        while (tok.n && is_ows(*tok.p)) { tok.p++; tok.n--; }
        while (tok.n && is_ows(tok.p[tok.n - 1])) tok.n--;
        f->close |= span_is(tok, "close");
        f->keep_alive |= span_is(tok, "keep-alive");
        p = comma ? comma + 1 : end;
    }
}

/* 1*DIGIT; a second Content-Length must say the same. */
static int parse_length(struct http_span v, struct fields *f)
{
    uint64_t n = 0;
    if (v.n == 0 || v.n > 18)
        return -400;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -400;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    }
    if (f->has_length && f->length != n)
        return -400;
    f->has_length = true;
    f->length = n;
    return 0;
}

/* field-name ":" OWS field-value OWS */
static int parse_field(struct http_span l, struct fields *f)
{
    const char *colon = memchr(l.p, ':', l.n);
    if (!colon || colon == l.p)
        return -400;
    struct http_span name = { l.p, (size_t)(colon - l.p) };
    for (size_t i = 0; i < name.n; i++)
        if (!is_tchar((unsigned char)name.p[i]))
            return -400;
    struct http_span v = { colon + 1, (size_t)(l.p + l.n - colon - 1) };
    while (v.n && is_ows(*v.p)) { v.p++; v.n--; }
    while (v.n && is_ows(v.p[v.n - 1])) v.n--;
    for (size_t i = 0; i < v.n; i++)
        if (!is_head_byte((unsigned char)v.p[i]))
            return -400;
    if (span_is(name, "host"))
        f->hosts++;
    else if (span_is(name, "connection"))
        parse_connection(v, f);
    else if (span_is(name, "content-length"))
        return parse_length(v, f);
    else if (span_is(name, "transfer-encoding"))
        f->chunked = true;
    return 0;
}

/* HTTP/1.1 needs exactly one Host (9112 3.2); the body's framing must be
 * unambiguous (9112 6.3). */
static int finish_head(struct http_request *req, const struct fields *f, size_t n)
{
    if (f->hosts > 1 || (req->minor >= 1 && f->hosts == 0))
        return -400;
    if (f->chunked && f->has_length)
        return -400;
    req->has_body = f->chunked || f->length > 0;
    req->chunked = f->chunked;
    req->content_length = f->length;
    req->keep_alive = !f->close && (req->minor >= 1 || f->keep_alive);
    req->head_len = n;
    return (int)n;
}

int http_parse_head(const char *buf, size_t len, struct http_request *req)
{
    struct cursor c = { buf, buf + len };
    struct fields f = { 0 };
    struct http_span l;
    int r;

    *req = (struct http_request){ .method = HTTP_OTHER };
    do {
        if ((r = next_line(&c, &l)) <= 0)
            return r < 0 ? r : check_tail(c.p, c.end, true);
    } while (l.n == 0);
    req->line = l;
    if ((r = parse_request_line(l, req)) < 0)
        return r;
    for (;;) {
        if ((r = next_line(&c, &l)) <= 0)
            return r < 0 ? r : check_tail(c.p, c.end, false);
        if (l.n == 0)
            return finish_head(req, &f, (size_t)(c.p - buf));
        if (++f.count > HTTP_MAX_HEADERS)
            return -431;
        if ((r = parse_field(l, &f)) < 0)
            return r;
    }
}

int http_overflow_status(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    return memchr(buf + i, '\n', len - i) ? 431 : 414;
}

/*
 * apps/httpd's request parser and path normalization on the host: the
 * framing edge cases of RFC 9112 (what is refused, what is tolerated),
 * every prefix of a valid head being "not complete yet" rather than an
 * error, and targets that try to climb out of the root.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../apps/httpd/parse.c"
#include "../../apps/httpd/path.c"

static int parse(const char *text, struct http_request *req)
{
    return http_parse_head(text, strlen(text), req);
}

static int status_of(const char *text)
{
    struct http_request req;
    return parse(text, &req);
}

KTEST(simple_get)
{
    struct http_request req;
    const char *t = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /next";
    EXPECT_EQ(parse(t, &req), strlen(t) - strlen("GET /next"));
    EXPECT_EQ(req.method, HTTP_GET);
    EXPECT_EQ(req.minor, 1);
    EXPECT(req.keep_alive);
    EXPECT(!req.has_body);
    EXPECT(req.target.n == 11 && !memcmp(req.target.p, "/index.html", 11));
    EXPECT(req.line.n == 24 && !memcmp(req.line.p, "GET /index.html HTTP/1.1", 24));
}

KTEST(methods_are_case_sensitive)
{
    struct http_request req;
    EXPECT(parse("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_HEAD);
    EXPECT(parse("POST / HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_OTHER);
    EXPECT(parse("PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_PUT);
    EXPECT_EQ(req.content_length, 12);
    EXPECT(req.has_body && !req.chunked);
    EXPECT(parse("DELETE /k HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_DELETE);
    EXPECT_EQ(req.content_length, 0);
    EXPECT(parse("put / HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_OTHER);
    EXPECT(parse("get / HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_OTHER);
    EXPECT(parse("GETS / HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT_EQ(req.method, HTTP_OTHER);
}

/* Every strict prefix of a valid head waits for more; none is an error. */
KTEST(every_prefix_is_incomplete)
{
    const char *t = "\r\nGET /a?b=1 HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n"
                    "X-Empty:\r\nAccept: */*\r\n\r\n";
    struct http_request req;
    size_t n = strlen(t);
    for (size_t i = 0; i < n; i++)
        EXPECT_EQ(http_parse_head(t, i, &req), 0);
    EXPECT_EQ(http_parse_head(t, n, &req), n);
    EXPECT(req.keep_alive);
}

KTEST(bare_lf_and_leading_blank_lines)
{
    struct http_request req;
    EXPECT_EQ(parse("GET / HTTP/1.1\nHost: x\n\n", &req), 24);
    EXPECT_EQ(parse("\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", &req), 30);
    EXPECT(req.line.n == 14 && req.line.p[0] == 'G');
}

KTEST(connection_semantics)
{
    struct http_request req;
    EXPECT(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0);
    EXPECT(!req.keep_alive);
    EXPECT(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req) > 0);
    EXPECT(req.keep_alive);
    EXPECT(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n", &req) > 0);
    EXPECT(!req.keep_alive);
    EXPECT(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n", &req) > 0);
    EXPECT(req.keep_alive);
    EXPECT(parse("GET / HTTP/1.9\r\nHost: x\r\n\r\n", &req) > 0);
    EXPECT(req.keep_alive);
}

KTEST(host_rules)
{
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"), -400);
    EXPECT(status_of("GET / HTTP/1.0\r\n\r\n") > 0);
}

KTEST(malformed_request_lines)
{
    EXPECT_EQ(status_of("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET /\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.10\r\nHost: x\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / http/1.1\r\nHost: x\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), -505);
    EXPECT_EQ(status_of("GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
    EXPECT_EQ(status_of(" GET / HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
    /* a complete bad line is refused before the head ends */
    EXPECT_EQ(status_of("HELLO\r\n"), -400);
}

KTEST(garbage_refused_before_the_line_ends)
{
    EXPECT_EQ(status_of("GE(T"), -400);
    EXPECT_EQ(status_of("\x16\x03\x01\x02"), -400);        /* a TLS hello */
    struct http_request req;
    EXPECT_EQ(http_parse_head("GET /a\0b", 8, &req), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r"), 0);
}

KTEST(malformed_fields)
{
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01\r\n\r\n"), -400);
    EXPECT(status_of("GET / HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9\t ok \r\n\r\n") > 0);
}

KTEST(bodies)
{
    struct http_request req;
    EXPECT(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", &req) > 0);
    EXPECT(!req.has_body);
    EXPECT(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", &req) > 0);
    EXPECT(req.has_body);
    EXPECT(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", &req) > 0);
    EXPECT(req.has_body);
    EXPECT(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", &req) > 0);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n"), -400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"), -400);
}

KTEST(too_many_fields)
{
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 1; i < HTTP_MAX_HEADERS; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "X-%d: y\r\n", i);
    snprintf(buf + n, sizeof buf - (size_t)n, "\r\n");
    EXPECT(status_of(buf) > 0);
    snprintf(buf + n, sizeof buf - (size_t)n, "X-last: y\r\n\r\n");
    EXPECT_EQ(status_of(buf), -431);
}

KTEST(overflow_status)
{
    EXPECT_EQ(http_overflow_status("GET /aaaa", 9), 414);
    EXPECT_EQ(http_overflow_status("\r\n\r\nGET /aaaa", 13), 414);
    EXPECT_EQ(http_overflow_status("GET / HTTP/1.1\r\nX: aaa", 22), 431);
}

static const char *normalize(const char *target, char *out, size_t cap, int *r)
{
    struct http_span q;
    *r = http_normalize_path((struct http_span){ target, strlen(target) }, out, cap, &q);
    return out;
}

#define EXPECT_PATH(target, want) do { char o_[64]; int r_; \
    normalize(target, o_, sizeof o_, &r_); \
    EXPECT(r_ == (int)strlen(want) && strcmp(o_, want) == 0); \
    if (r_ < 0 || strcmp(o_, want)) printf("    # %s -> %d\n", target, r_); } while (0)
#define EXPECT_REFUSED(target, status) do { char o_[64]; int r_; \
    normalize(target, o_, sizeof o_, &r_); EXPECT_EQ(r_, -(status)); } while (0)

KTEST(paths_normalized)
{
    EXPECT_PATH("/", "/");
    EXPECT_PATH("/index.html", "/index.html");
    EXPECT_PATH("/about/", "/about/");
    EXPECT_PATH("//a///b", "/a/b");
    EXPECT_PATH("/a/./b/.", "/a/b/");
    EXPECT_PATH("/a/b/../c", "/a/c");
    EXPECT_PATH("/a/..", "/");
    EXPECT_PATH("/a/%2e%2E/b", "/b");
    EXPECT_PATH("/%7Euser/x%20y", "/~user/x y");
    EXPECT_PATH("/big?bytes=10", "/big");
    EXPECT_PATH("http://example.com/a/../b?q", "/b");
    EXPECT_PATH("HTTP://example.com", "/");
    EXPECT_PATH("/..a/.b", "/..a/.b");
}

KTEST(paths_refused)
{
    EXPECT_REFUSED("/..", 400);
    EXPECT_REFUSED("/a/../..", 400);
    EXPECT_REFUSED("/a/../../etc/passwd", 400);
    EXPECT_REFUSED("/%2e%2e/etc/passwd", 400);
    EXPECT_REFUSED("/a%2f..%2f..%2fb", 400);
    EXPECT_REFUSED("/a%00b", 400);
    EXPECT_REFUSED("/a%zz", 400);
    EXPECT_REFUSED("/a%4", 400);
    EXPECT_REFUSED("*", 400);
    EXPECT_REFUSED("index.html", 400);
    EXPECT_REFUSED("/a#frag", 400);
    EXPECT_REFUSED("/0123456789/0123456789/0123456789/0123456789/0123456789/0123456789", 414);
}

KTEST(query_numbers)
{
    uint64_t v = 7;
    struct http_span q;
#define Q(s) (q = (struct http_span){ s, strlen(s) })
    EXPECT_EQ(http_query_u64(Q("bytes=10485760"), "bytes", &v), 1);
    EXPECT_EQ(v, 10485760);
    EXPECT_EQ(http_query_u64(Q("a=1&bytes=0&c"), "bytes", &v), 1);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(http_query_u64(Q("xbytes=5&bytesx=6"), "bytes", &v), 0);
    EXPECT_EQ(http_query_u64(Q(""), "bytes", &v), 0);
    EXPECT_EQ(http_query_u64(Q("bytes="), "bytes", &v), -1);
    EXPECT_EQ(http_query_u64(Q("bytes=12k"), "bytes", &v), -1);
    EXPECT_EQ(http_query_u64(Q("bytes=-1"), "bytes", &v), -1);
    EXPECT_EQ(http_query_u64(Q("bytes=99999999999999999999"), "bytes", &v), -1);
#undef Q
}

KTEST_MAIN(KTEST_CASE(simple_get), KTEST_CASE(methods_are_case_sensitive),
           KTEST_CASE(every_prefix_is_incomplete),
           KTEST_CASE(bare_lf_and_leading_blank_lines),
           KTEST_CASE(connection_semantics), KTEST_CASE(host_rules),
           KTEST_CASE(malformed_request_lines),
           KTEST_CASE(garbage_refused_before_the_line_ends),
           KTEST_CASE(malformed_fields), KTEST_CASE(bodies),
           KTEST_CASE(too_many_fields), KTEST_CASE(overflow_status),
           KTEST_CASE(paths_normalized), KTEST_CASE(paths_refused),
           KTEST_CASE(query_numbers))

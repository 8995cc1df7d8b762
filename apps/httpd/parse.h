/*
 * HTTP/1.x request heads (RFC 9112), parsed in place, for httpd and kv:
 * pure functions over a byte buffer, no I/O and no allocation, so
 * tests/unit runs them on the host.  Errors are negative HTTP status
 * codes (-400, -414, -431, -505), which the connection sends back before
 * it closes.
 */
#ifndef HTTPD_PARSE_H
#define HTTPD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS 64     /* more fields: 431 */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_PUT, HTTP_DELETE, HTTP_OTHER };

struct http_span { const char *p; size_t n; };

struct http_request {
    enum http_method method;
    struct http_span line;      /* the request line, for the access log */
    struct http_span target;
    int minor;                  /* HTTP/1.minor */
    bool keep_alive;            /* Connection and the version's default */
    bool has_body;              /* Content-Length > 0 or Transfer-Encoding */
    bool chunked;               /* Transfer-Encoding: the length is unknown */
    uint64_t content_length;    /* 0 without the field */
    size_t head_len;            /* bytes up to and including the blank line */
};

/*
 * Parses the head at the start of buf.  Returns head_len (> 0) with *req
 * filled, 0 when the head is not complete yet (and nothing seen so far is
 * wrong), or a negative status.  req->line is set as soon as the request
 * line is known, even when the head is refused later.
 */
int http_parse_head(const char *buf, size_t len, struct http_request *req);

/* The status for a head that does not fit a full buffer: 414 while the
 * request line is unfinished, else 431. */
int http_overflow_status(const char *buf, size_t len);

/*
 * Normalizes a request target into out (NUL-terminated): absolute-form is
 * reduced to its path, the query is split off into *query, %XX escapes are
 * decoded and dot segments removed (RFC 3986 5.2.4; empty segments are
 * dropped, a trailing slash is kept).  Returns the path's length, -400 for
 * a malformed target, a decoded NUL or a ".." above the root, -414 when it
 * does not fit cap.
 */
int http_normalize_path(struct http_span target, char *out, size_t cap,
                        struct http_span *query);

/* Looks for name=DIGITS in a query.  Returns 1 with *value set, 0 if the
 * name is absent, -1 if its value is not a number up to UINT64_MAX. */
int http_query_u64(struct http_span query, const char *name, uint64_t *value);

#endif /* HTTPD_PARSE_H */

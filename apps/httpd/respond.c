/*
 * Answers: a request becomes a response head in conn.out, followed by as
 * much of the body as fits there; conn.c sends the rest straight from
 * where the body lives (a file in the table, or the /big pattern).
 *
 * /big?bytes=N (default 1 MiB, at most HTTPD_BIG_MAX) is N bytes of a
 * fixed pattern of HTTPD_PATTERN_LEN bytes, repeated: byte i of the body
 * is pattern_byte(i % HTTPD_PATTERN_LEN), so a client can compute its
 * digest, and no body ever sits in memory.  The pattern is stored once
 * with its first HTTPD_SEND_CHUNK bytes repeated after it, so any chunk
 * starting anywhere in the period is contiguous.
 */
#include <stdio.h>
#include <string.h>

#include "httpd.h"
#include "www.h"

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:  return "Error";
    }
}

/* 64 characters per line, the last a newline: readable with curl. */
static unsigned char pattern_byte(unsigned i)
{
    return i % 64 == 63 ? '\n' : (unsigned char)(33 + (i * 7 + i / 64) % 94);
}

void respond_init_pattern(struct server *s)
{
    for (unsigned i = 0; i < sizeof s->pattern; i++)
        s->pattern[i] = pattern_byte(i % HTTPD_PATTERN_LEN);
}

const unsigned char *respond_body_at(const struct server *s,
                                     const struct conn *c, size_t *len)
{
    uint64_t left = c->body_len - c->body_off;
    if (c->body) {
        *len = left > SIZE_MAX ? SIZE_MAX : (size_t)left;
        return c->body + c->body_off;
    }
    *len = left < HTTPD_SEND_CHUNK ? (size_t)left : HTTPD_SEND_CHUNK;
    return s->pattern + c->body_off % HTTPD_PATTERN_LEN;
}

/* HTTP/1.1 keeps a connection unless told; 1.0 closes unless told. */
static const char *connection_field(const struct conn *c, int minor)
{
    if (!c->keep_alive)
        return "Connection: close\r\n";
    return minor == 0 ? "Connection: keep-alive\r\n" : "";
}

static void put_head(struct server *s, struct conn *c, int minor, int status,
                     const char *type, uint64_t length, const char *extra)
{
    int n = snprintf(c->out, sizeof c->out,
                     "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: keel-httpd\r\n"
                     "Content-Type: %s\r\nContent-Length: %llu\r\n%s%s\r\n",
                     status, reason(status), s->http_date, type,
                     (unsigned long long)length, connection_field(c, minor), extra);
    c->status = status;
    c->out_len = (size_t)n;
    c->out_off = 0;
    c->out_body = 0;
}

/* The body's start joins the head in out[], so a small answer is one
 * send(). */
static void stage_body(struct server *s, struct conn *c,
                       const unsigned char *body, uint64_t len)
{
    c->body = body;
    c->body_len = len;
    c->body_off = 0;
    while (c->body_off < c->body_len && c->out_len < sizeof c->out) {
        size_t n, room = sizeof c->out - c->out_len;
        const unsigned char *p = respond_body_at(s, c, &n);
        n = n < room ? n : room;
        memcpy(c->out + c->out_len, p, n);
        c->out_len += n;
        c->out_body += n;
        c->body_off += n;
    }
}

/* The short HTML body is copied into out[] whole (a head stays under
 * 400 bytes, out[] holds 2 KiB), so body[] may go out of scope. */
static void respond_status(struct server *s, struct conn *c, int minor,
                           bool head, int status, const char *extra)
{
    char body[128];
    int n = snprintf(body, sizeof body,
                     "<!DOCTYPE html>\n<title>%d %s</title>\n<h1>%d %s</h1>\n",
                     status, reason(status), status, reason(status));
    put_head(s, c, minor, status, "text/html; charset=utf-8", (uint64_t)n, extra);
    stage_body(s, c, (const unsigned char *)body, head ? 0 : (uint64_t)n);
}

/* A head that cannot be parsed leaves no way to find the next request. */
void respond_error(struct server *s, struct conn *c, int status)
{
    c->keep_alive = false;
    respond_status(s, c, 1, false, status, "");
}

static void respond_big(struct server *s, struct conn *c, int minor, bool head,
                        struct http_span query)
{
    uint64_t n = HTTPD_BIG_DEFAULT;
    int r = http_query_u64(query, "bytes", &n);
    if (r < 0 || n > HTTPD_BIG_MAX) {
        respond_status(s, c, minor, head, 400, "");
        return;
    }
    put_head(s, c, minor, 200, "application/octet-stream", n, "");
    stage_body(s, c, NULL, head ? 0 : n);
}

void respond_request(struct server *s, struct conn *c,
                     const struct http_request *req)
{
    bool head = req->method == HTTP_HEAD;
    char path[HTTPD_PATH_MAX];
    struct http_span query;

    /* an unread request body would be taken for the next request */
    c->keep_alive = req->keep_alive && !req->has_body;
    if (req->method != HTTP_GET && !head) {
        respond_status(s, c, req->minor, false, 405, "Allow: GET, HEAD\r\n");
        return;
    }
    int n = http_normalize_path(req->target, path, sizeof path, &query);
    if (n < 0) {
        respond_status(s, c, req->minor, head, -n, "");
        return;
    }
    if (strcmp(path, "/big") == 0) {
        respond_big(s, c, req->minor, head, query);
        return;
    }
    const struct www_file *f = www_find(path);
    if (!f) {
        respond_status(s, c, req->minor, head, 404, "");
        return;
    }
    put_head(s, c, req->minor, 200, www_content_type(f->path), f->size, "");
    stage_body(s, c, f->data, head ? 0 : f->size);
}

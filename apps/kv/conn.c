/*
 * One client's requests, in order, on a blocking socket whose reads and
 * writes wait at most KV_IDLE_MS (poll).  A request whose body kv does
 * not read (an error, a body on GET) is answered with Connection: close,
 * since its unread bytes would be taken for the next request.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kv.h"
#include "parse.h"

struct conn {
    int fd;
    bool quiet;
    size_t in_len;
    char in[KV_HEAD_MAX];
};

/* What answer() needs of a request, copied out of in[] so that the body
 * behind the head can move to the front. */
struct request {
    enum http_method method;
    bool keep_alive, has_body, chunked, has_key;
    uint64_t length;
    char key[KV_KEY_MAX + 1];
    char line[128];              /* the request line, for the log */
};

static char chunk[KV_CHUNK];     /* bodies pass through here, both ways */

static bool wait_for(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };

    return poll(&p, 1, KV_IDLE_MS) == 1 && !(p.revents & POLLNVAL);
}

/* Up to cap bytes: > 0, or 0 at end of stream, an error or a timeout. */
static ssize_t recv_some(int fd, void *buf, size_t cap)
{
    ssize_t n;

    if (!wait_for(fd, POLLIN))
        return 0;
    do
        n = recv(fd, buf, cap, 0);
    while (n < 0 && errno == EINTR);
    return n < 0 ? 0 : n;
}

static bool send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        if (!wait_for(fd, POLLOUT))
            return false;
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default:  return "Internal Server Error";
    }
}

static void log_request(const struct conn *c, const struct request *req, int status)
{
    if (!c->quiet)
        printf("kv: %s %d\n", req->line, status);
}

/* A head, with body_len bytes of body to follow; false: the client is gone. */
static bool send_head(struct conn *c, int status, uint64_t body_len, bool keep_alive,
                      const char *extra)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nContent-Length: %llu\r\n%s%s\r\n", status,
                     reason(status), (unsigned long long)body_len, extra,
                     keep_alive ? "" : "Connection: close\r\n");

    return send_all(c->fd, head, (size_t)n);
}

/* A status without a value: its reason as a line of text. */
static bool send_status(struct conn *c, int status, bool keep_alive, const char *extra)
{
    char body[64];
    int n = status == 204 ? 0 : snprintf(body, sizeof(body), "%s\n", reason(status));

    return send_head(c, status, (uint64_t)n, keep_alive, extra) &&
           send_all(c->fd, body, (size_t)n);
}

/* The body's next bytes: first what came with the head, then the socket. */
static ssize_t body_some(struct conn *c, size_t want)
{
    if (c->in_len) {
        size_t n = c->in_len < want ? c->in_len : want;
        memcpy(chunk, c->in, n);
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
        return (ssize_t)n;
    }
    return recv_some(c->fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk));
}

/* PUT: the body into a temporary file, then committed (store.c). */
static int put_value(struct conn *c, const char *key, uint64_t len, bool *gone)
{
    int fd = store_begin(), rc;
    bool created;

    if (fd < 0)
        return 500;
    while (len) {
        ssize_t n = body_some(c, len < sizeof(chunk) ? (size_t)len : sizeof(chunk));
        if (n <= 0) {
            *gone = true;            /* a short body: nothing is stored */
            store_abort(fd);
            return 400;
        }
        if (write(fd, chunk, (size_t)n) != n) {
            rc = errno;
            store_abort(fd);
            return rc == ENOSPC ? 507 : 500;
        }
        len -= (uint64_t)n;
    }
    rc = store_commit(fd, key, &created);
    if (rc)
        return rc == -ENOSPC ? 507 : 500;
    return created ? 201 : 204;
}

/* GET and HEAD: the value streamed from its file. */
static bool get_value(struct conn *c, const char *key, bool head, bool keep, int *status)
{
    uint64_t size;
    int fd = store_open_value(key, &size);
    bool ok;

    if (fd < 0) {
        *status = fd == -ENOENT ? 404 : 500;
        return send_status(c, *status, keep, "");
    }
    *status = 200;
    ok = send_head(c, 200, size, keep, "Content-Type: application/octet-stream\r\n");
    while (ok && !head && size) {
        ssize_t n = read(fd, chunk, size < sizeof(chunk) ? (size_t)size : sizeof(chunk));
        ok = n > 0 && send_all(c->fd, chunk, (size_t)n);
        size -= n > 0 ? (uint64_t)n : 0;
    }
    close(fd);
    return ok;
}

/* The key of "/KEY" into key[]; false if the target is not one. */
static bool target_key(struct http_span t, char key[KV_KEY_MAX + 1])
{
    if (t.n < 2 || t.p[0] != '/' || !store_key_ok(t.p + 1, t.n - 1))
        return false;
    memcpy(key, t.p + 1, t.n - 1);
    key[t.n - 1] = 0;
    return true;
}

/* The request out of in[], then its head dropped from in[]. */
static void take_request(struct conn *c, const struct http_request *h, size_t head_len,
                         struct request *req)
{
    size_t line = h->line.n < sizeof(req->line) ? h->line.n : sizeof(req->line) - 1;

    *req = (struct request){ .method = h->method, .keep_alive = h->keep_alive,
                             .has_body = h->has_body, .chunked = h->chunked,
                             .length = h->content_length };
    req->has_key = target_key(h->target, req->key);
    memcpy(req->line, h->line.p, line);
    req->line[line] = 0;
    memmove(c->in, c->in + head_len, c->in_len - head_len);
    c->in_len -= head_len;
}

static int status_of(struct conn *c, const struct request *req, bool *gone)
{
    if (req->method == HTTP_OTHER)
        return 405;
    if (!req->has_key)
        return 400;
    if (req->method == HTTP_DELETE)
        return store_delete(req->key) ? 404 : 204;
    if (req->chunked)
        return 411;
    if (req->length > KV_VALUE_MAX)
        return 413;
    return put_value(c, req->key, req->length, gone);
}

/* false: close the connection. */
static bool answer(struct conn *c, const struct request *req)
{
    bool gone = false, read_body = req->method == HTTP_PUT;
    bool keep = req->keep_alive && (read_body || !req->has_body);
    int status;

    if ((req->method == HTTP_GET || req->method == HTTP_HEAD) && req->has_key) {
        keep = get_value(c, req->key, req->method == HTTP_HEAD, keep, &status) && keep;
        log_request(c, req, status);
        return keep;
    }
    status = status_of(c, req, &gone);
    /* a refused PUT's body is still unread; a failed one is half read */
    if (read_body && status >= 400)
        keep = false;
    log_request(c, req, status);
    if (gone)
        return false;
    return send_status(c, status, keep,
                       status == 405 ? "Allow: GET, HEAD, PUT, DELETE\r\n" : "") && keep;
}

void conn_serve(int fd, bool quiet)
{
    static struct conn c;            /* one client at a time */
    struct http_request req;

    c.fd = fd;
    c.quiet = quiet;
    c.in_len = 0;
    for (;;) {
        int n = http_parse_head(c.in, c.in_len, &req);

        if (n < 0) {
            send_status(&c, -n, false, "");
            return;
        }
        if (n == 0) {
            ssize_t got;

            if (c.in_len == sizeof(c.in)) {
                send_status(&c, http_overflow_status(c.in, c.in_len), false, "");
                return;
            }
            got = recv_some(fd, c.in + c.in_len, sizeof(c.in) - c.in_len);
            if (got <= 0)
                return;
            c.in_len += (size_t)got;
            continue;
        }
        struct request r;

        take_request(&c, &req, (size_t)n, &r);
        if (!answer(&c, &r))
            return;
    }
}

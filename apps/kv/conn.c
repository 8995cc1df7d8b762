/*
 * One client's connection, a state machine on a non-blocking socket:
 * HEAD (a request head arriving in in[]), BODY (a PUT's body into its
 * temporary file, then the commit), SEND (out[], then a GET's value read
 * from its file a chunk at a time).  conn_run moves it on until the
 * socket would block or the turn's KV_TURN_BYTES are used.  A request
 * whose body kv does not read (an error, a body on GET) is answered with
 * Connection: close, since its unread bytes would be taken for the next
 * request.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kv.h"

enum conn_state { C_HEAD, C_BODY, C_SEND };
enum step { STEP_ON, STEP_WAIT, STEP_CLOSE };

struct conn {
    int fd;
    enum conn_state state;
    bool quiet, keep, pending;   /* keep: after the answer being sent */
    uint64_t deadline_ms;
    size_t moved;                /* bytes this turn */
    struct request req;
    int put_fd, value_fd;        /* -1: none */
    char temp[KV_TEMP_MAX];      /* put_fd's name */
    uint64_t body_left, value_left;
    size_t in_len, out_len, out_off;
    char in[KV_HEAD_MAX];
    char out[KV_CHUNK];          /* an answer's head, a value's chunk, a body's */
};

uint64_t kv_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void progress(struct conn *c, size_t bytes)
{
    c->moved += bytes;
    c->deadline_ms = kv_now_ms() + KV_IDLE_MS;
}

struct conn *conn_new(int fd, bool quiet)
{
    struct conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->fd = fd;
    c->state = C_HEAD;
    c->quiet = quiet;
    c->put_fd = c->value_fd = -1;
    progress(c, 0);
    return c;
}

/* An answer's head into out[], body_len bytes of body to follow. */
static void stage_head(struct conn *c, int status, uint64_t body_len, const char *extra)
{
    if (!c->quiet && c->req.line[0])
        printf("kv: %s %d\n", c->req.line, status);
    c->out_off = 0;
    c->value_left = 0;               /* start_get sets it after */
    c->out_len = (size_t)snprintf(c->out, sizeof(c->out),
                                  "HTTP/1.1 %d %s\r\nContent-Length: %llu\r\n%s%s\r\n",
                                  status, status_reason(status),
                                  (unsigned long long)body_len, extra,
                                  c->keep ? "" : "Connection: close\r\n");
    c->state = C_SEND;
}

/* A status without a value: its reason as a line of text. */
static void stage_status(struct conn *c, int status, const char *extra)
{
    char body[64];
    int n = status == 204 ? 0 : snprintf(body, sizeof(body), "%s\n", status_reason(status));

    stage_head(c, status, (uint64_t)n, extra);
    memcpy(c->out + c->out_len, body, (size_t)n);
    c->out_len += (size_t)n;
}

static void start_get(struct conn *c, bool head_only)
{
    uint64_t size;
    int fd = store_open_value(c->req.key, &size);

    if (fd < 0) {
        stage_status(c, fd == -ENOENT ? 404 : 500, "");
        return;
    }
    stage_head(c, 200, size, "Content-Type: application/octet-stream\r\n");
    if (head_only || !size) {
        close(fd);
        return;
    }
    c->value_fd = fd;
    c->value_left = size;
}

static void start_put(struct conn *c)
{
    int status = c->req.chunked ? 411 : c->req.length > KV_VALUE_MAX ? 413 : 0;

    if (!status && (c->put_fd = store_begin(c->temp)) < 0)
        status = 500;
    if (status) {
        c->keep = false;             /* the refused body is still unread */
        stage_status(c, status, "");
        return;
    }
    c->body_left = c->req.length;
    c->state = C_BODY;
}

/* The request in c->req: an answer staged, or a PUT's body to read. */
static void start(struct conn *c)
{
    const struct request *r = &c->req;

    c->keep = r->keep_alive && (r->method == HTTP_PUT || !r->has_body);
    if (r->method == HTTP_OTHER)
        stage_status(c, 405, "Allow: GET, HEAD, PUT, DELETE\r\n");
    else if (!r->has_key)
        stage_status(c, 400, "");
    else if (r->method == HTTP_GET || r->method == HTTP_HEAD)
        start_get(c, r->method == HTTP_HEAD);
    else if (r->method == HTTP_DELETE)
        stage_status(c, store_delete(r->key) ? 404 : 204, "");
    else
        start_put(c);
}

/* recv's result as a step: n > 0 bytes, or why there are none. */
static enum step received(ssize_t n)
{
    if (n > 0)
        return STEP_ON;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return STEP_WAIT;
    return n < 0 && errno == EINTR ? STEP_ON : STEP_CLOSE;
}

static enum step step_head(struct conn *c)
{
    struct http_request h;
    int n = http_parse_head(c->in, c->in_len, &h);
    ssize_t got;

    if (n < 0 || (n == 0 && c->in_len == sizeof(c->in))) {
        c->keep = false;
        c->req.line[0] = 0;
        stage_status(c, n < 0 ? -n : http_overflow_status(c->in, c->in_len), "");
        return STEP_ON;
    }
    if (n > 0) {
        request_from_head(&h, &c->req);
        memmove(c->in, c->in + n, c->in_len - (size_t)n);
        c->in_len -= (size_t)n;
        start(c);
        return STEP_ON;
    }
    got = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
    if (got > 0) {
        c->in_len += (size_t)got;
        progress(c, (size_t)got);
    }
    return received(got);
}

static void finish_put(struct conn *c)
{
    bool created;
    int rc = store_commit(c->put_fd, c->temp, c->req.key, &created);
    int status = rc == -ENOSPC ? 507 : rc ? 500 : created ? 201 : 204;

    c->put_fd = -1;
    if (rc)
        c->keep = false;
    stage_status(c, status, "");
}

/* The body's next bytes, first those that came with the head. */
static enum step step_body(struct conn *c)
{
    size_t want = c->body_left < sizeof(c->out) ? (size_t)c->body_left : sizeof(c->out);
    const char *from = c->in;
    ssize_t n;

    if (!c->body_left) {
        finish_put(c);
        return STEP_ON;
    }
    if (c->in_len) {
        n = (ssize_t)(c->in_len < want ? c->in_len : want);
    } else {
        n = recv(c->fd, c->out, want, 0);
        if (n <= 0)
            return received(n);      /* a short body: conn_free drops it */
        from = c->out;
    }
    if (write(c->put_fd, from, (size_t)n) != n) {
        int status = errno == ENOSPC ? 507 : 500;

        store_abort(c->put_fd, c->temp);
        c->put_fd = -1;
        c->keep = false;             /* the rest of the body is unread */
        stage_status(c, status, "");
        return STEP_ON;
    }
    if (from == c->in) {
        memmove(c->in, c->in + n, c->in_len - (size_t)n);
        c->in_len -= (size_t)n;
    }
    c->body_left -= (uint64_t)n;
    progress(c, (size_t)n);
    return STEP_ON;
}

static enum step step_send(struct conn *c)
{
    ssize_t n;

    if (c->out_off < c->out_len) {
        n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            progress(c, (size_t)n);
        }
        return received(n);
    }
    if (c->value_left) {             /* the value's next chunk */
        size_t want = c->value_left < sizeof(c->out) ? (size_t)c->value_left : sizeof(c->out);

        n = read(c->value_fd, c->out, want);
        if (n <= 0)
            return STEP_CLOSE;
        c->out_off = 0;
        c->out_len = (size_t)n;
        c->value_left -= (uint64_t)n;
        return STEP_ON;
    }
    if (c->value_fd >= 0) {
        close(c->value_fd);
        c->value_fd = -1;
    }
    c->state = C_HEAD;               /* the next request may be in in[] */
    return c->keep ? STEP_ON : STEP_CLOSE;
}

bool conn_run(struct conn *c)
{
    c->moved = 0;
    c->pending = false;
    for (;;) {
        enum step s = c->state == C_HEAD ? step_head(c) :
                      c->state == C_BODY ? step_body(c) : step_send(c);

        if (s != STEP_ON)
            return s == STEP_WAIT;
        if (c->moved >= KV_TURN_BYTES) {
            c->pending = true;       /* the others' turn; back without a poll */
            return true;
        }
    }
}

struct pollfd conn_pollfd(const struct conn *c)
{
    return (struct pollfd){ .fd = c->fd, .events = c->state == C_SEND ? POLLOUT : POLLIN };
}

bool conn_pending(const struct conn *c)
{
    return c->pending;
}

uint64_t conn_deadline_ms(const struct conn *c)
{
    return c->deadline_ms;
}

void conn_free(struct conn *c)
{
    if (c->put_fd >= 0)
        store_abort(c->put_fd, c->temp);
    if (c->value_fd >= 0)
        close(c->value_fd);
    close(c->fd);
    free(c);
}

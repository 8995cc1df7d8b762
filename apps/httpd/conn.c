/*
 * One connection's state machine: READING -> WRITING -> READING ... ->
 * LINGER -> CLOSED.
 *
 * Requests are answered one at a time, in order: while a response is
 * being sent the connection does not read, so a pipelining client waits
 * in the kernel's buffers, not in ours, and in[] still holds the request
 * line the access log quotes.  Each poll round gives a connection at most
 * HTTPD_TURN_REQUESTS answers and HTTPD_TURN_BYTES of output, so one fast
 * client cannot starve the others; a connection with buffered requests
 * left is marked pending and served in the next round without waiting.
 *
 * Deadlines (opt.timeout_ms): an idle connection between requests is
 * closed; a head must be complete that long after its first byte (a
 * client trickling it byte by byte gets a 408); a send that makes no
 * progress that long is dropped.  A connection that ends after a response
 * shuts its output down and drains input for HTTPD_LINGER_MS, so unread
 * input cannot make the kernel reset the response away (RFC 9112 9.6).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd.h"

static void set_deadline(struct server *s, struct conn *c, int ms)
{
    c->deadline_ms = s->now_ms + (uint64_t)ms;
}

static bool would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static void conn_close(struct conn *c)
{
    close(c->fd);
    c->state = CONN_CLOSED;
}

/* The body bytes the client got: those sent, less staged ones still in out[]. */
static uint64_t body_bytes_sent(const struct conn *c)
{
    size_t unsent = c->out_len - c->out_off;
    return c->body_off - (unsent < c->out_body ? unsent : c->out_body);
}

static void log_response(struct server *s, struct conn *c)
{
    log_access(s, c->peer, c->line, c->status, body_bytes_sent(c));
}

/* A response cut short is logged with what it sent. */
static void conn_abort(struct server *s, struct conn *c)
{
    if (c->state == CONN_WRITING)
        log_response(s, c);
    conn_close(c);
}

static void conn_linger(struct server *s, struct conn *c)
{
    shutdown(c->fd, SHUT_WR);
    c->state = CONN_LINGER;
    set_deadline(s, c, s->opt.timeout_ms < HTTPD_LINGER_MS ? s->opt.timeout_ms
                                                           : HTTPD_LINGER_MS);
}

static void conn_drain(struct conn *c)
{
    ssize_t n = recv(c->fd, c->in, sizeof c->in, 0);
    if (n == 0 || (n < 0 && !would_block()))
        conn_close(c);
}

static void conn_read(struct server *s, struct conn *c)
{
    if (c->in_len == sizeof c->in)
        return;             /* answered with 414/431 before any read */
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
    if (n > 0) {
        if (c->in_len == 0)
            set_deadline(s, c, s->opt.timeout_ms);
        c->in_len += (size_t)n;
    } else if (n == 0 || !would_block()) {
        conn_close(c);      /* gone between requests, or mid-head */
    }
}

/* Starts the answer to the request at the front of in[]: false while its
 * head is not complete. */
static bool conn_start_request(struct server *s, struct conn *c)
{
    struct http_request req;
    int r = http_parse_head(c->in, c->in_len, &req);

    if (r == 0 && c->in_len == sizeof c->in)
        r = -http_overflow_status(c->in, c->in_len);
    if (r == 0)
        return false;
    c->line = req.line;
    if (r < 0) {
        c->req_len = c->in_len;
        respond_error(s, c, -r);
    } else {
        c->req_len = (size_t)r;
        respond_request(s, c, &req);
    }
    c->state = CONN_WRITING;
    set_deadline(s, c, s->opt.timeout_ms);
    return true;
}

/* Sends within *budget: 1 when the response is all out, 0 to wait for
 * POLLOUT, -1 when the connection failed. */
static int conn_send(struct server *s, struct conn *c, size_t *budget)
{
    while (*budget > 0) {
        const void *p;
        size_t n;
        bool staged = c->out_off < c->out_len;
        if (staged) {
            p = c->out + c->out_off;
            n = c->out_len - c->out_off;
        } else if (c->body_off < c->body_len) {
            p = respond_body_at(s, c, &n);
        } else {
            return 1;
        }
        ssize_t k = send(c->fd, p, n < *budget ? n : *budget, MSG_NOSIGNAL);
        if (k < 0)
            return would_block() ? 0 : -1;
        if (staged)
            c->out_off += (size_t)k;
        else
            c->body_off += (uint64_t)k;
        *budget -= (size_t)k;
        set_deadline(s, c, s->opt.timeout_ms);
    }
    return 0;
}

static void conn_finish_response(struct server *s, struct conn *c)
{
    log_response(s, c);
    if (!c->keep_alive) {
        conn_linger(s, c);
        return;
    }
    c->in_len -= c->req_len;
    memmove(c->in, c->in + c->req_len, c->in_len);
    c->req_len = 0;
    c->line = (struct http_span){ 0 };
    c->state = CONN_READING;
    set_deadline(s, c, s->opt.timeout_ms);
}

static void conn_progress(struct server *s, struct conn *c)
{
    int requests = HTTPD_TURN_REQUESTS;
    size_t budget = HTTPD_TURN_BYTES;

    c->pending = false;
    while (c->state == CONN_READING || c->state == CONN_WRITING) {
        if (c->state == CONN_READING) {
            if (requests-- == 0) {
                c->pending = true;
                return;
            }
            if (!conn_start_request(s, c))
                return;
        }
        int r = conn_send(s, c, &budget);
        if (r < 0)
            conn_abort(s, c);
        if (r <= 0)
            return;
        conn_finish_response(s, c);
    }
}

struct conn *conn_new(struct server *s, int fd, const char *peer)
{
    struct conn *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, offsetof(struct conn, in));
    c->fd = fd;
    c->state = CONN_READING;
    strncpy(c->peer, peer, sizeof c->peer - 1);
    set_deadline(s, c, s->opt.timeout_ms);
    return c;
}

void conn_event(struct server *s, struct conn *c, short revents)
{
    if (revents & (POLLERR | POLLNVAL)) {
        conn_abort(s, c);
        return;
    }
    if (revents & (POLLIN | POLLHUP)) {
        if (c->state == CONN_LINGER) {
            conn_drain(c);
            return;
        }
        if (c->state == CONN_READING)
            conn_read(s, c);
    }
    conn_progress(s, c);
}

/* A head that stopped arriving gets its 408; anything else just ends. */
void conn_expire(struct server *s, struct conn *c)
{
    if (c->state == CONN_READING && c->in_len > 0) {
        c->line = (struct http_span){ 0 };
        c->req_len = c->in_len;
        respond_error(s, c, 408);
        c->state = CONN_WRITING;
        set_deadline(s, c, s->opt.timeout_ms);
        conn_progress(s, c);
        return;
    }
    conn_abort(s, c);
}

/* Its answer is out: only the courtesy of draining its input is lost. */
void conn_evict(struct conn *c)
{
    conn_close(c);
}

short conn_poll_events(const struct conn *c)
{
    switch (c->state) {
    case CONN_READING:
    case CONN_LINGER:
        return POLLIN;
    case CONN_WRITING:
        return POLLOUT;
    default:
        return 0;
    }
}

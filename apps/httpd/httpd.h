/*
 * httpd: an HTTP/1.1 server appliance in one thread.
 *
 * One poll() loop over non-blocking sockets (main.c) drives a state
 * machine per connection (conn.c): read a request head into a fixed
 * buffer, answer it (respond.c: the built-in files of www.h, a generated
 * body, or an error), stream the answer, then read the next one
 * (keep-alive, pipelined requests in order) or close.  Memory is bounded:
 * a connection owns sizeof(struct conn), bodies are sent from where they
 * already are (the file table, one shared pattern), and connections beyond
 * the cap get a 503 (refuse.c).  Everything mutable lives in struct
 * server; the file table is const.
 *
 * Plain POSIX: the same sources build for the host (gcc) and for Keel
 * (bin/mkimage), so both serve identical bytes.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

#include "parse.h"

#define HTTPD_HEAD_MAX      8192    /* request head; longer: 431 or 414 */
#define HTTPD_OUT_MAX       2048    /* response head plus a body's start */
#define HTTPD_PATH_MAX      1024
#define HTTPD_PEER_MAX      48
#define HTTPD_BIG_MAX       (1ull << 30)    /* /big?bytes=N, N at most */
#define HTTPD_BIG_DEFAULT   (1u << 20)
#define HTTPD_PATTERN_LEN   8191    /* /big repeats this (prime) period */
#define HTTPD_SEND_CHUNK    16384   /* one send() of a generated body */
#define HTTPD_TURN_REQUESTS 8       /* per connection per poll round */
#define HTTPD_TURN_BYTES    (256u << 10)
#define HTTPD_LINGER_MS     2000    /* draining input before a close */
#define HTTPD_REFUSED_MAX   256     /* refused sockets draining at once */
#define HTTPD_REFUSE_MS     1000

#ifndef MSG_NOSIGNAL            /* a send to a reset peer: EPIPE, no signal */
#define MSG_NOSIGNAL 0
#endif

enum conn_state {
    CONN_READING,   /* waiting for a complete request head */
    CONN_WRITING,   /* sending out[], then the body */
    CONN_LINGER,    /* output shut down, draining input before close */
    CONN_CLOSED,    /* fd closed; the slot is freed after this round */
};

struct conn {
    int fd;
    enum conn_state state;
    bool keep_alive;            /* after the response being sent */
    bool pending;               /* a buffered request waits: no poll wait */
    uint64_t deadline_ms;
    char peer[HTTPD_PEER_MAX];
    size_t in_len;              /* bytes in in[] */
    size_t req_len;             /* of those, the request being answered */
    size_t out_len, out_off;    /* staged bytes in out[], sent so far */
    const unsigned char *body;  /* NULL: the /big pattern */
    uint64_t body_len, body_off;
    size_t out_body;            /* of out[], bytes that are the body's */
    int status;                 /* of the response, for the access log */
    struct http_span line;      /* the request line in in[], or empty */
    char in[HTTPD_HEAD_MAX];
    char out[HTTPD_OUT_MAX];
};

struct server_options {
    const char *addr;           /* IPv4 address to bind */
    int port;                   /* 0: any free port */
    int max_conns;
    int timeout_ms;             /* idle keep-alive, a head, a stalled send */
    bool quiet;                 /* no access log */
};

struct server {
    struct server_options opt;
    int listen_fd;
    int port;                   /* the bound one */
    bool accept_paused;         /* out of descriptors: until a close */
    uint64_t accept_resume_ms;
    uint64_t now_ms;            /* monotonic, once per poll round */
    long long date_sec;         /* wall clock second the dates below show */
    char http_date[40];         /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    char log_date[40];          /* "06/Nov/1994:08:49:37 +0000" */
    int nconns;
    struct conn **conns;        /* [max_conns] */
    struct pollfd *pfds;        /* listener, conns, refused */
    int nrefused;
    struct { int fd; uint64_t deadline_ms; } refused[HTTPD_REFUSED_MAX];
    unsigned char pattern[HTTPD_PATTERN_LEN + HTTPD_SEND_CHUNK];
};

/* conn.c: the connection state machine */
struct conn *conn_new(struct server *s, int fd, const char *peer);
void conn_event(struct server *s, struct conn *c, short revents);
void conn_expire(struct server *s, struct conn *c);
short conn_poll_events(const struct conn *c);
void conn_evict(struct conn *c);

/* refuse.c: answering clients over the cap */
void refuse_connection(struct server *s, int fd, const char *peer);
int refuse_pollfds(const struct server *s, struct pollfd *pfds);
void refuse_events(struct server *s, const struct pollfd *pfds, int polled);
uint64_t refuse_next_deadline(const struct server *s);

/* respond.c: a response for a parsed request, or an error */
void respond_request(struct server *s, struct conn *c,
                     const struct http_request *req);
void respond_error(struct server *s, struct conn *c, int status);
const unsigned char *respond_body_at(const struct server *s,
                                     const struct conn *c, size_t *len);
void respond_init_pattern(struct server *s);

/* log.c: dates and the access log */
void log_update_dates(struct server *s);
void log_access(const struct server *s, const char *peer,
                struct http_span line, int status, uint64_t bytes);

#endif /* HTTPD_H */

/*
 * httpd's command line and its poll loop.
 *
 *   httpd [-a ADDR] [-p PORT] [-c MAX_CONNS] [-t SECONDS] [-q]
 *
 * Defaults: 0.0.0.0, port 80 (0 picks a free one), 256 connections,
 * 5 s timeout, access log on.  The first line on stdout says where it
 * listens ("httpd: listening on ADDR:PORT ..."), then one line per request.
 *
 * One round: poll the listener, every connection and every refused
 * socket; let each connection that is ready or has buffered requests move
 * on; expire deadlines; free closed connections, then accept new ones
 * (freed slots count, and a burst of accepts waits behind the clients
 * being served); flush the log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "www.h"

#define ACCEPT_BATCH    64      /* accepts per round */
#define ACCEPT_RETRY_MS 100     /* after running out of descriptors */

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool parse_long(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_seconds(const char *text, int *ms)
{
    char *end;
    double sec = strtod(text, &end);
    if (end == text || *end || !(sec >= 0.001 && sec <= 3600))
        return false;
    *ms = (int)(sec * 1000);
    return true;
}

static int parse_options(int argc, char **argv, struct server_options *o)
{
    long port = 80, conns = 256;
    bool ok = true;
    int opt;

    *o = (struct server_options){ .addr = "0.0.0.0", .timeout_ms = 5000 };
    while (ok && (opt = getopt(argc, argv, "a:p:c:t:q")) != -1) {
        switch (opt) {
        case 'a': o->addr = optarg; break;
        case 'p': ok = parse_long(optarg, 0, 65535, &port); break;
        case 'c': ok = parse_long(optarg, 1, 65536, &conns); break;
        case 't': ok = parse_seconds(optarg, &o->timeout_ms); break;
        case 'q': o->quiet = true; break;
        default: ok = false;
        }
    }
    o->port = (int)port;
    o->max_conns = (int)conns;
    return ok && optind == argc ? 0 : -1;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int open_listener(struct server *s)
{
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons((uint16_t)s->opt.port) };
    socklen_t len = sizeof sa;
    int one = 1;

    if (inet_pton(AF_INET, s->opt.addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "httpd: not an IPv4 address: %s\n", s->opt.addr);
        return -1;
    }
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->listen_fd < 0 ||
        setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(s->listen_fd, SOMAXCONN) < 0 || set_nonblocking(s->listen_fd) < 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&sa, &len) < 0) {
        fprintf(stderr, "httpd: listening on %s:%d: %s\n", s->opt.addr,
                s->opt.port, strerror(errno));
        return -1;
    }
    s->port = ntohs(sa.sin_port);
    return 0;
}

static void reap_closed(struct server *s)
{
    for (int i = 0; i < s->nconns;) {
        if (s->conns[i]->state != CONN_CLOSED) {
            i++;
            continue;
        }
        free(s->conns[i]);
        s->conns[i] = s->conns[--s->nconns];
        s->accept_paused = false;   /* a descriptor came free */
    }
}

/* At the cap, a lingering connection (its answer is out) makes room
 * before a new client is refused.  Idle keep-alive ones are not taken:
 * their client may be sending its next request right now, and would get
 * a reset for it. */
static bool make_room(struct server *s)
{
    for (int i = 0; i < s->nconns; i++) {
        if (s->conns[i]->state == CONN_LINGER) {
            conn_evict(s->conns[i]);
            reap_closed(s);
            return true;
        }
    }
    return false;
}

/* Takes one accepted socket in, or refuses it over the cap. */
static void admit(struct server *s, int fd, const struct sockaddr_in *sa)
{
    char peer[HTTPD_PEER_MAX];
    int one = 1;
    struct conn *c = NULL;

    if (set_nonblocking(fd) < 0) {
        close(fd);
        return;
    }
    if (!inet_ntop(AF_INET, &sa->sin_addr, peer, sizeof peer))
        strcpy(peer, "-");
    /* responses go out whole; Nagle would hold back a pipelined one */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (s->nconns < s->opt.max_conns || make_room(s))
        c = conn_new(s, fd, peer);
    if (!c) {
        refuse_connection(s, fd, peer);
        return;
    }
    s->conns[s->nconns++] = c;
}

static void accept_ready(struct server *s)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_in sa;
        socklen_t len = sizeof sa;
        int fd = accept(s->listen_fd, (struct sockaddr *)&sa, &len);
        if (fd >= 0) {
            admit(s, fd, &sa);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else if (errno != ECONNABORTED && errno != EINTR) {
            /* out of descriptors or buffers (EMFILE, ENOBUFS, a stack's
             * own limit): the listener stays readable, so polling it
             * again at once would spin */
            s->accept_paused = true;
            s->accept_resume_ms = s->now_ms + ACCEPT_RETRY_MS;
            return;
        }
    }
}

static int poll_timeout(const struct server *s)
{
    uint64_t next = refuse_next_deadline(s);
    if (s->accept_paused && s->accept_resume_ms < next)
        next = s->accept_resume_ms;
    for (int i = 0; i < s->nconns; i++) {
        if (s->conns[i]->pending)
            return 0;
        if (s->conns[i]->deadline_ms < next)
            next = s->conns[i]->deadline_ms;
    }
    if (next == UINT64_MAX)
        return -1;
    return next <= s->now_ms ? 0 : next - s->now_ms > INT_MAX ? INT_MAX
                                   : (int)(next - s->now_ms);
}

static void expire_deadlines(struct server *s)
{
    for (int i = 0; i < s->nconns; i++) {
        struct conn *c = s->conns[i];
        if (c->state != CONN_CLOSED && !c->pending && c->deadline_ms <= s->now_ms)
            conn_expire(s, c);
    }
    if (s->accept_paused && s->accept_resume_ms <= s->now_ms)
        s->accept_paused = false;
}

/* This round's pollfds: the listener (unless paused), then every
 * connection in conns[] order, then the refused sockets. */
struct round { int first, polled, refused, n; };

static struct round fill_pollfds(struct server *s)
{
    struct round r = { .first = s->accept_paused ? 0 : 1, .polled = s->nconns };

    if (r.first)
        s->pfds[r.n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
    for (int i = 0; i < r.polled; i++)
        s->pfds[r.n++] = (struct pollfd){ .fd = s->conns[i]->fd,
                                          .events = conn_poll_events(s->conns[i]) };
    r.refused = refuse_pollfds(s, s->pfds + r.n);
    r.n += r.refused;
    return r;
}

static void dispatch(struct server *s, const struct round *r)
{
    refuse_events(s, s->pfds + r->first + r->polled, r->refused);
    for (int i = 0; i < r->polled; i++) {
        struct conn *c = s->conns[i];
        short ev = s->pfds[r->first + i].revents;
        if (c->state != CONN_CLOSED && (ev || c->pending))
            conn_event(s, c, ev);
    }
    expire_deadlines(s);
    reap_closed(s);
    if (r->first && (s->pfds[0].revents & POLLIN))
        accept_ready(s);
}

static int serve_round(struct server *s)
{
    struct round r = fill_pollfds(s);

    s->now_ms = monotonic_ms();
    int n = poll(s->pfds, (nfds_t)r.n, poll_timeout(s));
    if (n < 0 && errno != EINTR) {
        perror("httpd: poll");
        return -1;
    }
    for (int i = 0; n <= 0 && i < r.n; i++)
        s->pfds[i].revents = 0;
    s->now_ms = monotonic_ms();
    log_update_dates(s);
    dispatch(s, &r);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    struct server *s = calloc(1, sizeof *s);

    if (!s)
        return 1;
    if (parse_options(argc, argv, &s->opt) < 0) {
        fprintf(stderr, "usage: %s [-a ADDR] [-p PORT] [-c MAX_CONNS] "
                "[-t SECONDS] [-q]\n", argv[0]);
        return 2;
    }
    s->conns = calloc((size_t)s->opt.max_conns, sizeof *s->conns);
    s->pfds = calloc((size_t)s->opt.max_conns + 1 + HTTPD_REFUSED_MAX,
                     sizeof *s->pfds);
    if (!s->conns || !s->pfds || open_listener(s) < 0)
        return 1;
    respond_init_pattern(s);
    setvbuf(stdout, NULL, _IOFBF, 16384);
    log_update_dates(s);
    printf("httpd: listening on %s:%d, %zu files, %d connections at most, "
           "timeout %d ms\n", s->opt.addr, s->port, www_file_count,
           s->opt.max_conns, s->opt.timeout_ms);
    fflush(stdout);
    while (serve_round(s) == 0)
        continue;
    return 1;
}

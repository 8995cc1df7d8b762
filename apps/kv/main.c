/*
 * kv's command line and its poll loop: the listener, stdin (-e) and every
 * connection (conn.c) in one poll; a connection whose turn ended on its
 * budget goes on without waiting; one idle past KV_IDLE_MS is closed.
 *
 *   kv [-a ADDR] [-p PORT] [-d DIR] [-e] [-q]
 *
 * Defaults: 0.0.0.0, port 80 (0 picks a free one), values in /kv (made
 * if missing), access log on.  -e: a line "quit" or the end of stdin
 * stops it cleanly (exit(0) unmounts the disk, docs/fs.md); without -e
 * stdin is not read (a run with stdin at /dev/null would stop at once).
 * The first line on stdout says where it listens:
 * "kv: listening on ADDR:PORT, values in DIR".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kv.h"

struct options {
    const char *addr, *dir;
    int port;
    bool stdin_stops, quiet;
};

static _Noreturn void usage(void)
{
    fprintf(stderr, "usage: kv [-a ADDR] [-p PORT] [-d DIR] [-e] [-q]\n");
    exit(2);
}

static void parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){ .addr = "0.0.0.0", .dir = "/kv", .port = 80 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;

        if (!strcmp(a, "-e"))
            o->stdin_stops = true;
        else if (!strcmp(a, "-q"))
            o->quiet = true;
        else if (!v)
            usage();
        else if (!strcmp(a, "-a"))
            o->addr = v, i++;
        else if (!strcmp(a, "-d"))
            o->dir = v, i++;
        else if (!strcmp(a, "-p")) {
            long p = strtol(v, &end, 10);
            if (*end || end == v || p < 0 || p > 65535)
                usage();
            o->port = (int)p;
            i++;
        } else
            usage();
    }
}

struct server {
    int lfd;
    bool quiet;
    int nconns;
    struct conn *conns[KV_CONNS_MAX];
    struct pollfd pfds[KV_CONNS_MAX + 2];
};

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);

    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int listen_on(const struct options *o, int *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
    socklen_t len = sizeof(sa);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16) ||
        set_nonblocking(fd) || getsockname(fd, (struct sockaddr *)&sa, &len))
        return -1;
    *port = ntohs(sa.sin_port);
    return fd;
}

/* -e: stdin says stop ("quit" or its end)? */
static bool stdin_says_stop(void)
{
    char line[64];
    ssize_t n = read(0, line, sizeof(line) - 1);

    if (n <= 0)
        return true;
    line[n] = 0;
    return strstr(line, "quit") != NULL;
}

static void accept_ready(struct server *s)
{
    while (s->nconns < KV_CONNS_MAX) {
        int fd = accept(s->lfd, NULL, NULL);
        struct conn *c;

        if (fd < 0)
            return;
        if (set_nonblocking(fd) || !(c = conn_new(fd, s->quiet)))
            close(fd);
        else
            s->conns[s->nconns++] = c;
    }
}

/* Until the earliest deadline; 0 if a connection has work left. */
static int poll_timeout(const struct server *s)
{
    uint64_t now = kv_now_ms(), first = UINT64_MAX;

    for (int i = 0; i < s->nconns; i++) {
        uint64_t d = conn_deadline_ms(s->conns[i]);

        if (conn_pending(s->conns[i]))
            return 0;
        first = d < first ? d : first;
    }
    if (first == UINT64_MAX)
        return -1;
    return first <= now ? 0 : first - now > INT_MAX ? INT_MAX : (int)(first - now);
}

/* Each connection's turn; the finished ones and the idle ones go. */
static void run_conns(struct server *s, const struct pollfd *p)
{
    uint64_t now = kv_now_ms();
    int kept = 0;

    for (int i = 0; i < s->nconns; i++) {
        struct conn *c = s->conns[i];
        bool alive = p[i].revents || conn_pending(c) ? conn_run(c)
                                                     : now < conn_deadline_ms(c);

        if (alive)
            s->conns[kept++] = c;
        else
            conn_free(c);
    }
    s->nconns = kept;
}

/* One poll and what it found; false: stdin says stop. */
static bool serve_round(struct server *s, bool stdin_stops)
{
    int n = 0, listener = -1, in = -1;

    if (s->nconns < KV_CONNS_MAX) {  /* else the backlog holds new ones */
        listener = n;
        s->pfds[n++] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
    }
    if (stdin_stops) {
        in = n;
        s->pfds[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
    }
    for (int i = 0; i < s->nconns; i++)
        s->pfds[n + i] = conn_pollfd(s->conns[i]);
    if (poll(s->pfds, (nfds_t)(n + s->nconns), poll_timeout(s)) < 0)
        return errno == EINTR;
    if (in >= 0 && s->pfds[in].revents && stdin_says_stop())
        return false;
    run_conns(s, s->pfds + n);
    if (listener >= 0 && (s->pfds[listener].revents & POLLIN))
        accept_ready(s);
    fflush(stdout);
    return true;
}

int main(int argc, char **argv)
{
    static struct server s;
    struct options o;
    int port, lfd, rc;

    parse_args(argc, argv, &o);
    if ((rc = store_open(o.dir))) {
        fprintf(stderr, "kv: %s: %s\n", o.dir, strerror(-rc));
        return 1;
    }
    if ((lfd = listen_on(&o, &port)) < 0) {
        fprintf(stderr, "kv: %s:%d: %s\n", o.addr, o.port, strerror(errno));
        return 1;
    }
    printf("kv: listening on %s:%d, values in %s\n", o.addr, port, o.dir);
    fflush(stdout);
    s.lfd = lfd;
    s.quiet = o.quiet;
    while (serve_round(&s, o.stdin_stops))
        ;
    printf("kv: stopped\n");
    close(lfd);
    return 0;
}

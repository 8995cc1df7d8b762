/*
 * kv's command line and its accept loop.
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

static int listen_on(const struct options *o, int *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
    socklen_t len = sizeof(sa);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16) ||
        getsockname(fd, (struct sockaddr *)&sa, &len))
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

int main(int argc, char **argv)
{
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
    for (;;) {
        struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };

        if (poll(p, o.stdin_stops ? 2 : 1, -1) < 0 && errno != EINTR)
            return 1;
        if (o.stdin_stops && p[1].revents && stdin_says_stop())
            break;
        if (p[0].revents & POLLIN) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                conn_serve(fd, o.quiet);
                close(fd);
            }
            fflush(stdout);
        }
    }
    printf("kv: stopped\n");
    close(lfd);
    return 0;
}

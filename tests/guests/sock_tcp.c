/*
 * TCP over the loopback, written as a Linux program (no Keel header;
 * built unchanged with bin/mkimage, tests/integration/test_sockets.py):
 * one thread, one poll() loop serving a non-blocking listening socket,
 * the connection it accepts (an echo, through read and write) and a
 * non-blocking client (connect EINPROGRESS, send and recv) that streams
 * STREAM_BYTES and checks the echo by digest.  Also accept and recv with
 * nothing there (EAGAIN), getsockname/getpeername on both ends,
 * TCP_NODELAY, SO_ERROR after connecting, shutdown(SHUT_WR) and end of
 * stream.  One line per step; the last is "sock_tcp: ok".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "stream_digest.h"

#define STREAM_BYTES (1024 * 1024)
#define CHUNK        8192
#define LOOP_SECONDS 60

static void fail(const char *what)
{
    printf("sock_tcp: FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
    exit(1);
}

#define CHECK(cond, what) do { if (!(cond)) fail(what); } while (0)

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);

    CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0, "fcntl O_NONBLOCK");
    CHECK(fcntl(fd, F_GETFL, 0) & O_NONBLOCK, "F_GETFL shows O_NONBLOCK");
}

static struct sockaddr_in name_of(int fd, int peer)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int rc = peer ? getpeername(fd, (struct sockaddr *)&a, &len)
                  : getsockname(fd, (struct sockaddr *)&a, &len);

    CHECK(rc == 0 && len == sizeof(a) && a.sin_family == AF_INET, "getsockname/getpeername");
    return a;
}

static int same(struct sockaddr_in a, struct sockaddr_in b)
{
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

static int listener(struct sockaddr_in *where)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    CHECK(fd >= 0, "socket");
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(0);                      /* any free port */
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
    CHECK(listen(fd, 4) == 0, "listen");
    *where = name_of(fd, 0);
    CHECK(where->sin_port != 0, "bound to a port");
    set_nonblocking(fd);
    CHECK(accept(fd, NULL, NULL) < 0 && errno == EAGAIN, "accept with none waiting is EAGAIN");
    printf("listening on %s:%u, accept EAGAIN ok\n", inet_ntoa(where->sin_addr),
           ntohs(where->sin_port));
    return fd;
}

static int client(struct sockaddr_in to)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, got = 0;
    socklen_t len = sizeof(got);

    CHECK(fd >= 0, "client socket");
    CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "TCP_NODELAY");
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &got, &len) == 0 && got, "TCP_NODELAY reads back");
    set_nonblocking(fd);
    CHECK(connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno == EINPROGRESS,
          "non-blocking connect is EINPROGRESS");
    printf("connect EINPROGRESS ok\n");
    return fd;
}

/* The echo's server end: what it read and has not written back yet. */
struct echo {
    int fd;
    uint8_t buf[CHUNK];
    size_t have, off;
    int eof, done;             /* end of stream read; our side shut too */
    uint64_t digest;
    size_t bytes;
};

static void serve(struct echo *e, short revents)
{
    if ((revents & POLLIN) && e->have == 0 && !e->eof) {
        ssize_t n = read(e->fd, e->buf, sizeof(e->buf));
        CHECK(n >= 0 || errno == EAGAIN, "server read");
        if (n == 0)
            e->eof = 1;
        if (n > 0) {
            e->digest = fnv1a(e->digest, e->buf, (size_t)n);
            e->bytes += (size_t)n;
            e->have = (size_t)n;
            e->off = 0;
        }
    }
    if (e->have) {
        ssize_t n = write(e->fd, e->buf + e->off, e->have);
        CHECK(n > 0 || errno == EAGAIN, "server write");
        if (n > 0) {
            e->off += (size_t)n;
            e->have -= (size_t)n;
        }
    }
}

/* The client end: sends the pattern, digests the echo. */
struct stream {
    int fd;
    int connected;
    size_t sent, received;
    uint64_t sent_digest, recv_digest;
};

static void connected(struct stream *c, struct sockaddr_in server)
{
    int err = -1;
    socklen_t len = sizeof(err);
    uint8_t b;

    CHECK(getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
          "SO_ERROR is 0 once connected");
    CHECK(same(name_of(c->fd, 1), server), "client's peer is the listener");
    CHECK(recv(c->fd, &b, 1, 0) < 0 && errno == EAGAIN, "recv with nothing there is EAGAIN");
    c->connected = 1;
    printf("connected, SO_ERROR 0, recv EAGAIN ok\n");
}

static void client_io(struct stream *c, short revents)
{
    uint8_t buf[CHUNK];

    if ((revents & POLLOUT) && c->sent < STREAM_BYTES) {
        size_t n = STREAM_BYTES - c->sent < CHUNK ? STREAM_BYTES - c->sent : CHUNK;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern((uint32_t)(c->sent + i));
        ssize_t w = send(c->fd, buf, n, 0);
        CHECK(w > 0 || errno == EAGAIN, "client send");
        if (w > 0) {
            c->sent_digest = fnv1a(c->sent_digest, buf, (size_t)w);
            c->sent += (size_t)w;
            if (c->sent == STREAM_BYTES)
                CHECK(shutdown(c->fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
        }
    }
    if (revents & POLLIN) {
        ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
        CHECK(r > 0 || (r < 0 && errno == EAGAIN), "client recv (no early end of stream)");
        if (r > 0) {
            c->recv_digest = fnv1a(c->recv_digest, buf, (size_t)r);
            c->received += (size_t)r;
        }
    }
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    struct sockaddr_in where;
    int lfd = listener(&where);
    struct stream c = { .fd = client(where), .sent_digest = FNV_INIT, .recv_digest = FNV_INIT };
    struct echo e = { .fd = -1, .digest = FNV_INIT };
    double start = now();

    while (c.received < STREAM_BYTES) {
        struct pollfd p[3] = {
            { lfd, POLLIN, 0 },
            { c.fd, (short)(c.connected ? POLLIN : 0) |
                    (!c.connected || c.sent < STREAM_BYTES ? POLLOUT : 0), 0 },
            { e.done ? -1 : e.fd, (short)(POLLIN | (e.have ? POLLOUT : 0)), 0 },
        };
        CHECK(now() - start < LOOP_SECONDS, "the stream ends in time");
        CHECK(poll(p, 3, 5000) > 0, "poll finds something within 5 s");
        CHECK(!(p[1].revents & POLLERR) && !(p[2].revents & POLLERR), "no POLLERR");
        if (p[0].revents & POLLIN) {
            CHECK(e.fd < 0, "one connection only");
            CHECK((e.fd = accept(lfd, NULL, NULL)) >= 0, "accept");
            set_nonblocking(e.fd);
            CHECK(same(name_of(e.fd, 0), where), "accepted socket's name is the listener's");
            printf("accepted\n");
        }
        if (!c.connected && (p[1].revents & POLLOUT)) {
            connected(&c, where);
            CHECK(e.fd < 0 || same(name_of(e.fd, 1), name_of(c.fd, 0)),
                  "server's peer is the client");
        }
        else if (c.connected)
            client_io(&c, p[1].revents);
        if (e.fd >= 0 && !e.done) {
            serve(&e, p[2].revents);
            if (e.eof && !e.have) {
                CHECK(shutdown(e.fd, SHUT_WR) == 0, "server shutdown(SHUT_WR)");
                e.done = 1;
            }
        }
    }
    printf("echo of %d bytes: sent %016llx echoed %016llx received %016llx\n", STREAM_BYTES,
           (unsigned long long)c.sent_digest, (unsigned long long)e.digest,
           (unsigned long long)c.recv_digest);
    CHECK(e.bytes == STREAM_BYTES && c.sent_digest == e.digest && e.digest == c.recv_digest,
          "digests agree");
    CHECK(close(e.fd) == 0 && close(c.fd) == 0 && close(lfd) == 0, "close");
    printf("sock_tcp: ok\n");
    return 0;
}

/*
 * Sockets beside the TCP stream, written as a Linux program (no Keel
 * header; built unchanged with bin/mkimage, test_sockets.py): UDP
 * sendto/recvfrom (addresses, datagram boundaries, connected UDP,
 * FIONREAD), SO_RCVTIMEO timing out, name resolution without DNS
 * (getaddrinfo numeric, localhost, the guest's own name, EAI_NONAME,
 * gethostbyname, getnameinfo), and the error paths: EBADF on a closed
 * descriptor, ENOTSOCK on the console's, EAFNOSUPPORT, ECONNREFUSED
 * (blocking, and through poll and SO_ERROR), a loop spinning on
 * non-blocking calls (it must not starve lwIP), EADDRINUSE without
 * SO_REUSEADDR (a port in use, and one whose last connection is in
 * TIME-WAIT, which SO_REUSEADDR then frees).  One line per step; the last
 * is "sock_misc: ok".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <keel/net.h>
#include <libos/device.h>

#define RCVTIMEO_MS 200

static void fail(const char *what)
{
    printf("sock_misc: FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
    exit(1);
}

#define CHECK(cond, what) do { if (!(cond)) fail(what); } while (0)

static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static struct sockaddr_in name_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0, "getsockname");
    return a;
}

static int udp_bound(void)
{
    struct sockaddr_in a = loopback(0);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "udp socket and bind");
    return fd;
}

static void udp(void)
{
    int a = udp_bound(), b = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP), avail = -1;
    struct sockaddr_in to = name_of(a), from;
    socklen_t len = sizeof(from);
    static const size_t sizes[] = { 1, 100, 1400 };
    char buf[2048];

    CHECK(b >= 0, "udp socket");
    CHECK(sendto(b, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)) == 5, "sendto");
    CHECK(recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 5 &&
          memcmp(buf, "hello", 5) == 0, "recvfrom");
    CHECK(len == sizeof(from) && from.sin_port == name_of(b).sin_port &&
          from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "recvfrom's address is the sender's");
    CHECK(sendto(a, "back", 4, 0, (struct sockaddr *)&from, len) == 4 &&
          recv(b, buf, sizeof(buf), 0) == 4 && memcmp(buf, "back", 4) == 0, "reply to sender");
    CHECK(connect(b, (struct sockaddr *)&to, sizeof(to)) == 0, "connect udp");
    for (int i = 0; i < 3; i++) {
        memset(buf, 'a' + i, sizes[i]);
        CHECK(send(b, buf, sizes[i], 0) == (ssize_t)sizes[i], "send on connected udp");
    }
    for (int i = 0; i < 3; i++) {
        if (i == 0) {
            struct pollfd p = { a, POLLIN, 0 };
            CHECK(poll(&p, 1, 5000) == 1 && p.revents == POLLIN, "poll udp");
            CHECK(ioctl(a, FIONREAD, &avail) == 0 && avail == 1, "FIONREAD is the next datagram");
        }
        CHECK(read(a, buf, sizeof(buf)) == (ssize_t)sizes[i] && buf[0] == 'a' + i,
              "datagram boundaries kept");
    }
    printf("udp sendto/recvfrom, connected udp, boundaries ok\n");
    close(b);
    close(a);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void rcvtimeo(void)
{
    int fd = udp_bound();
    struct timeval tv = { 0, RCVTIMEO_MS * 1000 }, back;
    socklen_t len = sizeof(back);
    char b;
    double t0, waited;

    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
    CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &back, &len) == 0 &&
          back.tv_sec == 0 && back.tv_usec == RCVTIMEO_MS * 1000, "SO_RCVTIMEO reads back");
    t0 = now_ms();
    CHECK(recv(fd, &b, 1, 0) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "recv times out with EAGAIN");
    waited = now_ms() - t0;
    CHECK(waited >= RCVTIMEO_MS - 1 && waited < RCVTIMEO_MS + 2000, "timeout's length");
    printf("SO_RCVTIMEO %d ms: recv gave up after %.0f ms ok\n", RCVTIMEO_MS, waited);
    close(fd);
}

static void resolve_one(const char *node, const char *service, int flags,
                        const char *want_addr, int want_port)
{
    struct addrinfo hints, *res;
    char text[INET_ADDRSTRLEN];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags;
    rc = getaddrinfo(node, service, &hints, &res);
    if (rc != 0)
        printf("getaddrinfo(%s): %s\n", node ? node : "NULL", gai_strerror(rc));
    CHECK(rc == 0 && res && res->ai_family == AF_INET && res->ai_socktype == SOCK_STREAM &&
          res->ai_protocol == IPPROTO_TCP && res->ai_addrlen == sizeof(struct sockaddr_in),
          "getaddrinfo answers");
    struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
    CHECK(inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)) &&
          strcmp(text, want_addr) == 0 && ntohs(sin->sin_port) == want_port,
          "getaddrinfo's address and port");
    freeaddrinfo(res);
}

/* What the guest's own name resolves to: its NIC's address (a program
 * that uses sockets gets one), 127.0.0.1 without one. */
static const char *own_address(void)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_NET, NULL);
    static char text[16] = "127.0.0.1";
    struct keel_net_settings s;

    if (d) {
        memcpy(&s, d->settings, sizeof(s));
        inet_ntop(AF_INET, &s.ipv4_addr, text, sizeof(text));
    }
    return text;
}

static void names(const char *me)
{
    struct addrinfo *res;
    struct hostent *h;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    struct sockaddr_in lo = loopback(8080);

    resolve_one("localhost", "80", 0, "127.0.0.1", 80);
    resolve_one("10.1.2.3", "http", AI_NUMERICHOST, "10.1.2.3", 80);
    resolve_one(NULL, "7000", AI_PASSIVE, "0.0.0.0", 7000);
    resolve_one(NULL, "7000", 0, "127.0.0.1", 7000);
    resolve_one(me, "1", 0, own_address(), 1);
    CHECK(getaddrinfo("no-such-host", "80", NULL, &res) == EAI_NONAME, "unknown name is EAI_NONAME");
    CHECK(getaddrinfo("localhost", "80", &(struct addrinfo){ .ai_flags = AI_NUMERICHOST }, &res)
          == EAI_NONAME, "AI_NUMERICHOST refuses a name");
    CHECK(getaddrinfo("localhost", "no-such-service", NULL, &res) == EAI_SERVICE,
          "unknown service is EAI_SERVICE");
    CHECK(strlen(gai_strerror(EAI_NONAME)) > 0, "gai_strerror");
    CHECK((h = gethostbyname("localhost")) && h->h_addrtype == AF_INET &&
          ((struct in_addr *)h->h_addr)->s_addr == htonl(INADDR_LOOPBACK), "gethostbyname");
    CHECK(!gethostbyname("no-such-host") && h_errno == HOST_NOT_FOUND, "gethostbyname fails");
    CHECK(getnameinfo((struct sockaddr *)&lo, sizeof(lo), host, sizeof(host), serv, sizeof(serv),
                      0) == 0 && strcmp(host, "localhost") == 0 && strcmp(serv, "8080") == 0,
          "getnameinfo");
    printf("names: localhost, numeric, passive, own name '%s', EAI_NONAME ok\n", me);
}

static void errors(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct stat st;
    char b = 0;

    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode), "fstat says socket");
    CHECK(!isatty(fd) && errno == ENOTTY, "a socket is no tty");
    CHECK(close(fd) == 0, "close");
    CHECK(send(fd, &b, 1, 0) < 0 && errno == EBADF, "send on a closed descriptor is EBADF");
    CHECK(close(fd) < 0 && errno == EBADF, "close twice is EBADF");
    CHECK(send(1, &b, 1, 0) < 0 && errno == ENOTSOCK, "send on stdout is ENOTSOCK");
    CHECK(setsockopt(0, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 && errno == ENOTSOCK,
          "setsockopt on stdin is ENOTSOCK");
    CHECK(socket(AF_INET6, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT, "no IPv6");
    printf("EBADF, ENOTSOCK, EAFNOSUPPORT ok\n");
}

static int tcp_on(unsigned short port, int reuse, int *err)
{
    struct sockaddr_in a = loopback(port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    CHECK(fd >= 0, "socket");
    if (reuse)
        CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) == 0, "reuse");
    *err = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : errno;
    return fd;
}

/* A connection whose server end closes first leaves the port in TIME-WAIT. */
static void time_wait(int lfd)
{
    struct sockaddr_in to = name_of(lfd);
    int c = socket(AF_INET, SOCK_STREAM, 0), s;
    char b;

    CHECK(listen(lfd, 1) == 0 && connect(c, (struct sockaddr *)&to, sizeof(to)) == 0,
          "connect");
    CHECK((s = accept(lfd, NULL, NULL)) >= 0, "accept");
    CHECK(close(s) == 0 && read(c, &b, 1) == 0, "server closes first, client sees the end");
    close(c);
    close(lfd);
}

/* A port nobody listens on: a blocking connect is refused at once, a
 * non-blocking one reports it through poll and SO_ERROR. */
static void refused(void)
{
    int err, l = tcp_on(0, 0, &err), fd, fl;
    struct sockaddr_in to = name_of(l);
    struct pollfd p;
    socklen_t len = sizeof(err);

    close(l);                                  /* bound once, now closed */
    CHECK((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0, "socket");
    CHECK(connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno == ECONNREFUSED,
          "blocking connect to a closed port is ECONNREFUSED");
    close(fd);
    CHECK((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0 && (fl = fcntl(fd, F_GETFL)) >= 0 &&
          fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0, "non-blocking socket");
    CHECK(connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno == EINPROGRESS,
          "non-blocking connect is EINPROGRESS");
    p = (struct pollfd){ fd, POLLOUT, 0 };
    CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR), "poll reports the failure");
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED,
          "SO_ERROR is ECONNREFUSED");
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
          "reading SO_ERROR cleared it");
    close(fd);
    printf("ECONNREFUSED, blocking and not ok\n");
}

/* A loop that retries non-blocking calls until they work, never sleeping:
 * on Linux the kernel moves the packets meanwhile; here lwIP's thread
 * must get its turn from the failing calls themselves. */
static void spin(void)
{
    int err, l = tcp_on(0, 0, &err), c = socket(AF_INET, SOCK_STREAM, 0), s = -1;
    struct sockaddr_in to = name_of(l);
    long tries = 0;
    char b = 0;

    CHECK(err == 0 && listen(l, 1) == 0 && c >= 0, "listen");
    CHECK(fcntl(l, F_SETFL, O_NONBLOCK) == 0 && fcntl(c, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
    while (connect(c, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EISCONN)
        CHECK((errno == EINPROGRESS || errno == EALREADY) && ++tries < 100000, "connect spin");
    while ((s = accept(l, NULL, NULL)) < 0)
        CHECK(errno == EAGAIN && ++tries < 200000, "accept spin");
    CHECK(send(c, "x", 1, 0) == 1, "send");
    while (recv(s, &b, 1, MSG_DONTWAIT) < 0)
        CHECK(errno == EAGAIN && ++tries < 300000, "recv spin");
    CHECK(b == 'x', "the byte");
    close(s);
    close(c);
    close(l);
    printf("spinning on EINPROGRESS/EAGAIN lets the stack move ok\n");
}

static void addr_in_use(void)
{
    int err, a = tcp_on(0, 1, &err), port = ntohs(name_of(a).sin_port), b, c;

    CHECK(err == 0, "first bind");
    b = tcp_on((unsigned short)port, 0, &err);
    CHECK(err == EADDRINUSE, "second bind to a port in use is EADDRINUSE");
    close(b);
    time_wait(a);
    b = tcp_on((unsigned short)port, 0, &err);
    CHECK(err == EADDRINUSE, "a port in TIME-WAIT without SO_REUSEADDR is EADDRINUSE");
    c = tcp_on((unsigned short)port, 1, &err);
    CHECK(err == 0, "with SO_REUSEADDR it binds");
    close(b);
    close(c);
    printf("EADDRINUSE, TIME-WAIT and SO_REUSEADDR ok\n");
}

int main(int argc, char **argv)
{
    (void)argc;
    udp();
    rcvtimeo();
    names(argv[0]);
    errors();
    refused();
    spin();
    addr_in_use();
    printf("sock_misc: ok\n");
    return 0;
}

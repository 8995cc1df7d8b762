/*
 * A guest on the run's network (docs/net.md), through lwIP's sockets on
 * netfront.  Every guest of a run gets the same arguments, so the role is
 * the guest's name (its image's file name: copy net_peer.img to
 * tcp_server.img ...; `keel run` makes copies unique as NAME-2 ...) and
 * the arguments are key=value pairs each role picks from:
 *
 *   tcp_server   port= bytes=   accept one connection, echo it back,
 *                               then wait for one UDP datagram on port
 *   tcp_client   ip= port= bytes=   connect (retrying until the server
 *                               listens), stream bytes of a pattern while
 *                               reading the echo, compare digests, then
 *                               send the server a UDP datagram
 *   tcp_host     host= hport=   connect to a server outside the machine,
 *                               send a line, print the line it answers
 *   udp_send     ip= port=      send a datagram until the collector
 *                               acknowledges it (once a second, 200 tries)
 *   udp_collect  port= n= secs= count datagrams from n different senders,
 *                               acknowledging each one (and, for 3 s
 *                               after the last, the resends of those
 *                               whose acknowledgement was lost)
 *   udp_ping     ip= port= n=   send n datagrams, one at a time, each
 *                               answered by its copy (a reflector);
 *                               resent each second until it is, late
 *                               copies of earlier ones skipped
 *   udp_echo     [port=7]       answer every datagram with its copy, and
 *                               say whom; runs until the run ends (other
 *                               guests' arguments are ignored: any may
 *                               share the run)
 *   names        peer= nonic=   the run's names (docs/net.md, "Names"):
 *                               peer (a guest with a NIC, second on the
 *                               command line) and `host` resolve, both
 *                               ways; nonic (a guest without) and unknown
 *                               names are EAI_NONAME
 *   hosts_write                 write into the hosts table: must fault
 *
 * ip= and host= are addresses or names of the run (getaddrinfo).
 *
 * Each role prints "net_peer: <role> ok ..." at the end, or
 * "net_peer: FAIL ..." and exits 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#include <libos/start.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <netfront/netif.h>
#include <netfront/raw.h>

#define MS        1000000ull
#define CHUNK_MAX 4096
#define FNV_INIT  0xcbf29ce484222325ull

static _Noreturn void fail(const char *what)
{
    printf("net_peer: FAIL %s (errno %d)\n", what, errno);
    exit(1);
}

#define CHECK(cond, what) do { if (!(cond)) fail(what); } while (0)

static uint64_t now_ms(void) { return libos_monotonic_ns() / MS; }

static uint8_t pattern(uint32_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

/* An address or a name of the run, as getaddrinfo finds it. */
static uint32_t resolve(const char *name)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *res;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    uint32_t a;

    if (rc) {
        printf("net_peer: FAIL resolving %s: %s\n", name, gai_strerror(rc));
        exit(1);
    }
    a = ((const struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
    freeaddrinfo(res);
    return a;
}

static struct sockaddr_in addr(const char *ip, uint16_t port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons(port);
    a.sin_addr.s_addr = ip ? resolve(ip) : lwip_htonl(INADDR_ANY);
    return a;
}

static volatile int tcpip_up;

static void on_tcpip(void *arg) { (void)arg; tcpip_up = 1; }

static int is_up(void *arg) { (void)arg; return tcpip_up; }

/* lwIP, and the NIC in it. */
static void bring_up(void)
{
    uint64_t t0 = now_ms();

    tcpip_init(on_tcpip, NULL);
    libos_thread_wait(is_up, NULL, libos_monotonic_ns() + 5000 * MS);
    CHECK(tcpip_up, "tcpip_init");
    CHECK(netfront_lwip_wait_up(libos_monotonic_ns() + 5000 * MS) == 0, "NIC up");
    printf("net_peer: up in %llu ms\n", (unsigned long long)(now_ms() - t0));
}

/* msg to ip:port until an answer comes (one try a second, 200 at most):
 * a guest that ends at once could leave its frame in the ring unsent. */
static void udp_send(const char *ip, uint16_t port, const char *msg)
{
    struct sockaddr_in a = addr(ip, port);
    struct timeval tv = { 1, 0 };
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0), tries = 0;
    char buf[16];

    CHECK(s >= 0, "socket (udp)");
    lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    do
        CHECK(lwip_sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a)) > 0,
              "sendto");
    while (lwip_recv(s, buf, sizeof(buf), 0) <= 0 && ++tries < 200);
    CHECK(tries < 200, "no acknowledgement");
    lwip_close(s);
}

/* n datagrams' worth of distinct senders, or the deadline. */
static unsigned udp_collect(uint16_t port, unsigned n, unsigned seconds, const char *expect)
{
    struct sockaddr_in a = addr(NULL, port), from;
    struct timeval tv = { 0, 200 * 1000 };
    static uint32_t seen[4096];
    unsigned got = 0;
    uint64_t end = now_ms() + seconds * 1000ull;
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    char buf[128];

    CHECK(s >= 0 && lwip_bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind (udp)");
    lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (got < n && got < 4096 && now_ms() < end) {
        socklen_t flen = sizeof(from);
        ssize_t r = lwip_recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
        unsigned k;
        if (r <= 0)
            continue;
        buf[r] = 0;
        if (expect && strcmp(buf, expect))
            continue;
        lwip_sendto(s, "ack", 3, 0, (struct sockaddr *)&from, flen);
        for (k = 0; k < got && seen[k] != from.sin_addr.s_addr; k++)
            ;
        if (k == got)
            seen[got++] = from.sin_addr.s_addr;
    }
    for (end = now_ms() + 3000; now_ms() < end;) {
        socklen_t flen = sizeof(from);
        if (lwip_recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen) > 0)
            lwip_sendto(s, "ack", 3, 0, (struct sockaddr *)&from, flen);
    }
    lwip_close(s);
    return got;
}

/* A late answer to an earlier ping ("ping j", j < i): the copy of a
 * datagram we resent because its first answer took over a second (a
 * loaded machine); the first copy was taken, this one is skipped. */
static bool earlier_ping(const char *buf, ssize_t r, unsigned i)
{
    char msg[32];

    for (unsigned j = 0; j < i; j++)
        if (r == snprintf(msg, sizeof(msg), "ping %u", j) && !memcmp(buf, msg, (size_t)r))
            return true;
    return false;
}

static void send_ping(int s, const struct sockaddr_in *a, const char *msg, int len)
{
    CHECK(lwip_sendto(s, msg, (size_t)len, 0, (const struct sockaddr *)a, sizeof(*a)) == len,
          "sendto");
}

/* n pings, each resent every second (20 tries) until its own copy comes
 * back; copies of earlier pings are skipped, anything else fails. */
static void udp_ping(const char *ip, uint16_t port, unsigned n)
{
    struct sockaddr_in a = addr(ip, port);
    struct timeval tv = { 1, 0 };
    char msg[32], buf[64];
    unsigned resent = 0, stale = 0;
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);

    CHECK(s >= 0, "socket (udp)");
    lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (unsigned i = 0; i < n; i++) {
        int len = snprintf(msg, sizeof(msg), "ping %u", i), tries = 0;
        ssize_t r;
        send_ping(s, &a, msg, len);
        while ((r = lwip_recv(s, buf, sizeof(buf), 0)) < 0 || earlier_ping(buf, r, i)) {
            if (r >= 0) {
                stale++;
            } else if (++tries == 20) {
                fail("no reflected datagram");
            } else {
                send_ping(s, &a, msg, len);
                resent++;
            }
        }
        CHECK(r == len && !memcmp(buf, msg, (size_t)len), "reflected datagram");
    }
    lwip_close(s);
    printf("net_peer: %u pings, %u resent, %u late copies skipped\n", n, resent, stale);
}

static _Noreturn void udp_echo(uint16_t port)
{
    struct sockaddr_in a = addr(NULL, port), from;
    static char buf[2048];
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);

    CHECK(s >= 0 && lwip_bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind (udp)");
    printf("net_peer: udp_echo on port %u\n", port);
    fflush(stdout);
    for (;;) {
        socklen_t flen = sizeof(from);
        ssize_t r = lwip_recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
        if (r < 0)
            continue;
        lwip_sendto(s, buf, (size_t)r, 0, (struct sockaddr *)&from, flen);
        printf("net_peer: echoed %zd bytes to %s\n", r, ipaddr_ntoa(&(ip_addr_t)
               IPADDR4_INIT(from.sin_addr.s_addr)));
        fflush(stdout);
    }
}

static int connect_retry(const char *ip, uint16_t port)
{
    struct sockaddr_in a = addr(ip, port);
    uint64_t end = now_ms() + 20000;

    for (;;) {
        int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
        CHECK(s >= 0, "socket (tcp)");
        if (lwip_connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
            return s;
        lwip_close(s);
        CHECK(now_ms() < end, "connect");
        libos_sleep_until(libos_monotonic_ns() + 100 * MS);
    }
}

static void tcp_server(uint16_t port, uint32_t bytes)
{
    struct sockaddr_in a = addr(NULL, port);
    static uint8_t buf[CHUNK_MAX];
    uint64_t digest = FNV_INIT;
    uint32_t total = 0;
    int ls = lwip_socket(AF_INET, SOCK_STREAM, 0), s;
    ssize_t n, w;

    CHECK(ls >= 0 && lwip_bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0, "bind (tcp)");
    CHECK(lwip_listen(ls, 2) == 0, "listen");
    CHECK((s = lwip_accept(ls, NULL, NULL)) >= 0, "accept");
    while ((n = lwip_recv(s, buf, sizeof(buf), 0)) > 0) {
        digest = fnv1a(digest, buf, (size_t)n);
        total += (uint32_t)n;
        for (ssize_t off = 0; off < n; off += w)
            CHECK((w = lwip_send(s, buf + off, (size_t)(n - off), 0)) > 0, "send (echo)");
    }
    lwip_close(s);
    lwip_close(ls);
    CHECK(total == bytes, "echoed byte count");
    printf("net_peer: echoed %u bytes, digest %016llx\n", total, (unsigned long long)digest);
    CHECK(udp_collect(port, 1, 20, "keel datagram") == 1, "udp datagram");
    printf("net_peer: tcp_server ok\n");
}

static void stream(int s, uint32_t bytes)
{
    static uint8_t sbuf[CHUNK_MAX], rbuf[CHUNK_MAX];
    uint64_t want = FNV_INIT, got = FNV_INIT, t0 = now_ms();
    uint32_t sent = 0, received = 0;

    CHECK(lwip_fcntl(s, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
    while (received < bytes) {
        struct pollfd p = { s, POLLIN | (sent < bytes ? POLLOUT : 0), 0 };
        CHECK(lwip_poll(&p, 1, 10000) == 1, "poll (stream)");
        if (p.revents & POLLOUT) {
            uint32_t len = bytes - sent < CHUNK_MAX ? bytes - sent : CHUNK_MAX;
            for (uint32_t i = 0; i < len; i++)
                sbuf[i] = pattern(sent + i);
            ssize_t w = lwip_send(s, sbuf, len, 0);
            CHECK(w > 0 || errno == EWOULDBLOCK, "send (stream)");
            if (w > 0) {
                want = fnv1a(want, sbuf, (size_t)w);
                sent += (uint32_t)w;
            }
        }
        if (p.revents & POLLIN) {
            ssize_t r = lwip_recv(s, rbuf, sizeof(rbuf), 0);
            CHECK(r > 0 || (r < 0 && errno == EWOULDBLOCK), "recv (stream)");
            if (r > 0) {
                got = fnv1a(got, rbuf, (size_t)r);
                received += (uint32_t)r;
            }
        }
    }
    CHECK(got == want, "echo digest");
    printf("net_peer: tcp echo %u bytes in %llu ms, digest %016llx ok\n", received,
           (unsigned long long)(now_ms() - t0), (unsigned long long)got);
}

static void tcp_client(const char *ip, uint16_t port, uint32_t bytes)
{
    int s = connect_retry(ip, port);

    stream(s, bytes);
    CHECK(lwip_close(s) == 0, "close");
    udp_send(ip, port, "keel datagram");
    printf("net_peer: tcp_client ok\n");
}

static void tcp_host(const char *ip, uint16_t port)
{
    static const char line[] = "hello from a keel guest\n";
    char buf[256];
    size_t have = 0;
    int s = connect_retry(ip, port);
    ssize_t r;

    CHECK(lwip_send(s, line, sizeof(line) - 1, 0) == (ssize_t)sizeof(line) - 1, "send");
    while (have < sizeof(buf) - 1 && (r = lwip_recv(s, buf + have, sizeof(buf) - 1 - have, 0)) > 0)
        if (memchr(buf + (have += (size_t)r) - r, '\n', (size_t)r))
            break;
    buf[have] = 0;
    lwip_close(s);
    CHECK(have > 0, "reply");
    printf("net_peer: host said: %s", buf);
    printf("net_peer: tcp_host ok\n");
}

/* value of key= among the arguments, or NULL */
static const char *arg(int argc, char **argv, const char *key)
{
    size_t n = strlen(key);

    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
            return argv[i] + n + 1;
    return NULL;
}

static const char *need(int argc, char **argv, const char *key)
{
    const char *v = arg(argc, argv, key);

    if (!v) {
        printf("net_peer: FAIL no %s= argument\n", key);
        exit(1);
    }
    return v;
}

#define NUM(key) strtoul(need(argc, argv, key), NULL, 0)

int main(int argc, char **argv)
{
    char role[32];

    snprintf(role, sizeof(role), "%s", argc ? argv[0] : "");
    role[strcspn(role, "-")] = 0;          /* udp_send-7: udp_send */
    bring_up();
    if (!strcmp(role, "tcp_server"))
        tcp_server((uint16_t)NUM("port"), (uint32_t)NUM("bytes"));
    else if (!strcmp(role, "tcp_client"))
        tcp_client(need(argc, argv, "ip"), (uint16_t)NUM("port"), (uint32_t)NUM("bytes"));
    else if (!strcmp(role, "tcp_host"))
        tcp_host(need(argc, argv, "host"), (uint16_t)NUM("hport"));
    else if (!strcmp(role, "udp_send")) {
        udp_send(need(argc, argv, "ip"), (uint16_t)NUM("port"), "keel datagram");
        printf("net_peer: udp_send ok\n");
    } else if (!strcmp(role, "udp_ping")) {
        udp_ping(need(argc, argv, "ip"), (uint16_t)NUM("port"), (unsigned)NUM("n"));
        printf("net_peer: udp_ping ok\n");
    } else if (!strcmp(role, "udp_echo")) {
        const char *port = arg(argc, argv, "port");
        udp_echo(port ? (uint16_t)strtoul(port, NULL, 0) : 7);
    } else if (!strcmp(role, "udp_collect")) {
        unsigned n = (unsigned)NUM("n");
        unsigned got = udp_collect((uint16_t)NUM("port"), n, (unsigned)NUM("secs"),
                                   "keel datagram");
        printf("net_peer: collected %u of %u\n", got, n);
        CHECK(got == n, "collect");
        printf("net_peer: udp_collect ok\n");
    } else {
        fail("role: name the image tcp_server, tcp_client, tcp_host, udp_send, "
             "udp_ping, udp_echo or udp_collect");
    }
    return 0;
}

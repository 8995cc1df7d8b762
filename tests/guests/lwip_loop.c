/*
 * lwIP on its loopback interface only (127.0.0.1, no NIC), through the
 * sockets API on libos threads: a TCP echo of ECHO_BYTES checked by
 * digest, a UDP datagram, a connection refused by RST, a receive timeout
 * and one of lwIP's own timers.  Each step prints one line; the last is
 * "lwip_loop: ok".  A failure prints "lwip_loop: FAIL ..." and exits 1.
 * Built with --mem 1M (guests.mk): all of it fits in a 1 MiB domain.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#include <lwip/timeouts.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "stream_digest.h"

#define ECHO_PORT    7
#define UDP_PORT     5000
#define CLOSED_PORT  9
#define ECHO_BYTES   (512 * 1024)
#define CHUNK_MAX    4096
#define RCVTIMEO_MS  200
#define TIMER_MS     150
#define MS           1000000ull

extern char __image_start[], _end[];

static _Noreturn void fail(const char *what)
{
    printf("lwip_loop: FAIL %s (errno %d)\n", what, errno);
    exit(1);
}

#define CHECK(cond, what) do { if (!(cond)) fail(what); } while (0)

static uint64_t now_ms(void)
{
    return libos_monotonic_ns() / MS;
}

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons(port);
    a.sin_addr.s_addr = lwip_htonl(INADDR_LOOPBACK);
    return a;
}

static int flag_set(void *flag)
{
    return *(volatile int *)flag;
}

/* Waits for *flag with a deadline; 0 if it never came. */
static int wait_flag(volatile int *flag, uint64_t timeout_ms)
{
    uint64_t deadline = libos_monotonic_ns() + timeout_ms * MS;

    while (!*flag && libos_monotonic_ns() < deadline)
        libos_thread_wait(flag_set, (void *)flag, deadline);
    return *flag;
}

static void set_flag(void *flag)
{
    *(volatile int *)flag = 1;
}

static int listen_tcp(uint16_t port)
{
    struct sockaddr_in a = loopback(port);
    int s = lwip_socket(AF_INET, SOCK_STREAM, 0);

    CHECK(s >= 0, "socket (listen)");
    CHECK(lwip_bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind (listen)");
    CHECK(lwip_listen(s, 2) == 0, "listen");
    return s;
}

/* The echo server thread: one connection, everything sent back. */
static void *echo_server(void *arg)
{
    int ls = (int)(intptr_t)arg, s;
    static char buf[2048];
    ssize_t n, w;

    s = lwip_accept(ls, NULL, NULL);
    if (s < 0)
        return (void *)1;
    while ((n = lwip_recv(s, buf, sizeof(buf), 0)) > 0)
        for (ssize_t off = 0; off < n; off += w)
            if ((w = lwip_send(s, buf + off, (size_t)(n - off), 0)) <= 0)
                return (void *)2;
    lwip_close(s);
    return n == 0 ? NULL : (void *)3;
}

static void send_some(int s, uint32_t *sent, uint32_t *rng)
{
    static uint8_t buf[CHUNK_MAX];
    uint32_t len, i;
    ssize_t w;

    *rng ^= *rng << 13, *rng ^= *rng >> 17, *rng ^= *rng << 5;
    len = 1 + *rng % CHUNK_MAX;
    if (len > ECHO_BYTES - *sent)
        len = ECHO_BYTES - *sent;
    for (i = 0; i < len; i++)
        buf[i] = pattern(*sent + i);
    w = lwip_send(s, buf, len, 0);
    CHECK(w > 0 || errno == EWOULDBLOCK, "send (echo client)");
    if (w > 0)
        *sent += (uint32_t)w;
}

/* One non-blocking client thread streams and reads back at once
 * (lwip_poll), so neither side's buffers can fill up for good. */
static void tcp_echo(int ls)
{
    struct sockaddr_in a = loopback(ECHO_PORT);
    uint64_t want = FNV_INIT, got = FNV_INIT, t0 = now_ms();
    uint32_t sent = 0, received = 0, rng = 0x1234567, i;
    libos_thread_t *server;
    static uint8_t rbuf[CHUNK_MAX];
    void *result;
    int s;

    CHECK(libos_thread_create(&server, echo_server, (void *)(intptr_t)ls, 16384) == 0,
          "thread create");
    s = lwip_socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0, "socket (echo client)");
    CHECK(lwip_connect(s, (struct sockaddr *)&a, sizeof(a)) == 0, "connect (echo)");
    CHECK(lwip_fcntl(s, F_SETFL, O_NONBLOCK) == 0, "fcntl O_NONBLOCK");
    while (received < ECHO_BYTES) {
        struct pollfd p = { s, POLLIN | (sent < ECHO_BYTES ? POLLOUT : 0), 0 };
        ssize_t r;

        CHECK(lwip_poll(&p, 1, 5000) == 1, "poll (echo client)");
        if (p.revents & POLLOUT)
            send_some(s, &sent, &rng);
        if (!(p.revents & POLLIN))
            continue;
        r = lwip_recv(s, rbuf, sizeof(rbuf), 0);
        CHECK(r > 0 || (r < 0 && errno == EWOULDBLOCK), "recv (echo client)");
        if (r > 0) {
            got = fnv1a(got, rbuf, (size_t)r);
            received += (uint32_t)r;
        }
    }
    for (i = 0; i < ECHO_BYTES; i++) {
        uint8_t b = pattern(i);
        want = fnv1a(want, &b, 1);
    }
    CHECK(lwip_close(s) == 0, "close (echo client)");
    CHECK(libos_thread_join(server, &result) == 0 && result == NULL, "echo server");
    CHECK(got == want, "echo digest");
    printf("lwip_loop: tcp echo %u bytes in %llu ms, digest %016llx ok\n", received,
           (unsigned long long)(now_ms() - t0), (unsigned long long)got);
}

static void udp_and_timeout(void)
{
    static const char msg[] = "keel udp datagram";
    struct sockaddr_in a = loopback(UDP_PORT), from, mine;
    socklen_t flen = sizeof(from), mlen = sizeof(mine);
    struct timeval tv = { 0, RCVTIMEO_MS * 1000 };
    int rx = lwip_socket(AF_INET, SOCK_DGRAM, 0), tx = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    char buf[64];
    uint64_t t0, waited;
    ssize_t n;

    CHECK(rx >= 0 && tx >= 0, "socket (udp)");
    CHECK(lwip_bind(rx, (struct sockaddr *)&a, sizeof(a)) == 0, "bind (udp)");
    CHECK(lwip_setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
    CHECK(lwip_sendto(tx, msg, sizeof(msg), 0, (struct sockaddr *)&a, sizeof(a)) ==
          (ssize_t)sizeof(msg), "sendto");
    n = lwip_recvfrom(rx, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
    CHECK(n == (ssize_t)sizeof(msg) && memcmp(buf, msg, sizeof(msg)) == 0, "recvfrom data");
    CHECK(lwip_getsockname(tx, (struct sockaddr *)&mine, &mlen) == 0, "getsockname");
    CHECK(from.sin_port == mine.sin_port && from.sin_addr.s_addr == a.sin_addr.s_addr,
          "recvfrom source");
    printf("lwip_loop: udp %zd bytes from port %u ok\n", n, lwip_ntohs(from.sin_port));

    t0 = now_ms();
    n = lwip_recv(rx, buf, sizeof(buf), 0);
    waited = now_ms() - t0;
    CHECK(n < 0 && errno == EWOULDBLOCK, "recv timeout");
    CHECK(waited >= RCVTIMEO_MS && waited < 10 * RCVTIMEO_MS, "recv timeout length");
    printf("lwip_loop: recv timeout after %llu ms ok\n", (unsigned long long)waited);
    lwip_close(rx);
    lwip_close(tx);
}

static void refused(void)
{
    struct sockaddr_in a = loopback(CLOSED_PORT);
    int s = lwip_socket(AF_INET, SOCK_STREAM, 0);

    CHECK(s >= 0, "socket (refused)");
    /* lwIP 2.1 reports a RST to a SYN as ECONNRESET, not ECONNREFUSED */
    CHECK(lwip_connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 &&
          (errno == ECONNRESET || errno == ECONNREFUSED), "connect to a closed port");
    lwip_close(s);
    printf("lwip_loop: connect to closed port refused (RST) ok\n");
}

/* One of lwIP's timers, armed in the tcpip thread, as lwIP requires. */
static void arm_timer(void *flag)
{
    sys_timeout(TIMER_MS, set_flag, flag);
}

static void lwip_timer(void)
{
    static volatile int fired;
    uint64_t t0 = now_ms(), waited;

    CHECK(tcpip_callback(arm_timer, (void *)&fired) == ERR_OK, "tcpip_callback");
    CHECK(wait_flag(&fired, 10 * TIMER_MS), "sys_timeout never fired");
    waited = now_ms() - t0;
    CHECK(waited >= TIMER_MS, "sys_timeout fired early");
    printf("lwip_loop: sys_timeout(%d ms) fired after %llu ms ok\n", TIMER_MS,
           (unsigned long long)waited);
}

int main(void)
{
    static volatile int up;
    char *brk0 = sbrk(0);
    int ls;

    tcpip_init(set_flag, (void *)&up);
    CHECK(wait_flag(&up, 5000), "tcpip_init");
    ls = listen_tcp(ECHO_PORT);
    printf("lwip_loop: idle with a listening socket: image %zu KiB, heap %zu KiB\n",
           (size_t)(_end - __image_start) >> 10, (size_t)((char *)sbrk(0) - brk0) >> 10);
    tcp_echo(ls);
    udp_and_timeout();
    refused();
    lwip_timer();
    lwip_close(ls);
    printf("lwip_loop: ok\n");
    return 0;
}

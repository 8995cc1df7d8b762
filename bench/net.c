/*
 * The network bench guest (bench/bench.py, docs/net.md "Benchmarks"), a
 * Linux sockets program.  Every guest of a run gets the same arguments: of
 * two copies of the image, the first ("net") serves on 10.0.1.1 (the run's
 * first guest's address) and the second ("net-2") is the client.  Times
 * are the hypervisor's monotonic clock.
 *
 *   stream BYTES             net: accept on PORT, read to the end, print
 *                            "stream bytes= ns=" (first byte to end);
 *                            net-2: connect, write BYTES, then memcpy as
 *                            many bytes in memory: "memcpy bytes= ns="
 *   rr N REQ NODELAY         net: answer each request of REQ bytes with
 *                            REQ bytes; net-2: N requests, each written
 *                            as REQ one-byte writes, then its answer
 *                            read: "rr n= median_ns= mean_ns="
 *   host_stream HPORT BYTES  connect to the host (10.0.0.2:HPORT), write
 *   host_echo HPORT REQ NODELAY   connect to the host, answer its
 *                            requests of REQ bytes until it closes
 *   listen SECS              listen on port 80, print "listening at_ns=T
 *                            on its NIC" (fails without one),
 *                            sleep, print "idle_end at_ns="
 *
 * Each role ends with "net: ok" or "net: FAIL ..." and exit status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libos/time.h>
#include <netfront/netif.h>

#define PORT     5001
#define SERVER   "10.0.1.1"
#define HOST     "10.0.0.2"
#define CHUNK    (64 * 1024)
#define MAX_RR   4096

/* allocated by the roles that move bytes: a listening guest stays small */
static uint8_t *buf, *dst, small[2][64];

static void fail(const char *what)
{
    printf("net: FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
    exit(1);
}

static struct sockaddr_in addr(const char *ip, int port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = ip ? inet_addr(ip) : htonl(INADDR_ANY);
    return a;
}

static void set_nodelay(int fd, int on)
{
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
        fail("TCP_NODELAY");
}

static int listen_on(int port)
{
    struct sockaddr_in a = addr(NULL, port);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0)
        fail("listen");
    return fd;
}

static int accept_one(int port)
{
    int l = listen_on(port), fd = accept(l, NULL, NULL);

    if (fd < 0)
        fail("accept");
    close(l);
    return fd;
}

/* The server may not listen yet: retry for 20 s. */
static int connect_to(const char *ip, int port)
{
    struct sockaddr_in a = addr(ip, port);
    uint64_t end = libos_monotonic_ns() + 20000000000ull;

    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            fail("socket");
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
            return fd;
        close(fd);
        if (libos_monotonic_ns() > end)
            fail("connect");
        usleep(50000);
    }
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            fail("write");
        p += w;
        n -= (size_t)w;
    }
}

static void read_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            fail(r ? "read" : "read: early end");
        p += r;
        n -= (size_t)r;
    }
}

static void stream_out(int fd, size_t bytes)
{
    for (size_t i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 7);
    for (size_t done = 0; done < bytes; done += CHUNK)
        write_all(fd, buf, bytes - done < CHUNK ? bytes - done : CHUNK);
    close(fd);
}

static void stream_in(int fd)
{
    uint64_t first = 0, total = 0;
    ssize_t r;

    while ((r = read(fd, buf, CHUNK)) > 0) {
        if (!first)
            first = libos_monotonic_ns();
        total += (uint64_t)r;
    }
    if (r < 0)
        fail("read");
    printf("stream bytes=%" PRIu64 " ns=%" PRIu64 "\n", total,
           libos_monotonic_ns() - first);
    close(fd);
}

/* The floor: the same bytes copied once in memory, CHUNK at a time. */
static void memcpy_floor(size_t bytes)
{
    uint64_t t0 = libos_monotonic_ns();

    for (size_t done = 0; done < bytes; done += CHUNK) {
        memcpy(dst, buf, CHUNK);
        __asm__ volatile("" ::"r"(dst) : "memory");   /* keep every copy */
    }
    printf("memcpy bytes=%zu ns=%" PRIu64 "\n", bytes, libos_monotonic_ns() - t0);
}

static void answer(int fd, size_t req)
{
    ssize_t r;

    for (;;) {
        size_t got = 0;
        while (got < req && (r = read(fd, buf + got, req - got)) > 0)
            got += (size_t)r;
        if (got < req)
            break;                      /* the requester closed */
        write_all(fd, buf, req);
    }
    close(fd);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void request(int fd, int n, size_t req)
{
    static uint64_t t[MAX_RR];
    uint64_t sum = 0;

    for (int i = 0; i < n; i++) {
        uint64_t t0 = libos_monotonic_ns();
        for (size_t j = 0; j < req; j++)
            write_all(fd, (const uint8_t *)"r", 1);
        read_all(fd, dst, req);
        t[i] = libos_monotonic_ns() - t0;
        sum += t[i];
    }
    close(fd);
    qsort(t, (size_t)n, sizeof(t[0]), cmp_u64);
    printf("rr n=%d median_ns=%" PRIu64 " mean_ns=%" PRIu64 "\n", n, t[n / 2],
           sum / (uint64_t)n);
}

static int is_client(const char *name)
{
    size_t len = strlen(name);
    return len > 2 && strcmp(name + len - 2, "-2") == 0;
}

static long arg(int argc, char **argv, int i, long dflt)
{
    return argc > i ? atol(argv[i]) : dflt;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int client = is_client(argv[0]);

    if (!strcmp(mode, "stream") || !strcmp(mode, "host_stream")) {
        if (!(buf = malloc(CHUNK)) || !(dst = malloc(CHUNK)))
            fail("malloc");
    } else {
        buf = small[0];         /* requests are at most 64 bytes */
        dst = small[1];
    }

    if (!strcmp(mode, "stream")) {
        size_t bytes = (size_t)arg(argc, argv, 2, 16 << 20);
        if (!client) {
            stream_in(accept_one(PORT));
        } else {
            stream_out(connect_to(SERVER, PORT), bytes);
            memcpy_floor(bytes);
        }
    } else if (!strcmp(mode, "rr")) {
        int n = (int)arg(argc, argv, 2, 200);
        size_t req = (size_t)arg(argc, argv, 3, 1);
        int fd = client ? connect_to(SERVER, PORT) : accept_one(PORT);
        if (n < 1 || n > MAX_RR || req < 1 || req > 64)
            fail("rr: bad arguments");
        set_nodelay(fd, (int)arg(argc, argv, 4, 1));
        if (client)
            request(fd, n, req);
        else
            answer(fd, req);
    } else if (!strcmp(mode, "host_stream")) {
        stream_out(connect_to(HOST, (int)arg(argc, argv, 2, 0)),
                   (size_t)arg(argc, argv, 3, 16 << 20));
    } else if (!strcmp(mode, "host_echo")) {
        int fd = connect_to(HOST, (int)arg(argc, argv, 2, 0));
        size_t req = (size_t)arg(argc, argv, 3, 1);
        if (req < 1 || req > 64)
            fail("host_echo: bad arguments");
        set_nodelay(fd, (int)arg(argc, argv, 4, 1));
        answer(fd, req);
    } else if (!strcmp(mode, "listen")) {
        int fd = listen_on(80);
        /* socket() waited for the NIC, but one that could not open (too
         * little memory for its buffers) leaves only loopback */
        if (netfront_lwip_wait_up(libos_monotonic_ns()) != 0)
            fail("the NIC is not up");
        printf("listening at_ns=%" PRIu64 " on its NIC\n", libos_monotonic_ns());
        fflush(stdout);
        sleep((unsigned)arg(argc, argv, 2, 10));
        printf("idle_end at_ns=%" PRIu64 "\n", libos_monotonic_ns());
        close(fd);
    } else {
        fail("usage: stream|rr|host_stream|host_echo|listen ...");
    }
    printf("net: ok\n");
    return 0;
}

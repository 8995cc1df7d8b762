/*
 * A middlebox on netfront's raw API (netfront/raw.h): a UDP reflector.
 * Every IPv4 UDP frame for its address goes back to its sender with the
 * Ethernet and IPv4 addresses and the UDP ports swapped (both checksums
 * stay valid: a swap does not change a ones'-complement sum).  ARP needs
 * no answer from it: the switch answers for every guest.  Once it has
 * its n-th frame (argument n=, default 3) it stops when 3 s pass without
 * one (a pinger that resent a datagram sends more than n), and prints
 * "net_raw: reflected N frames ok", or "net_raw: FAIL ..." (exit 1).
 * hold=MS holds the first frame back MS milliseconds before reflecting
 * it (the frames that come meanwhile wait in the ring), as a loaded
 * machine may: the pinger resends, and gets two copies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libos/time.h>
#include <netfront/raw.h>

static _Noreturn void fail(const char *what)
{
    printf("net_raw: FAIL %s\n", what);
    exit(1);
}

static void swap(uint8_t *a, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* 1 if f[0, len) is IPv4 UDP for ip (network order), with its header. */
static int udp_for(const uint8_t *f, int len, uint32_t ip)
{
    unsigned ihl;

    if (len < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
        return 0;
    ihl = (f[14] & 15u) * 4;
    return ihl >= 20 && len >= (int)(14 + ihl + 8) && f[23] == 17 &&
           memcmp(f + 30, &ip, 4) == 0;
}

int main(int argc, char **argv)
{
    struct netfront *nf;
    uint8_t f[2048];
    unsigned want = 3, done = 0, hold_ms = 0;
    uint64_t end = libos_monotonic_ns() + 60ull * 1000000000;

    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "n=", 2))
            want = (unsigned)atoi(argv[i] + 2);
        else if (!strncmp(argv[i], "hold=", 5))
            hold_ms = (unsigned)atoi(argv[i] + 5);
    if (netfront_open(&nf))
        fail("netfront_open");
    uint32_t ip = netfront_settings(nf)->ipv4_addr;
    while (libos_monotonic_ns() < end) {
        int len = netfront_recv(nf, f, sizeof(f));
        if (len < 0)
            fail("recv");
        if (len == 0) {
            netfront_wait(nf, end);
            continue;
        }
        if (!udp_for(f, len, ip))
            continue;
        if (done == 0 && hold_ms)
            libos_sleep_until(libos_monotonic_ns() + hold_ms * 1000000ull);
        unsigned ihl = (f[14] & 15u) * 4;
        swap(f, f + 6, 6);                           /* MACs */
        swap(f + 26, f + 30, 4);                     /* addresses */
        swap(f + 14 + ihl, f + 14 + ihl + 2, 2);     /* ports */
        while (netfront_send(nf, f, (size_t)len) == -KEEL_EAGAIN)
            netfront_wait(nf, end);
        if (++done >= want)
            end = libos_monotonic_ns() + 3000000000ull;
    }
    if (done < want)
        fail("too few frames");
    printf("net_raw: reflected %u frames ok\n", want);
    return 0;
}

/*
 * Address text and byte order (<arpa/inet.h>, <netinet/in.h>), as glibc
 * behaves: inet_aton reads the classic forms ("10.1", "0x7f.1", ...),
 * inet_pton only "a.b.c.d" in decimal.  IPv4 only.  Pure (host unit test
 * tests/unit/sockets_names_test.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sk_impl.h"

#undef htonl
#undef htons
#undef ntohl
#undef ntohs

uint32_t htonl(uint32_t x) { return __builtin_bswap32(x); }
uint16_t htons(uint16_t x) { return __builtin_bswap16(x); }
uint32_t ntohl(uint32_t x) { return __builtin_bswap32(x); }
uint16_t ntohs(uint16_t x) { return __builtin_bswap16(x); }

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;

/* One number in C's notation (0x.., 0.., decimal) up to max; the text after
 * it, or NULL. */
static const char *parse_part(const char *s, uint32_t max, uint32_t *v)
{
    unsigned base = 10, digits = 0;
    uint64_t n = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    for (;; s++, digits++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (unsigned)((*s | 0x20) - 'a' + 10);
        else
            break;
        if (d >= base || (n = n * base + d) > max)
            return NULL;
    }
    if (!digits)
        return NULL;
    *v = (uint32_t)n;
    return s;
}

int sk_parse_ipv4(const char *s, uint32_t *addr)
{
    uint32_t part[4], host = 0;
    int n = 0;

    for (;;) {
        if (!(s = parse_part(s, 0xffffffffu, &part[n])))
            return 0;
        n++;
        if (*s != '.')
            break;
        if (n == 4)
            return 0;
        s++;
    }
    if (*s && *s != ' ' && *s != '\t' && *s != '\n')
        return 0;
    /* a byte each, the last part fills what the others leave */
    for (int i = 0; i < n - 1; i++) {
        if (part[i] > 0xff)
            return 0;
        host |= part[i] << (24 - 8 * i);
    }
    if (part[n - 1] > (0xffffffffu >> (8 * (n - 1))))
        return 0;
    *addr = htonl(host | part[n - 1]);
    return 1;
}

int sk_parse_dotted(const char *s, uint32_t *addr)
{
    uint32_t host = 0;

    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        if (i && *s++ != '.')
            return 0;
        for (; *s >= '0' && *s <= '9'; s++, digits++) {
            if (digits == 3 || (digits && v == 0))
                return 0;             /* too long, or a leading zero */
            v = v * 10 + (unsigned)(*s - '0');
        }
        if (!digits || v > 255)
            return 0;
        host = host << 8 | v;
    }
    if (*s)
        return 0;
    *addr = htonl(host);
    return 1;
}

void sk_format_ipv4(uint32_t addr, char buf[16])
{
    const uint8_t *b = (const uint8_t *)&addr;

    snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

int inet_aton(const char *cp, struct in_addr *inp)
{
    uint32_t a;

    if (!sk_parse_ipv4(cp, &a))
        return 0;
    if (inp)
        inp->s_addr = a;
    return 1;
}

in_addr_t inet_addr(const char *cp)
{
    uint32_t a;

    return sk_parse_ipv4(cp, &a) ? a : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in)
{
    static char buf[INET_ADDRSTRLEN];

    sk_format_ipv4(in.s_addr, buf);
    return buf;
}

int inet_pton(int af, const char *src, void *dst)
{
    uint32_t a;

    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (!sk_parse_dotted(src, &a))
        return 0;
    memcpy(dst, &a, sizeof(a));
    return 1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    char buf[INET_ADDRSTRLEN];
    uint32_t a;

    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    memcpy(&a, src, sizeof(a));
    sk_format_ipv4(a, buf);
    if (strlen(buf) >= size) {
        errno = ENOSPC;
        return NULL;
    }
    return strcpy(dst, buf);
}

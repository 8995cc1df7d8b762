/*
 * `keel run -p [NAME:][HOSTADDR:]HOSTPORT:GUESTPORT[/udp]`: a host port
 * forwarded to a guest's port.  QEMU's user-mode network does it: one
 * hostfwd rule per -p on the machine's one -netdev, to the address the
 * plan gives the guest (keel/launch.h: guest i is 10.0.1.1 + i), so a
 * connection to HOSTADDR:HOSTPORT on the host becomes one from 10.0.0.2 to
 * the guest.  Without NAME the first guest is meant; NAME is a guest's name
 * as `keel run` makes it, or its 0-based index (as --connect takes).  With
 * three fields the first is HOSTADDR when it is an IPv4 address, else NAME.
 * HOSTADDR defaults to 127.0.0.1: on a shared host nobody else reaches the
 * guest unless asked for (0.0.0.0 is every interface).  This file is the
 * command line's side; hostfwd.c the QEMU's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "keel.h"

#define FIELDS_MAX 4

static int malformed(const char *spec, FILE *err)
{
    fprintf(err, "keel: -p wants [NAME:][HOSTADDR:]HOSTPORT:GUESTPORT[/udp], "
            "not '%s'\n", spec);
    return -1;
}

/* 1 to 65535, digits only. */
static int parse_port(const char *s, size_t len, uint16_t *out)
{
    unsigned v = 0;
    if (len == 0 || len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static int parse_addr(const char *s, size_t len, uint32_t *out)
{
    char buf[INET_ADDRSTRLEN];
    struct in_addr a;
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

static int bad_port(const char *spec, const char *s, size_t len, FILE *err)
{
    fprintf(err, "keel: -p '%s': '%.*s' is not a port (a number from 1 to "
            "65535)\n", spec, (int)len, s);
    return -1;
}

/* HOSTPORT, and GUESTPORT[/udp|/tcp] */
static int parse_ports(const char *hp, size_t hlen, const char *gp,
                       struct keel_port *p, FILE *err)
{
    const char *slash = strchr(gp, '/');
    size_t glen = slash ? (size_t)(slash - gp) : strlen(gp);

    if (slash && strcmp(slash, "/udp") && strcmp(slash, "/tcp"))
        return malformed(p->spec, err);
    p->udp = slash && !strcmp(slash, "/udp");
    if (parse_port(hp, hlen, &p->host_port))
        return bad_port(p->spec, hp, hlen, err);
    if (parse_port(gp, glen, &p->guest_port))
        return bad_port(p->spec, gp, glen, err);
    return 0;
}

/* The fields before HOSTPORT: none, NAME or HOSTADDR, or NAME and HOSTADDR. */
static int parse_front(const char *const *f, const size_t *len, int k,
                       struct keel_port *p, FILE *err)
{
    if (k == 2 || (k == 1 && parse_addr(f[0], len[0], &p->host_addr))) {
        if (len[0] == 0)
            return malformed(p->spec, err);
        p->guest = f[0];
        p->guest_len = len[0];
    }
    if (k == 2 && parse_addr(f[1], len[1], &p->host_addr)) {
        fprintf(err, "keel: -p '%s': HOSTADDR must be an IPv4 address "
                "(127.0.0.1, 0.0.0.0 for every interface)\n", p->spec);
        return -1;
    }
    return 0;
}

int keel_parse_port(const char *spec, struct keel_port *p, FILE *err)
{
    const char *f[FIELDS_MAX];
    size_t len[FIELDS_MAX];
    int k = 0;

    *p = (struct keel_port){ .spec = spec, .host_addr = INADDR_LOOPBACK, .idx = -1 };
    for (const char *s = spec;; s++) {
        const char *colon = strchr(s, ':');
        if (k == FIELDS_MAX)
            return malformed(spec, err);
        f[k] = s;
        len[k++] = colon ? (size_t)(colon - s) : strlen(s);
        if (!colon)
            break;
        s = colon;
    }
    if (k < 2)
        return malformed(spec, err);
    if (parse_front(f, len, k - 2, p, err))
        return -1;
    return parse_ports(f[k - 2], len[k - 2], f[k - 1], p, err);
}

/* Two rules on one host socket: QEMU would fail on the second bind (a
 * socket on 0.0.0.0 holds the port on every address). */
static bool same_socket(const struct keel_port *a, const struct keel_port *b)
{
    return a->udp == b->udp && a->host_port == b->host_port &&
           (a->host_addr == b->host_addr || a->host_addr == INADDR_ANY ||
            b->host_addr == INADDR_ANY);
}

const char *keel_port_proto(const struct keel_port *p)
{
    return p->udp ? "udp" : "tcp";
}

void keel_format_ipv4(uint32_t a, char *out, size_t size)
{
    snprintf(out, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
             (a >> 8) & 255, a & 255);
}

static int resolve_port(struct keel_port *p, char *const *names, int n,
                   const bool *nic, FILE *err)
{
    p->idx = p->guest ? keel_guest_index(p->guest, p->guest_len, names, n) : 0;
    if (p->idx < 0) {
        fprintf(err, "keel: -p '%s': no guest '%.*s' (names or indices 0..%d)\n",
                p->spec, (int)p->guest_len, p->guest, n - 1);
        return -1;
    }
    if (nic && !nic[p->idx]) {
        fprintf(err, "keel: -p '%s': guest %s has no network interface (its "
                "image uses no sockets)\n", p->spec, names[p->idx]);
        return -1;
    }
    return 0;
}

int keel_resolve_ports(struct keel_port *p, int np, char *const *names, int n,
                       const bool *nic, FILE *err)
{
    for (int i = 0; i < np; i++) {
        if (resolve_port(&p[i], names, n, nic, err))
            return -1;
        for (int j = 0; j < i; j++) {
            if (same_socket(&p[i], &p[j])) {
                fprintf(err, "keel: -p '%s' and -p '%s': one host port "
                        "(%u/%s) forwarded twice\n", p[j].spec, p[i].spec,
                        p[i].host_port, keel_port_proto(&p[i]));
                return -1;
            }
        }
    }
    return 0;
}

static void show_guest(const struct keel_opts *o, int i, const char *name,
                       FILE *f)
{
    char addr[INET_ADDRSTRLEN];
    const char *sep = ", ports ";
    keel_format_ipv4(keel_net_plan_guest_ipv4((uint32_t)i), addr, sizeof(addr));
    fprintf(f, "keel: guest %s: %s", name, addr);
    for (int k = 0; k < o->nports; k++) {
        const struct keel_port *p = &o->ports[k];
        if (p->idx != i)
            continue;
        keel_format_ipv4(p->host_addr, addr, sizeof(addr));
        fprintf(f, "%s%s:%u->%u/%s", sep, addr, p->host_port, p->guest_port,
                keel_port_proto(p));
        sep = ", ";
    }
    fputc('\n', f);
}

void keel_show_plan(const struct keel_opts *o, char *const *names,
                    const bool *nic, FILE *f)
{
    static const char *const mode[] = {
        [KEEL_NET_USER] = "user (QEMU's; the host is 10.0.0.2)",
        [KEEL_NET_TAP] = "tap (the host's end should be 10.0.0.2)",
        [KEEL_NET_NONE] = "none (guests reach each other only)",
    };
    fprintf(f, "keel: network %s, 10.0.0.0/16\n", mode[o->net]);
    for (int i = 0; i < o->nimages; i++) {
        if (nic && !nic[i])
            fprintf(f, "keel: guest %s: no network interface\n", names[i]);
        else
            show_guest(o, i, names[i], f);
    }
}


/*
 * getnameinfo, gethostbyname, gethostbyaddr (<netdb.h>) on the hosts
 * table (hosts.c) and numeric addresses; no DNS.  Services are written as
 * numbers.  IPv4 only.  Pure (host unit test
 * tests/unit/sockets_names_test.c).
 */
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sk_impl.h"

#ifndef h_errno           /* glibc's is a macro: the host unit test */
int h_errno;
#endif

/* Copies s into buf[len]; EAI_OVERFLOW if it does not fit. */
static int copy_out(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);

    if (n >= len)
        return EAI_OVERFLOW;
    memcpy(buf, s, n + 1);
    return 0;
}

static int host_text(uint32_t addr, char *host, size_t len, int flags)
{
    const char *name = (flags & NI_NUMERICHOST) ? NULL : sk_hosts_name(addr);
    char numeric[INET_ADDRSTRLEN];

    if (name)
        return copy_out(host, len, name);
    if (flags & NI_NAMEREQD)
        return EAI_NONAME;
    sk_format_ipv4(addr, numeric);
    return copy_out(host, len, numeric);
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
    char port[8];
    int rc;

    if (!sa || salen < sizeof(*sin) || sa->sa_family != AF_INET)
        return EAI_FAMILY;
    if (host && hostlen &&
        (rc = host_text(sin->sin_addr.s_addr, host, hostlen, flags)))
        return rc;
    snprintf(port, sizeof(port), "%u", ntohs(sin->sin_port));
    if (serv && servlen && (rc = copy_out(serv, servlen, port)))
        return rc;
    return 0;
}

/* The one static result of gethostbyname and gethostbyaddr. */
static struct {
    struct hostent h;
    char name[SK_HOST_NAME_MAX > INET_ADDRSTRLEN ? SK_HOST_NAME_MAX : INET_ADDRSTRLEN];
    uint32_t addr;
    char *aliases[1], *addrs[2];
} result;

static struct hostent *answer(const char *name, uint32_t addr)
{
    if (strlen(name) >= sizeof(result.name)) {
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    strcpy(result.name, name);
    result.addr = addr;
    result.aliases[0] = NULL;
    result.addrs[0] = (char *)&result.addr;
    result.addrs[1] = NULL;
    result.h = (struct hostent){ result.name, result.aliases, AF_INET,
                                 sizeof(result.addr), result.addrs };
    return &result.h;
}

struct hostent *gethostbyname(const char *name)
{
    uint32_t addr;

    if (name && (sk_parse_ipv4(name, &addr) || sk_hosts_lookup(name, &addr) == 0))
        return answer(name, addr);
    h_errno = HOST_NOT_FOUND;
    return NULL;
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
    const char *name;
    uint32_t a;

    if (addr && type == AF_INET && len == sizeof(a)) {
        memcpy(&a, addr, sizeof(a));
        if ((name = sk_hosts_name(a)))
            return answer(name, a);
    }
    h_errno = HOST_NOT_FOUND;
    return NULL;
}

const char *hstrerror(int err)
{
    switch (err) {
    case 0:              return "Resolver Error 0 (no error)";
    case HOST_NOT_FOUND: return "Unknown host";
    case TRY_AGAIN:      return "Host name lookup failure";
    case NO_RECOVERY:    return "Unknown server error";
    case NO_DATA:        return "No address associated with name";
    default:             return "Unknown resolver error";
    }
}

void herror(const char *s)
{
    if (s && *s)
        fprintf(stderr, "%s: %s\n", s, hstrerror(h_errno));
    else
        fprintf(stderr, "%s\n", hstrerror(h_errno));
}

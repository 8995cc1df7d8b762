/*
 * getaddrinfo, freeaddrinfo, gai_strerror (<netdb.h>) without DNS: a node
 * is a numeric IPv4 address (inet_aton's forms) or a name of the hosts
 * table (hosts.c); a service is a port number or one of a few well-known
 * names.  IPv4 only: AF_INET6 is EAI_FAMILY.  Each result is one
 * allocation (the addrinfo, its sockaddr_in and canonical name), so
 * freeaddrinfo frees node by node.  Pure (host unit test
 * tests/unit/sockets_names_test.c).
 */
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sk_impl.h"

#define KNOWN_FLAGS (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | \
                     AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV)

/* Without /etc/services: the names programs write most, for TCP and UDP. */
static const struct { const char *name; uint16_t port; } services[] = {
    { "echo", 7 }, { "discard", 9 }, { "daytime", 13 }, { "ftp", 21 },
    { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 }, { "domain", 53 },
    { "http", 80 }, { "pop3", 110 }, { "ntp", 123 }, { "imap", 143 },
    { "https", 443 },
};

/* The port (host order) of service, or an EAI_ error. */
static int service_port(const char *service, int flags, uint16_t *port)
{
    char *end;
    unsigned long n;

    *port = 0;
    if (!service)
        return 0;
    n = strtoul(service, &end, 10);
    if (*service >= '0' && *service <= '9' && *end == '\0')
        return n <= 65535 ? (*port = (uint16_t)n, 0) : EAI_SERVICE;
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if (strcmp(services[i].name, service) == 0) {
            *port = services[i].port;
            return 0;
        }
    return EAI_SERVICE;
}

/* The address (network order) of node, or an EAI_ error. */
static int node_address(const char *node, int flags, uint32_t *addr)
{
    if (!node) {
        *addr = htonl((flags & AI_PASSIVE) ? INADDR_ANY : INADDR_LOOPBACK);
        return 0;
    }
    if (sk_parse_ipv4(node, addr))
        return 0;
    if (flags & AI_NUMERICHOST)
        return EAI_NONAME;
    return sk_hosts_lookup(node, addr) == 0 ? 0 : EAI_NONAME;
}

static int check_hints(const struct addrinfo *h, const char *node)
{
    if (h->ai_flags & ~KNOWN_FLAGS)
        return EAI_BADFLAGS;
    if ((h->ai_flags & AI_CANONNAME) && !node)
        return EAI_BADFLAGS;
    if (h->ai_family != AF_UNSPEC && h->ai_family != AF_INET)
        return EAI_FAMILY;
    if (h->ai_socktype != 0 && h->ai_socktype != SOCK_STREAM &&
        h->ai_socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    if (h->ai_protocol != 0 &&
        !(h->ai_protocol == IPPROTO_TCP && h->ai_socktype != SOCK_DGRAM) &&
        !(h->ai_protocol == IPPROTO_UDP && h->ai_socktype != SOCK_STREAM))
        return EAI_SOCKTYPE;
    return 0;
}

static struct addrinfo *new_entry(int socktype, uint32_t addr, uint16_t port,
                                  const char *canon)
{
    size_t canon_len = canon ? strlen(canon) + 1 : 0;
    struct addrinfo *ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in) + canon_len);
    struct sockaddr_in *sin;

    if (!ai)
        return NULL;
    sin = (struct sockaddr_in *)(ai + 1);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = addr;
    ai->ai_family = AF_INET;
    ai->ai_socktype = socktype;
    ai->ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    ai->ai_addrlen = sizeof(*sin);
    ai->ai_addr = (struct sockaddr *)sin;
    if (canon)
        ai->ai_canonname = memcpy((char *)(sin + 1), canon, canon_len);
    return ai;
}

/* The socket types to answer for: the hints' one, else those that the
 * protocol allows (both for 0). */
static int socket_types(const struct addrinfo *h, int types[2])
{
    int n = 0;

    if (h->ai_socktype) {
        types[n++] = h->ai_socktype;
        return n;
    }
    if (h->ai_protocol != IPPROTO_UDP)
        types[n++] = SOCK_STREAM;
    if (h->ai_protocol != IPPROTO_TCP)
        types[n++] = SOCK_DGRAM;
    return n;
}

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
    struct addrinfo h = { .ai_family = AF_UNSPEC }, *head = NULL, **tail = &head;
    int types[2], n, rc;
    uint32_t addr;
    uint16_t port;

    if (hints)
        h = *hints;
    if (!node && !service)
        return EAI_NONAME;
    if ((rc = check_hints(&h, node)) || (rc = service_port(service, h.ai_flags, &port)) ||
        (rc = node_address(node, h.ai_flags, &addr)))
        return rc;
    n = socket_types(&h, types);
    for (int i = 0; i < n; i++) {
        const char *canon = i == 0 && (h.ai_flags & AI_CANONNAME) ? node : NULL;
        if (!(*tail = new_entry(types[i], addr, port, canon))) {
            freeaddrinfo(head);
            return EAI_MEMORY;
        }
        tail = &(*tail)->ai_next;
    }
    *res = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res);
        res = next;
    }
}

const char *gai_strerror(int errcode)
{
    switch (errcode) {
    case 0:              return "Success";
    case EAI_BADFLAGS:   return "Bad value for ai_flags";
    case EAI_NONAME:     return "Name or service not known";
    case EAI_AGAIN:      return "Temporary failure in name resolution";
    case EAI_FAIL:       return "Non-recoverable failure in name resolution";
    case EAI_NODATA:     return "No address associated with hostname";
    case EAI_FAMILY:     return "ai_family not supported";
    case EAI_SOCKTYPE:   return "ai_socktype not supported";
    case EAI_SERVICE:    return "Servname not supported for ai_socktype";
    case EAI_ADDRFAMILY: return "Address family for hostname not supported";
    case EAI_MEMORY:     return "Memory allocation failure";
    case EAI_SYSTEM:     return "System error";
    case EAI_OVERFLOW:   return "Argument buffer overflow";
    default:             return "Unknown error";
    }
}

/*
 * sdk/sockets' pure parts, compiled against the host's own <netdb.h> and
 * <arpa/inet.h> (Linux's values are ours): address text (inet_aton's
 * classic forms, inet_pton's strict one, inet_ntop's ENOSPC), the hosts
 * table (case, trailing dot, replace, full, too long), getaddrinfo
 * (numeric, AI_PASSIVE, NULL node, table names, AI_NUMERICHOST,
 * AI_NUMERICSERV, services, every hint error, EAI_NONAME, both socket
 * types, AI_CANONNAME), getnameinfo and gethostbyname/gethostbyaddr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include "ktest.h"
#include "../../sdk/sockets/inet.c"
#include "../../sdk/sockets/hosts.c"
#include "../../sdk/sockets/hosts_table.c"
#include "../../sdk/sockets/gai.c"
#include "../../sdk/sockets/hostent.c"

static int loads;

/* What hosts_start.c would find: a guest "web-2" on a network. */
void sk_hosts_load(void)
{
    loads++;
    sk_hosts_add("localhost", htonl(INADDR_LOOPBACK));
    sk_hosts_add("web-2", inet_addr("10.0.0.2"));
    sk_hosts_add("host", inet_addr("10.0.0.1"));
}

static uint32_t aton(const char *s)
{
    struct in_addr a = { 0xdeadbeef };

    return inet_aton(s, &a) ? a.s_addr : 0xdeadbeef;
}

KTEST(inet_aton_classic_forms)
{
    EXPECT_EQ(aton("127.0.0.1"), inet_addr("127.0.0.1"));
    EXPECT_EQ(ntohl(aton("127.1")), 0x7f000001);
    EXPECT_EQ(ntohl(aton("0x7f.1")), 0x7f000001);
    EXPECT_EQ(ntohl(aton("10.0.513")), 0x0a000201);
    EXPECT_EQ(ntohl(aton("017.0.0.1")), 0x0f000001);
    EXPECT_EQ(ntohl(aton("3232235777")), 0xc0a80101);
    EXPECT_EQ(ntohl(aton("1.2.3.4 trailing")), 0x01020304);
    EXPECT_EQ(aton("1.2.3.4.5"), 0xdeadbeef);
    EXPECT_EQ(aton("256.1.1.1"), 0xdeadbeef);
    EXPECT_EQ(aton("1.2.65536"), 0xdeadbeef);
    EXPECT_EQ(aton("08"), 0xdeadbeef);
    EXPECT_EQ(aton("0x"), 0xdeadbeef);
    EXPECT_EQ(aton("1..2"), 0xdeadbeef);
    EXPECT_EQ(aton(""), 0xdeadbeef);
    EXPECT_EQ(aton("1.2.3.4x"), 0xdeadbeef);
    EXPECT_EQ(inet_addr("nonsense"), INADDR_NONE);
}

KTEST(inet_pton_and_ntop)
{
    struct in_addr a;
    char buf[INET_ADDRSTRLEN];

    EXPECT_EQ(inet_pton(AF_INET, "192.168.1.20", &a), 1);
    EXPECT_EQ(ntohl(a.s_addr), 0xc0a80114);
    EXPECT_EQ(inet_pton(AF_INET, "01.2.3.4", &a), 0);
    EXPECT_EQ(inet_pton(AF_INET, "1.2.3", &a), 0);
    EXPECT_EQ(inet_pton(AF_INET, "1.2.3.4 ", &a), 0);
    EXPECT_EQ(inet_pton(AF_INET, "1.2.3.1000", &a), 0);
    EXPECT_EQ(inet_pton(AF_INET6, "::1", &a), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT);
    a.s_addr = htonl(0xc0a80114);
    EXPECT(inet_ntop(AF_INET, &a, buf, sizeof(buf)) == buf);
    EXPECT(strcmp(buf, "192.168.1.20") == 0);
    EXPECT(inet_ntop(AF_INET, &a, buf, 12) == NULL);
    EXPECT_EQ(errno, ENOSPC);
    EXPECT(strcmp(inet_ntoa(a), "192.168.1.20") == 0);
}

KTEST(hosts_table)
{
    uint32_t a = 0;
    char name[SK_HOST_NAME_MAX + 1];

    EXPECT_EQ(sk_hosts_lookup("WEB-2.", &a), 0);     /* loads once */
    EXPECT_EQ(a, inet_addr("10.0.0.2"));
    EXPECT_EQ(sk_hosts_lookup("web", &a), -1);
    EXPECT_EQ(loads, 1);
    EXPECT(strcmp(sk_hosts_name(inet_addr("10.0.0.1")), "host") == 0);
    EXPECT(sk_hosts_name(inet_addr("10.0.0.9")) == NULL);
    EXPECT_EQ(sk_hosts_add("web-2", inet_addr("10.0.0.3")), 0);   /* replaced */
    EXPECT_EQ(sk_hosts_lookup("web-2", &a), 0);
    EXPECT_EQ(a, inet_addr("10.0.0.3"));
    memset(name, 'n', SK_HOST_NAME_MAX);
    name[SK_HOST_NAME_MAX] = '\0';
    EXPECT_EQ(sk_hosts_add(name, 1), -1);
    EXPECT_EQ(sk_hosts_add("", 1), -1);
    EXPECT_EQ(sk_hosts_add(".", 1), -1);
    for (int i = 0; i < SK_HOSTS_MAX; i++) {
        char n[16];
        snprintf(n, sizeof(n), "g%d", i);
        sk_hosts_add(n, (uint32_t)i);
    }
    EXPECT_EQ(sk_hosts_add("one-too-many", 1), -1);
    EXPECT_EQ(sk_hosts_lookup("localhost", &a), 0);
    sk_hosts_clear();
    sk_hosts_load();
    EXPECT_EQ(loads, 2);
}

/* getaddrinfo's first answer as "a.b.c.d:port/socktype/protocol", or the
 * EAI_ error as "E<n>". */
static const char *gai(const char *node, const char *service, int family, int socktype,
                       int protocol, int flags)
{
    static char out[64];
    struct addrinfo hints = { .ai_flags = flags, .ai_family = family,
                              .ai_socktype = socktype, .ai_protocol = protocol }, *res;
    int rc = getaddrinfo(node, service, &hints, &res);

    if (rc) {
        snprintf(out, sizeof(out), "E%d", rc);
        return out;
    }
    const struct sockaddr_in *sin = (const struct sockaddr_in *)res->ai_addr;
    snprintf(out, sizeof(out), "%s:%u/%d/%d%s", inet_ntoa(sin->sin_addr), ntohs(sin->sin_port),
             res->ai_socktype, res->ai_protocol, res->ai_next ? "+" : "");
    freeaddrinfo(res);
    return out;
}

#define GAI(want, ...) EXPECT(strcmp(gai(__VA_ARGS__), want) == 0)

KTEST(getaddrinfo_answers)
{
    GAI("10.1.2.3:80/1/6+", "10.1.2.3", "80", 0, 0, 0, 0);
    GAI("10.1.2.3:80/2/17", "10.1.2.3", "80", AF_INET, SOCK_DGRAM, 0, 0);
    GAI("10.1.2.3:80/2/17", "10.1.2.3", "80", 0, 0, IPPROTO_UDP, 0);
    GAI("127.0.0.1:7/1/6", "127.1", "echo", 0, SOCK_STREAM, 0, 0);
    GAI("0.0.0.0:8080/1/6", NULL, "8080", AF_INET, SOCK_STREAM, 0, AI_PASSIVE);
    GAI("127.0.0.1:8080/1/6", NULL, "8080", AF_INET, SOCK_STREAM, 0, 0);
    GAI("127.0.0.1:0/1/6", "localhost", NULL, AF_UNSPEC, SOCK_STREAM, 0, 0);
    GAI("10.0.0.1:443/1/6", "HOST", "https", 0, SOCK_STREAM, 0, 0);
    GAI("10.0.0.2:65535/1/6", "web-2.", "65535", 0, SOCK_STREAM, 0, AI_ADDRCONFIG);
}

KTEST(getaddrinfo_errors)
{
    GAI("E-2", "no-such-guest", "80", 0, 0, 0, 0);             /* EAI_NONAME */
    GAI("E-2", "localhost", "80", 0, 0, 0, AI_NUMERICHOST);
    GAI("E-2", NULL, NULL, 0, 0, 0, 0);
    GAI("E-2", "localhost", "http", 0, 0, 0, AI_NUMERICSERV);
    GAI("E-8", "localhost", "65536", 0, 0, 0, 0);              /* EAI_SERVICE */
    GAI("E-8", "localhost", "gopher", 0, 0, 0, 0);
    GAI("E-8", "localhost", "-1", 0, 0, 0, 0);
    GAI("E-6", "localhost", "80", AF_INET6, 0, 0, 0);          /* EAI_FAMILY */
    GAI("E-7", "localhost", "80", 0, SOCK_RAW, 0, 0);          /* EAI_SOCKTYPE */
    GAI("E-7", "localhost", "80", 0, SOCK_STREAM, IPPROTO_UDP, 0);
    GAI("E-1", "localhost", "80", 0, 0, 0, 0x10000);           /* EAI_BADFLAGS */
    GAI("E-1", NULL, "80", 0, 0, 0, AI_CANONNAME);
    EXPECT(strcmp(gai_strerror(EAI_NONAME), "Name or service not known") == 0);
}

KTEST(getaddrinfo_canonname_and_list)
{
    struct addrinfo hints = { .ai_flags = AI_CANONNAME }, *res;

    EXPECT_EQ(getaddrinfo("web-2", "22", &hints, &res), 0);
    EXPECT(res->ai_canonname && strcmp(res->ai_canonname, "web-2") == 0);
    EXPECT(res->ai_next && res->ai_next->ai_canonname == NULL);
    EXPECT_EQ(res->ai_next->ai_socktype, SOCK_DGRAM);
    EXPECT(res->ai_next->ai_next == NULL);
    EXPECT_EQ(res->ai_addrlen, sizeof(struct sockaddr_in));
    EXPECT_EQ(res->ai_addr->sa_family, AF_INET);
    freeaddrinfo(res);
}

KTEST(nameinfo_and_hostent)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(8080) };
    char host[NI_MAXHOST], serv[NI_MAXSERV], tiny[4];
    struct hostent *h;

    sin.sin_addr.s_addr = inet_addr("10.0.0.2");
    EXPECT_EQ(getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), serv,
                          sizeof(serv), 0), 0);
    EXPECT(strcmp(host, "web-2") == 0 && strcmp(serv, "8080") == 0);
    EXPECT_EQ(getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0,
                          NI_NUMERICHOST), 0);
    EXPECT(strcmp(host, "10.0.0.2") == 0);
    sin.sin_addr.s_addr = inet_addr("10.9.9.9");
    EXPECT_EQ(getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0,
                          NI_NAMEREQD), EAI_NONAME);
    EXPECT_EQ(getnameinfo((struct sockaddr *)&sin, sizeof(sin), tiny, sizeof(tiny), NULL, 0,
                          0), EAI_OVERFLOW);
    EXPECT_EQ(getnameinfo((struct sockaddr *)&sin, 4, host, sizeof(host), NULL, 0, 0),
              EAI_FAMILY);
    EXPECT((h = gethostbyname("web-2")) && strcmp(h->h_name, "web-2") == 0 &&
           h->h_addrtype == AF_INET && h->h_length == 4 &&
           *(uint32_t *)h->h_addr_list[0] == inet_addr("10.0.0.2") && !h->h_addr_list[1]);
    EXPECT((h = gethostbyname("10.7.7.7")) && *(uint32_t *)h->h_addr == inet_addr("10.7.7.7"));
    EXPECT(gethostbyname("nowhere") == NULL && h_errno == HOST_NOT_FOUND);
    uint32_t a = inet_addr("10.0.0.1");
    EXPECT((h = gethostbyaddr(&a, 4, AF_INET)) && strcmp(h->h_name, "host") == 0);
    EXPECT(gethostbyaddr(&a, 16, AF_INET6) == NULL);
}

KTEST_MAIN(KTEST_CASE(inet_aton_classic_forms),
           KTEST_CASE(inet_pton_and_ntop),
           KTEST_CASE(hosts_table),
           KTEST_CASE(getaddrinfo_answers),
           KTEST_CASE(getaddrinfo_errors),
           KTEST_CASE(getaddrinfo_canonname_and_list),
           KTEST_CASE(nameinfo_and_hostent))

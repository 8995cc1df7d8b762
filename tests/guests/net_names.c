/*
 * The run's names (docs/net.md, "Names"), written with the POSIX calls
 * only (test_net.py).  Every guest gets the same arguments; the role is
 * the guest's name up to its first '-' (names-2: names):
 *
 *   names         checks each argument:
 *                   is=NAME=ADDR    getaddrinfo and gethostbyname give ADDR
 *                   none=NAME       getaddrinfo says EAI_NONAME,
 *                                   gethostbyname HOST_NOT_FOUND
 *                   rev=ADDR=NAME   getnameinfo (NI_NAMEREQD) and
 *                                   gethostbyaddr give NAME
 *                   norev=ADDR      getnameinfo (NI_NAMEREQD) says
 *                                   EAI_NONAME
 *                 then prints "net_names: names ok (N checks)"
 *   hosts_write   writes into the hosts table dom0 mapped read-only (start
 *                 info hosts_va): the write must fault, so "FAIL" follows
 *                 only if it did not
 *
 * socket() first: it brings the NIC up, and links it, so that the image
 * asks for one and gets the hosts table.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <keel/hosts.h>
#include <libos/start.h>

static int checks;

static void fail(const char *what, const char *arg)
{
    printf("net_names: FAIL %s: %s\n", what, arg);
    exit(1);
}

/* "is=NAME=ADDR": the name resolves to the address, both ways of asking. */
static void is(char *arg)
{
    char *eq = strrchr(arg, '=');
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
    struct in_addr want;
    struct hostent *h;

    if (!eq || !inet_aton(eq + 1, &want))
        fail("bad argument", arg);
    *eq = '\0';
    if (getaddrinfo(arg, "80", &hints, &res))
        fail("getaddrinfo does not know", arg);
    if (((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr != want.s_addr)
        fail("getaddrinfo's address differs for", arg);
    freeaddrinfo(res);
    if (!(h = gethostbyname(arg)) || memcmp(h->h_addr_list[0], &want, 4))
        fail("gethostbyname's address differs for", arg);
    checks++;
}

static void none(const char *name)
{
    struct addrinfo *res;

    if (getaddrinfo(name, NULL, NULL, &res) != EAI_NONAME)
        fail("getaddrinfo knows", name);
    if (gethostbyname(name) || h_errno != HOST_NOT_FOUND)
        fail("gethostbyname knows", name);
    checks++;
}

static int reverse(const char *ip, char *host, size_t len)
{
    struct sockaddr_in a = { .sin_family = AF_INET };

    if (!inet_aton(ip, &a.sin_addr))
        fail("bad address", ip);
    return getnameinfo((struct sockaddr *)&a, sizeof(a), host, (socklen_t)len, NULL, 0,
                       NI_NAMEREQD);
}

/* "rev=ADDR=NAME" */
static void rev(char *arg)
{
    char *eq = strchr(arg, '='), host[NI_MAXHOST];
    struct in_addr a;
    struct hostent *h;

    if (!eq)
        fail("bad argument", arg);
    *eq = '\0';
    if (reverse(arg, host, sizeof(host)) || strcmp(host, eq + 1))
        fail("getnameinfo's name differs for", arg);
    inet_aton(arg, &a);
    if (!(h = gethostbyaddr(&a, 4, AF_INET)) || strcmp(h->h_name, eq + 1))
        fail("gethostbyaddr's name differs for", arg);
    checks++;
}

static void names(int argc, char **argv)
{
    char host[NI_MAXHOST];

    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "is=", 3))
            is(argv[i] + 3);
        else if (!strncmp(argv[i], "none=", 5))
            none(argv[i] + 5);
        else if (!strncmp(argv[i], "rev=", 4))
            rev(argv[i] + 4);
        else if (!strncmp(argv[i], "norev=", 6) &&
                 reverse(argv[i] + 6, host, sizeof(host)) != EAI_NONAME)
            fail("getnameinfo names", argv[i] + 6);
        else if (!strncmp(argv[i], "norev=", 6))
            checks++;
    }
    printf("net_names: names ok (%d checks)\n", checks);
}

static void hosts_write(void)
{
    const struct keel_start_info *si = libos_start_info();
    volatile char *t = (volatile char *)(uintptr_t)si->hosts_va;

    if (!t || si->hosts_bytes < sizeof(struct keel_hosts_header) ||
        memcmp((const char *)t, KEEL_HOSTS_MAGIC, 8))
        fail("no hosts table", "start info");
    printf("net_names: writing the hosts table at %p\n", (void *)t);
    fflush(stdout);
    t[0] = 'X';
    fail("the hosts table is writable", "start info");
}

int main(int argc, char **argv)
{
    char role[32];

    snprintf(role, sizeof(role), "%s", argc ? argv[0] : "");
    role[strcspn(role, "-")] = 0;
    if (socket(AF_INET, SOCK_DGRAM, 0) < 0)
        fail("socket", "udp");
    if (!strcmp(role, "names"))
        names(argc, argv);
    else if (!strcmp(role, "hosts_write"))
        hosts_write();
    else
        fail("role", role);
    return 0;
}

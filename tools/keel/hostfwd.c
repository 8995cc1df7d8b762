/*
 * `-p` on QEMU's side (portfwd.c has the command line's): the hostfwd
 * rules of the user-mode -netdev, QEMU's failure to open a host socket
 * turned into one line, and QEMU's listen backlog widened.
 *
 * QEMU binds every host socket when it starts and exits when one fails,
 * quoting the rule: keel_explain_hostfwd finds the -p it came from.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "keel.h"

#define RULE_MAX 64     /* "udp:255.255.255.255:65535-10.0.16.160:65535" */

/* QEMU's hostfwd value, as QEMU quotes it back in its error. */
static void format_rule(const struct keel_port *p, char *out, size_t size)
{
    char host[INET_ADDRSTRLEN], guest[INET_ADDRSTRLEN];
    keel_format_ipv4(p->host_addr, host, sizeof(host));
    keel_format_ipv4(keel_net_plan_guest_ipv4((uint32_t)p->idx), guest, sizeof(guest));
    snprintf(out, size, "%s:%s:%u-%s:%u", keel_port_proto(p), host, p->host_port,
             guest, p->guest_port);
}

char *keel_hostfwd_rules(const struct keel_port *p, int np)
{
    char *s = malloc((size_t)np * (RULE_MAX + 10) + 1), rule[RULE_MAX];
    size_t len = 0;
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < np; i++) {
        format_rule(&p[i], rule, sizeof(rule));
        len += (size_t)sprintf(s + len, ",hostfwd=%s", rule);
    }
    return s;
}

/* Why QEMU could not listen: we try the same socket (a port in use, an
 * address not the host's, a privileged port). */
static int bind_error(const struct keel_port *p)
{
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons(p->host_port),
                              .sin_addr.s_addr = htonl(p->host_addr) };
    int one = 1, e = 0;
    int fd = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    if (!p->udp)        /* as QEMU's listener: TIME-WAIT does not block it */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || (!p->udp && listen(fd, 1)))
        e = errno;
    close(fd);
    return e;
}

bool keel_explain_hostfwd(const struct keel_opts *o, const char *qemu_err,
                          size_t len, FILE *f)
{
    static const char key[] = "host forwarding rule '";
    char rule[RULE_MAX], addr[INET_ADDRSTRLEN];
    const char *at = memmem(qemu_err, len, key, sizeof(key) - 1);
    if (!at)
        return false;
    at += sizeof(key) - 1;
    for (int i = 0; i < o->nports; i++) {
        const struct keel_port *p = &o->ports[i];
        format_rule(p, rule, sizeof(rule));
        size_t n = strlen(rule);
        if ((size_t)(qemu_err + len - at) <= n || memcmp(at, rule, n) || at[n] != '\'')
            continue;
        int e = bind_error(p);
        keel_format_ipv4(p->host_addr, addr, sizeof(addr));
        fprintf(f, "keel: -p '%s': cannot listen on %s:%u/%s: %s\n", p->spec,
                addr, p->host_port, keel_port_proto(p),
                e ? strerror(e) : "QEMU could not (try again)");
        return true;
    }
    fprintf(f, "keel: QEMU could not set up a forwarded port (-p)\n");
    return true;
}

/*
 * QEMU's user mode listens on each forwarded TCP port with a backlog of
 * one connection: 200 clients connecting at once overflow it, and the
 * host's kernel drops their handshakes (they retry, seconds later; some
 * give up).  QEMU has no option for it, but a listening socket takes a
 * new backlog from any listen() on it: we borrow each of QEMU's listening
 * sockets (pidfd_getfd: QEMU is our child) and listen again with the
 * kernel's maximum.  Where that is not allowed (an old kernel, ptrace
 * restrictions) the backlog stays QEMU's; -v says so.
 */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static const struct keel_port *forwarded_listener(const struct keel_opts *o, int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int listening = 0;
    socklen_t ilen = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) || !listening ||
        getsockname(fd, (struct sockaddr *)&sa, &len) || sa.sin_family != AF_INET)
        return NULL;
    for (int i = 0; i < o->nports; i++)
        if (!o->ports[i].udp && ntohs(sa.sin_port) == o->ports[i].host_port &&
            ntohl(sa.sin_addr.s_addr) == o->ports[i].host_addr)
            return &o->ports[i];
    return NULL;
}

int keel_widen_backlogs(const struct keel_opts *o, pid_t qemu)
{
    char dir[64];
    int pidfd, widened = 0;
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)qemu);
    if ((pidfd = (int)syscall(SYS_pidfd_open, qemu, 0)) < 0)
        return -errno;
    if (!(d = opendir(dir))) {
        close(pidfd);
        return -errno;
    }
    while ((e = readdir(d))) {
        int fd = e->d_name[0] == '.' ? -1 :
                 (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
        if (fd < 0)
            continue;
        if (forwarded_listener(o, fd) && listen(fd, SOMAXCONN) == 0)
            widened++;
        close(fd);
    }
    closedir(d);
    close(pidfd);
    return widened;
}

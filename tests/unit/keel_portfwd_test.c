/*
 * `keel run -p` (tools/keel/portfwd.c): the spec's syntax, its guests,
 * the hostfwd rules QEMU gets, -v's plan, and QEMU's bind failure turned
 * into one line.
 */
#include "ktest.h"
#include <arpa/inet.h>
#include "keel_cmdline.h"

static char msg[512];

/* Parses spec; the message (one line, or "") in msg. */
static int parse(const char *spec, struct keel_port *p)
{
    FILE *f = fmemopen(msg, sizeof(msg), "w");
    int rc = keel_parse_port(spec, p, f);
    fclose(f);
    return rc;
}

static bool one_line(void)
{
    char *nl = strchr(msg, '\n');
    return !strncmp(msg, "keel: ", 6) && nl && !nl[1];
}

static bool guest_is(const struct keel_port *p, const char *name)
{
    return name ? p->guest && p->guest_len == strlen(name) &&
                  !memcmp(p->guest, name, p->guest_len)
                : !p->guest;
}

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

KTEST(good_specs)
{
    struct keel_port p;
    EXPECT_EQ(parse("8080:80", &p), 0);
    EXPECT(guest_is(&p, NULL) && p.host_addr == ADDR(127, 0, 0, 1));
    EXPECT(p.host_port == 8080 && p.guest_port == 80 && !p.udp && p.idx == -1);
    EXPECT_EQ(parse("0.0.0.0:8080:80/tcp", &p), 0);
    EXPECT(guest_is(&p, NULL) && p.host_addr == 0 && !p.udp);
    EXPECT_EQ(parse("web:5353:53/udp", &p), 0);
    EXPECT(guest_is(&p, "web") && p.host_addr == ADDR(127, 0, 0, 1) && p.udp);
    EXPECT(p.host_port == 5353 && p.guest_port == 53);
    EXPECT_EQ(parse("2:192.168.1.5:1:65535", &p), 0);
    EXPECT(guest_is(&p, "2") && p.host_addr == ADDR(192, 168, 1, 5));
    EXPECT(p.host_port == 1 && p.guest_port == 65535);
    /* three fields: an IPv4 address is HOSTADDR, anything else a name */
    EXPECT_EQ(parse("10.1.2.3:80:80", &p), 0);
    EXPECT(guest_is(&p, NULL) && p.host_addr == ADDR(10, 1, 2, 3));
    EXPECT_EQ(parse("10.1.2.300:80:80", &p), 0);
    EXPECT(guest_is(&p, "10.1.2.300"));
    EXPECT(!strcmp(p.spec, "10.1.2.300:80:80") && !msg[0]);
}

KTEST(bad_specs_one_line_each)
{
    static const char *const bad[] = {
        "", "80", ":80", "8080:", "8080:80:", "a:b:c:d:e", ":8080:80",
        "web::8080:80", "web:localhost:8080:80", "8080:80/sctp", "8080:80/",
        "8080:80/udp/udp", "0:80", "8080:0", "65536:80", "8080:99999",
        "-1:80", "+80:80", "8080:8o", "08080 :80", "1e3:80", "8080/udp:80",
        "web:1.2.3.4:0:80", "000080:80",
    };
    struct keel_port p;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parse(bad[i], &p);
        EXPECT_EQ(rc, -1);
        if (rc != -1 || !one_line())
            printf("    # spec '%s': %s\n", bad[i], msg);
        EXPECT(one_line());
    }
    parse("8080:0", &p);
    EXPECT(strstr(msg, "'0' is not a port (a number from 1 to 65535)"));
    parse("65536:80", &p);
    EXPECT(strstr(msg, "'65536' is not a port"));
    parse("80", &p);
    EXPECT(strstr(msg, "-p wants [NAME:][HOSTADDR:]HOSTPORT:GUESTPORT[/udp], not '80'"));
    parse("web:localhost:8080:80", &p);
    EXPECT(strstr(msg, "HOSTADDR must be an IPv4 address"));
}

static char *names[] = { "web", "db", "web-2" };

static int resolve_all(struct keel_port *p, int np, const bool *nic)
{
    FILE *f = fmemopen(msg, sizeof(msg), "w");
    int rc = keel_resolve_ports(p, np, names, 3, nic, f);
    fclose(f);
    return rc;
}

KTEST(guests_by_name_or_index)
{
    struct keel_port p[4];
    parse("8080:80", &p[0]);
    parse("db:5432:5432", &p[1]);
    parse("2:8081:80", &p[2]);
    parse("web-2:0.0.0.0:9000:9000/udp", &p[3]);
    EXPECT_EQ(resolve_all(p, 4, NULL), 0);
    EXPECT(p[0].idx == 0 && p[1].idx == 1 && p[2].idx == 2 && p[3].idx == 2);
    parse("cache:8080:80", &p[0]);
    EXPECT_EQ(resolve_all(p, 1, NULL), -1);
    EXPECT(one_line() && strstr(msg, "no guest 'cache' (names or indices 0..2)"));
    parse("3:8080:80", &p[0]);
    EXPECT_EQ(resolve_all(p, 1, NULL), -1);
    parse("01:8080:80", &p[0]);
    EXPECT_EQ(resolve_all(p, 1, NULL), -1);
}

KTEST(guest_without_nic)
{
    static const bool nic[] = { true, false, true };
    struct keel_port p[2];
    parse("8080:80", &p[0]);
    parse("db:5432:5432", &p[1]);
    EXPECT_EQ(resolve_all(p, 1, nic), 0);
    EXPECT_EQ(resolve_all(p, 2, nic), -1);
    EXPECT(one_line() && strstr(msg, "guest db has no network interface"));
}

/* QEMU binds one socket per rule and fails on a second on the same port:
 * refused here, with both specs named. */
KTEST(one_host_socket_twice)
{
    struct keel_port p[2];
    parse("8080:80", &p[0]);
    parse("db:8080:81", &p[1]);
    EXPECT_EQ(resolve_all(p, 2, NULL), -1);
    EXPECT(one_line() && strstr(msg, "-p '8080:80' and -p 'db:8080:81'"));
    parse("0.0.0.0:8080:80", &p[1]);
    EXPECT_EQ(resolve_all(p, 2, NULL), -1);
    parse("8080:80/udp", &p[1]);                  /* another protocol */
    EXPECT_EQ(resolve_all(p, 2, NULL), 0);
    parse("10.0.0.9:8080:80", &p[1]);             /* another address */
    EXPECT_EQ(resolve_all(p, 2, NULL), 0);
}

KTEST(hostfwd_rules_to_the_plan)
{
    struct keel_port p[3];
    parse("8080:80", &p[0]);
    parse("web-2:0.0.0.0:5353:53/udp", &p[1]);
    EXPECT_EQ(resolve_all(p, 2, NULL), 0);
    char *s = keel_hostfwd_rules(p, 2);
    EXPECT(s && !strcmp(s, ",hostfwd=tcp:127.0.0.1:8080-10.0.1.1:80"
                           ",hostfwd=udp:0.0.0.0:5353-10.0.1.3:53"));
    free(s);
    s = keel_hostfwd_rules(p, 0);
    EXPECT(s && !strcmp(s, ""));
    free(s);
    /* the last guest of the largest run, and the longest rule */
    parse("255.255.255.255:65535:65535/udp", &p[2]);
    p[2].idx = KEEL_LAUNCH_MAX_GUESTS - 1;
    s = keel_hostfwd_rules(&p[2], 1);
    EXPECT(s && !strcmp(s, ",hostfwd=udp:255.255.255.255:65535-10.0.47.224:65535"));
    free(s);
}

static struct keel_opts o;
static FILE *sink;

static int parse_run(int argc, char **argv)
{
    free(o.images);
    free(o.connects);
    free(o.ports);
    if (!sink)
        sink = fopen("/dev/null", "w");
    return keel_parse_run(argc, argv, &o, sink);
}

#define RUN(...) parse_run((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
                           (char *[]){ __VA_ARGS__ })

/* -p on the command line: repeatable, and only on QEMU's user mode. */
KTEST(command_line)
{
    EXPECT_EQ(RUN("run", "-p", "8080:80", "a.img", "--publish=b:53:53/udp",
                  "-p=9:1", "b.img"), 0);
    EXPECT_EQ(o.nports, 3);
    EXPECT(o.ports[0].host_port == 8080 && guest_is(&o.ports[1], "b") &&
           o.ports[1].udp && o.ports[2].guest_port == 1);
    EXPECT_EQ(o.nimages, 2);
    EXPECT_EQ(RUN("run", "-p", "8080:0", "a.img"), -1);
    EXPECT_EQ(RUN("run", "a.img", "-p"), -1);
    EXPECT_EQ(RUN("run", "--net", "none", "-p", "8080:80", "a.img"), -1);
    EXPECT_EQ(RUN("run", "-p", "8080:80", "--net", "tap:tap0", "a.img"), -1);
    EXPECT_EQ(RUN("run", "-p", "8080:80", "--net", "user", "a.img"), 0);
    EXPECT_EQ(RUN("run", "--net", "none", "a.img"), 0);
    EXPECT_EQ(o.nports, 0);
}

KTEST(verbose_plan)
{
    static char *imgs[] = { "web.img", "db.img", "web.img" };
    static const bool nic[] = { true, false, true };
    char *out = NULL;
    size_t len;
    struct keel_port p[2];
    parse("8080:80", &p[0]);
    parse("2:0.0.0.0:5353:53/udp", &p[1]);
    EXPECT_EQ(resolve_all(p, 2, nic), 0);
    struct keel_opts v = { .nimages = 3, .images = imgs, .nports = 2, .ports = p };
    FILE *f = open_memstream(&out, &len);
    keel_show_plan(&v, names, nic, f);
    fclose(f);
    EXPECT(out && !strcmp(out,
        "keel: network user (QEMU's; the host is 10.0.0.2), 10.0.0.0/16\n"
        "keel: guest web: 10.0.1.1, ports 127.0.0.1:8080->80/tcp\n"
        "keel: guest db: no network interface\n"
        "keel: guest web-2: 10.0.1.3, ports 0.0.0.0:5353->53/udp\n"));
    free(out);
}

/* QEMU 7.2's words when a hostfwd socket cannot be bound: the launcher
 * names the -p and says why (binding the same socket itself). */
KTEST(qemu_bind_failure_explained)
{
    static const char qemu[] = "qemu-system-x86_64: -netdev user,id=net0,"
        "hostfwd=tcp:127.0.0.1:%u-10.0.1.1:80: Could not set up host "
        "forwarding rule 'tcp:127.0.0.1:%u-10.0.1.1:80'\n";
    char err[512], spec[32];
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof(sa);
    int busy = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT(busy >= 0 && bind(busy, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
           listen(busy, 1) == 0 &&
           getsockname(busy, (struct sockaddr *)&sa, &sl) == 0);
    unsigned port = ntohs(sa.sin_port);
    struct keel_port p[2];
    snprintf(spec, sizeof(spec), "%u:80", port);
    parse("web-2:9999:99", &p[0]);
    parse(spec, &p[1]);
    EXPECT_EQ(resolve_all(p, 2, NULL), 0);
    struct keel_opts v = { .nports = 2, .ports = p };
    int n = snprintf(err, sizeof(err), qemu, port, port);
    FILE *f = fmemopen(msg, sizeof(msg), "w");
    EXPECT(keel_explain_hostfwd(&v, err, (size_t)n, f));
    fclose(f);
    char want[128];
    snprintf(want, sizeof(want), "keel: -p '%u:80': cannot listen on "
             "127.0.0.1:%u/tcp: Address already in use\n", port, port);
    EXPECT(!strcmp(msg, want));
    close(busy);
    f = fmemopen(msg, sizeof(msg), "w");
    EXPECT(!keel_explain_hostfwd(&v, "qemu: something else\n", 21, f));
    fclose(f);
}

KTEST_MAIN(KTEST_CASE(good_specs), KTEST_CASE(bad_specs_one_line_each),
           KTEST_CASE(guests_by_name_or_index), KTEST_CASE(guest_without_nic),
           KTEST_CASE(one_host_socket_twice), KTEST_CASE(hostfwd_rules_to_the_plan),
           KTEST_CASE(command_line), KTEST_CASE(verbose_plan),
           KTEST_CASE(qemu_bind_failure_explained))

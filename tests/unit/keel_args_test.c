/* The `keel run` command line (tools/keel/args.c); -p's own syntax is
 * keel_portfwd_test.c's. */
#include "ktest.h"
#include "keel_cmdline.h"

static struct keel_opts o;
static FILE *sink;

static int parse(int argc, char **argv)
{
    free(o.images);
    o.images = NULL;
    if (!sink)
        sink = fopen("/dev/null", "w");
    return keel_parse_run(argc, argv, &o, sink);
}

#define PARSE(...) parse((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
                         (char *[]){ __VA_ARGS__ })

KTEST(defaults)
{
    EXPECT_EQ(PARSE("run", "a.img"), 0);
    EXPECT_EQ(o.nimages, 1);
    EXPECT(!strcmp(o.images[0], "a.img"));
    EXPECT_EQ(o.smp, 2);
    EXPECT(!strcmp(o.mem, "2048M"));
    EXPECT(o.timeout_s == 0 && !o.verbose && !o.timings && !o.kvm);
    EXPECT_EQ(o.net, KEEL_NET_USER);
    EXPECT_EQ(o.nargs, 0);
}

KTEST(options_and_args)
{
    EXPECT_EQ(PARSE("run", "-v", "--timeout", "2.5", "a.img", "--timings", "b.img",
                    "--smp=4", "--mem", "512M", "--kvm", "--", "x", "-v", "--"), 0);
    EXPECT_EQ(o.nimages, 2);
    EXPECT(!strcmp(o.images[1], "b.img"));
    EXPECT(o.verbose && o.timings && o.kvm);
    EXPECT(o.timeout_s == 2.5);
    EXPECT_EQ(o.smp, 4);
    EXPECT(!strcmp(o.mem, "512M"));
    EXPECT_EQ(o.nargs, 3);
    EXPECT(!strcmp(o.args[0], "x") && !strcmp(o.args[1], "-v") && !strcmp(o.args[2], "--"));
}

KTEST(environment_options)
{
    EXPECT_EQ(PARSE("run", "-e", "A=1", "--env=B=x=y", "a.img", "-e", "C=", "--", "-e", "D=4"), 0);
    EXPECT_EQ(o.nenv, 3);
    EXPECT(!strcmp(o.env[0], "A=1") && !strcmp(o.env[1], "B=x=y") && !strcmp(o.env[2], "C="));
    EXPECT_EQ(o.nargs, 2);                /* after --: the guest's */
    EXPECT_EQ(PARSE("run", "-e", "NOEQUALS", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "-e", "=value", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "-e", "", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "a.img", "-e"), -1);
}

KTEST(bad_command_lines)
{
    EXPECT_EQ(PARSE("run"), -1);
    EXPECT_EQ(PARSE("run", "--", "x"), -1);
    EXPECT_EQ(PARSE("run", "--timeout", "0", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--timeout", "3s", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "a.img", "--timeout"), -1);
    EXPECT_EQ(PARSE("run", "--smp", "256", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--frobnicate", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--help"), 0);
    EXPECT(o.help);
}

KTEST(memory_sizes)
{
    char out[32];
    EXPECT(keel_parse_mem("2G", out, sizeof(out)) == 0 && !strcmp(out, "2048M"));
    EXPECT(keel_parse_mem("64m", out, sizeof(out)) == 0 && !strcmp(out, "64M"));
    EXPECT(keel_parse_mem("1GB", out, sizeof(out)) == 0 && !strcmp(out, "1024M"));
    EXPECT(keel_parse_mem("300", out, sizeof(out)) == 0 && !strcmp(out, "300M"));
    EXPECT(keel_parse_mem("1048576K", out, sizeof(out)) == 0 && !strcmp(out, "1024M"));
    EXPECT_EQ(keel_parse_mem("16M", out, sizeof(out)), -1);
    EXPECT_EQ(keel_parse_mem("-1G", out, sizeof(out)), -1);
    EXPECT_EQ(keel_parse_mem("1Q", out, sizeof(out)), -1);
    EXPECT_EQ(keel_parse_mem("1GBB", out, sizeof(out)), -1);
    EXPECT_EQ(keel_parse_mem("", out, sizeof(out)), -1);
}

/* --guest-mem: bytes, whole pages, 64K .. 64G; it reaches the manifest */
KTEST(guest_memory_sizes)
{
    uint64_t v = 0;
    EXPECT(keel_parse_guest_mem("64M", &v) == 0 && v == 64ull << 20);
    EXPECT(keel_parse_guest_mem("1g", &v) == 0 && v == 1ull << 30);
    EXPECT(keel_parse_guest_mem("512K", &v) == 0 && v == 512ull << 10);
    EXPECT(keel_parse_guest_mem("65536", &v) == 0 && v == 65536);
    EXPECT(keel_parse_guest_mem("64G", &v) == 0 && v == KEEL_GUEST_MAX_BYTES);
    EXPECT_EQ(keel_parse_guest_mem("65G", &v), -1);
    EXPECT_EQ(keel_parse_guest_mem("32K", &v), -1);
    EXPECT_EQ(keel_parse_guest_mem("5000", &v), -1);              /* not whole pages */
    EXPECT_EQ(keel_parse_guest_mem("18446744073709551615G", &v), -1);
    EXPECT_EQ(keel_parse_guest_mem("1MB", &v), -1);
    EXPECT_EQ(keel_parse_guest_mem("", &v), -1);
    EXPECT_EQ(PARSE("run", "--guest-mem", "16M", "a.img"), 0);
    EXPECT_EQ(o.guest_mem, 16ull << 20);
    EXPECT_EQ(PARSE("run", "--guest-mem=1M", "a.img"), 0);
    EXPECT_EQ(o.guest_mem, 1ull << 20);
    EXPECT_EQ(PARSE("run", "--guest-mem", "1Q", "a.img"), -1);
}

/* launch.h's limit: exactly KEEL_LAUNCH_MAX_GUESTS images are a run, one
 * more is a usage error that says the limit. */
KTEST(guest_limit)
{
    enum { N = KEEL_LAUNCH_MAX_GUESTS + 1 };
    static char *argv[N + 3];
    char *msg = NULL;
    size_t len;

    argv[0] = "run";
    for (int i = 1; i <= N; i++)
        argv[i] = "a.img";
    EXPECT_EQ(parse(N, argv), 0);
    EXPECT_EQ(o.nimages, KEEL_LAUNCH_MAX_GUESTS);
    argv[N] = "--";
    argv[N + 1] = "x";
    EXPECT_EQ(parse(N + 2, argv), 0);     /* arguments are not guests */
    argv[N] = "a.img";
    FILE *f = open_memstream(&msg, &len);
    free(o.images);
    EXPECT_EQ(keel_parse_run(N + 1, argv, &o, f), -1);
    fclose(f);
    EXPECT(msg && strstr(msg, "12001 guests asked for; one run boots at most 12000"));
    free(msg);
}

/* --net: user, none, tap:IFNAME with a name Linux and QEMU's option
 * syntax both take; the last one given wins. */
KTEST(net_modes)
{
    EXPECT_EQ(PARSE("run", "--net", "none", "a.img"), 0);
    EXPECT_EQ(o.net, KEEL_NET_NONE);
    EXPECT_EQ(PARSE("run", "--net=tap:tap0", "a.img"), 0);
    EXPECT_EQ(o.net, KEEL_NET_TAP);
    EXPECT(!strcmp(o.tap, "tap0"));
    EXPECT_EQ(PARSE("run", "--net", "none", "--net", "user", "a.img"), 0);
    EXPECT_EQ(o.net, KEEL_NET_USER);
    EXPECT_EQ(PARSE("run", "--net", "tap:keel-tap-012345", "a.img"), 0);   /* 15 */
    EXPECT(!strcmp(o.tap, "keel-tap-012345"));
    EXPECT_EQ(PARSE("run", "--net", "tap:keel-tap-0123456", "a.img"), -1); /* 16 */
    EXPECT_EQ(PARSE("run", "--net", "tap:", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--net", "tap:a,b", "a.img"), -1);   /* QEMU's separator */
    EXPECT_EQ(PARSE("run", "--net", "tap:a/b", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--net", "tap:a b", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--net", "tap:..", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--net", "tap", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "--net", "bridge", "a.img"), -1);
    EXPECT_EQ(PARSE("run", "a.img", "--net"), -1);
}

/* keel/launch.h's network plan, which the launcher and dom0 share. */
KTEST(net_plan)
{
    uint8_t mac[6];

    EXPECT_EQ(keel_net_plan_netmask(), 0xffff0000u);
    EXPECT_EQ(KEEL_NET_PLAN_GATEWAY & keel_net_plan_netmask(), KEEL_NET_PLAN_SUBNET);
    EXPECT_EQ(keel_net_plan_guest_ipv4(0), 0x0a000101u);          /* 10.0.1.1 */
    EXPECT_EQ(keel_net_plan_guest_ipv4(KEEL_LAUNCH_MAX_GUESTS - 1), 0x0a002fe0u);          /* 10.0.47.224 */
    keel_net_plan_guest_mac(0, mac);
    EXPECT(!memcmp(mac, "\x02\x4b\x0a\x00\x01\x01", 6));
    keel_net_plan_guest_mac(KEEL_LAUNCH_MAX_GUESTS - 1, mac);
    EXPECT(!memcmp(mac, "\x02\x4b\x0a\x00\x2f\xe0", 6));
    EXPECT_EQ(mac[0] & 3, 2);                    /* local, unicast */
}

KTEST_MAIN(KTEST_CASE(defaults), KTEST_CASE(options_and_args), KTEST_CASE(guest_memory_sizes),
           KTEST_CASE(net_modes), KTEST_CASE(net_plan),
           KTEST_CASE(environment_options), KTEST_CASE(bad_command_lines), KTEST_CASE(memory_sizes),
           KTEST_CASE(guest_limit))

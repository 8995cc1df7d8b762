/* The `keel run` command line. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "keel.h"

void keel_usage(FILE *f)
{
    fprintf(f,
        "usage: keel run [OPTIONS] IMAGE... [-- ARGS...]\n"
        "       keel run --help\n"
        "       keel --help\n"
        "\n"
        "Boots QEMU with the Keel hypervisor, domain zero and the given\n"
        "unikernel images (built with bin/mkimage); the guests' output is\n"
        "this command's output and their exit status its exit status.\n");
}

void keel_run_usage(FILE *f)
{
    fprintf(f,
        "usage: keel run [OPTIONS] IMAGE... [-- ARGS...]\n"
        "\n"
        "Runs each IMAGE as a guest.  ARGS after -- go to every guest, after\n"
        "argv[0] (the guest's name: its file name without extension).\n"
        "With several guests each output line is prefixed \"name| \".\n"
        "At most %d guests and %d distinct images; --mem must hold what\n"
        "every guest starts with (about its image, stack and 64K of heap)\n"
        "plus about 48K each, and what they grow to.\n"
        "\n"
        "options:\n"
        "  -v, --verbose    show the hypervisor's and dom0's logs on stderr\n"
        "  --timeout S      stop the machine after S seconds (status 124)\n"
        "  --timings        show dom0's build timings on stderr\n"
        "  -e, --env NAME=VALUE  an environment variable of every guest\n"
        "                   (getenv, environ); repeatable\n"
        "  --progress       show boot progress on stderr (a line a second) for\n"
        "                   runs of 100 guests or more; the default when\n"
        "                   stderr is a terminal\n"
        "  --connect A:B[:NAME]  a channel NAME (default chan) between guests\n"
        "                   A and B (names or 0-based indices); A grants\n"
        "  --smp N          virtual CPUs of the machine (default 2)\n"
        "  --mem SIZE       machine memory, e.g. 512M or 2G (default 2G)\n"
        "  --guest-mem SIZE the most memory each guest may have, instead of\n"
        "                   its image's (mkimage --mem, default 256M); a\n"
        "                   guest starts with what it needs and grows\n"
        "  --net MODE       the machine's NIC: user (default: QEMU's user-mode\n"
        "                   network, 10.0.0.0/16, gateway 10.0.0.2, no root\n"
        "                   needed), tap:IFNAME (an existing tap interface),\n"
        "                   or none\n"
        "  -p, --publish [NAME:][HOSTADDR:]HOSTPORT:GUESTPORT[/udp]\n"
        "                   forward HOSTADDR:HOSTPORT (default 127.0.0.1; 0.0.0.0:\n"
        "                   every interface) to GUESTPORT of guest NAME (a name\n"
        "                   or 0-based index; default the first guest), TCP\n"
        "                   unless /udp; repeatable; --net user only.  Guest i\n"
        "                   is 10.0.1.1 + i; -v shows each guest's address\n"
        "  --disk [NAME=]FILE[:START+SIZE][:ro][:MOUNTPOINT]\n"
        "                   a raw disk image for guest NAME (a name or index;\n"
        "                   default the first), or SIZE bytes of it from START\n"
        "                   (K/M/G), read-only with :ro, mounted at MOUNTPOINT\n"
        "                   (default /); repeatable; one file may go to several\n"
        "                   guests read-only, or read-write in slices that do\n"
        "                   not overlap\n"
        "  --volume [NAME=]DIR[:MOUNTPOINT]\n"
        "                   DIR as a read-only ext2 disk made for this run\n"
        "                   (mke2fs -d), otherwise as --disk\n"
        "  --kvm            use KVM instead of TCG (where /dev/kvm works)\n"
        "  -h, --help       this text\n"
        "\n"
        "exit status: the guest's exit status; with several guests 0 if all\n"
        "exited 0, else the first non-zero one in command-line order.\n"
        "  128+N  the guest crashed (139 SEGV, 132 ILL, 136 FPE, 134 abort)\n"
        "  126    the image was rejected, or no memory left for the guest\n"
        "  124    --timeout expired\n"
        "  125    the machine stopped without a result\n"
        "  2      bad command line, missing file, or Keel not built\n"
        "\n"
        "environment: KEEL_QEMU (QEMU binary), KEEL_HV, KEEL_DOM0 (paths)\n",
        KEEL_LAUNCH_MAX_GUESTS, KEEL_LAUNCH_MAX_IMAGES);
}

/* "512M", "2G", "1024" (MiB, as QEMU's -m) -> "<n>M" */
int keel_parse_mem(const char *s, char *out, size_t outsz)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || !isdigit((unsigned char)s[0]))
        return -1;
    unsigned long long mib;
    switch (toupper((unsigned char)*end)) {
    case '\0': case 'M': mib = v; break;
    case 'G': mib = v << 10; break;
    case 'T': mib = v << 20; break;
    case 'K': mib = v >> 10; break;
    default: return -1;
    }
    if (*end && end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2]))
        return -1;
    if (mib < 32 || mib > (1ull << 24) || v > (1ull << 40))
        return -1;
    snprintf(out, outsz, "%lluM", mib);
    return 0;
}

/* "64M", "1G", "512K", "4096": bytes (suffix K, M, G), a whole number of
 * pages from 64 KiB to KEEL_GUEST_MAX_BYTES: a guest's maximum memory. */
int keel_parse_guest_mem(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || !isdigit((unsigned char)s[0]) || v > KEEL_GUEST_MAX_BYTES)
        return -1;
    int shift = 0;
    switch (toupper((unsigned char)*end)) {
    case '\0': break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    default: return -1;
    }
    if (*end && end[1])
        return -1;
    if (v > (KEEL_GUEST_MAX_BYTES >> shift))
        return -1;
    v <<= shift;
    if (v < (64u << 10) || v % KEEL_PAGE_SIZE)
        return -1;
    *out = v;
    return 0;
}

/* A name Linux takes for an interface (dev_valid_name) that QEMU's option
 * syntax can carry (no ','). */
static int valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > KEEL_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (; *s; s++)
        if (*s == '/' || *s == ':' || *s == ',' || *s == '=' ||
            isspace((unsigned char)*s) || !isprint((unsigned char)*s))
            return 0;
    return 1;
}

int keel_parse_net(const char *s, struct keel_opts *o)
{
    if (!strcmp(s, "user"))
        o->net = KEEL_NET_USER;
    else if (!strcmp(s, "none"))
        o->net = KEEL_NET_NONE;
    else if (!strncmp(s, "tap:", 4) && valid_ifname(s + 4)) {
        o->net = KEEL_NET_TAP;
        snprintf(o->tap, sizeof(o->tap), "%s", s + 4);
    } else
        return -1;
    return 0;
}

static int parse_timeout(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_smp(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 1 || v > 255)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* Option with a value: "--opt V" or "--opt=V".  Returns the value or NULL. */
static const char *opt_value(const char *name, int argc, char **argv, int *i)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_one(int argc, char **argv, int *i, struct keel_opts *o,
                     FILE *err)
{
    const char *a = argv[*i], *v;
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) o->verbose = true;
    else if (!strcmp(a, "--timings")) o->timings = true;
    else if (!strcmp(a, "--progress")) o->progress = true;
    else if (!strcmp(a, "--kvm")) o->kvm = true;
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) o->help = true;
    else if ((v = opt_value("--timeout", argc, argv, i))) {
        if (parse_timeout(v, &o->timeout_s) == 0) return 0;
        fprintf(err, "keel: --timeout wants a positive number of seconds, not '%s'\n", v);
        return -1;
    } else if ((v = opt_value("-e", argc, argv, i)) ||
               (v = opt_value("--env", argc, argv, i))) {
        if (v[0] && v[0] != '=' && strchr(v, '=')) {
            o->env[o->nenv++] = (char *)v;
            return 0;
        }
        fprintf(err, "keel: -e wants NAME=VALUE (a non-empty NAME), not '%s'\n", v);
        return -1;
    } else if ((v = opt_value("--connect", argc, argv, i))) {
        o->connects[o->nconnects++] = (char *)v;   /* checked in keel_run */
    } else if ((v = opt_value("-p", argc, argv, i)) ||
               (v = opt_value("--publish", argc, argv, i))) {
        return keel_parse_port(v, &o->ports[o->nports++], err);
    } else if ((v = opt_value("--net", argc, argv, i))) {
        if (keel_parse_net(v, o) == 0) return 0;
        fprintf(err, "keel: --net wants user, none or tap:IFNAME (an interface "
                "name of 1 to %d characters, no '/', ':', ',' or spaces), not '%s'\n",
                KEEL_IFNAME_MAX, v);
        return -1;
    } else if ((v = opt_value("--disk", argc, argv, i))) {
        if (keel_parse_disk(v, o) == 0) return 0;
        fprintf(err, "keel: --disk wants [NAME=]FILE[:START+SIZE][:ro][:MOUNTPOINT] "
                "(at most %d, no ',' in FILE, START and SIZE whole 512-byte sectors, "
                "MOUNTPOINT absolute and at most %u bytes), not '%s'\n",
                KEEL_DISKS_MAX, KEEL_BLK_MOUNT_MAX, v);
        return -1;
    } else if ((v = opt_value("--volume", argc, argv, i))) {
        if (keel_parse_volume(v, o) == 0) return 0;
        fprintf(err, "keel: --volume wants [NAME=]DIR[:MOUNTPOINT] (at most %d "
                "disks and volumes, no ',' in DIR), not '%s'\n", KEEL_DISKS_MAX, v);
        return -1;
    } else if ((v = opt_value("--smp", argc, argv, i))) {
        if (parse_smp(v, &o->smp) == 0) return 0;
        fprintf(err, "keel: --smp wants a number from 1 to 255, not '%s'\n", v);
        return -1;
    } else if ((v = opt_value("--guest-mem", argc, argv, i))) {
        if (keel_parse_guest_mem(v, &o->guest_mem) == 0) return 0;
        fprintf(err, "keel: --guest-mem wants a size like 64M or 1G, a whole "
                "number of 4K pages from 64K to 64G, not '%s'\n", v);
        return -1;
    } else if ((v = opt_value("--mem", argc, argv, i))) {
        if (keel_parse_mem(v, o->mem, sizeof(o->mem)) == 0) return 0;
        fprintf(err, "keel: --mem wants a size like 512M or 2G (at least 32M), not '%s'\n", v);
        return -1;
    } else {
        fprintf(err, "keel: unknown option '%s' (see keel run --help)\n", a);
        return -1;
    }
    return 0;
}

/* argv[0] is "run".  Images point into argv. */
int keel_parse_run(int argc, char **argv, struct keel_opts *o, FILE *err)
{
    memset(o, 0, sizeof(*o));
    o->smp = 2;
    strcpy(o->mem, "2048M");
    o->images = calloc((size_t)argc + 1, sizeof(char *));
    o->connects = calloc((size_t)argc + 1, sizeof(char *));
    o->ports = calloc((size_t)argc + 1, sizeof(*o->ports));
    o->env = calloc((size_t)argc + 1, sizeof(char *));
    if (!o->images || !o->connects || !o->ports || !o->env)
        return -1;
    int i;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            if (parse_one(argc, argv, &i, o, err))
                return -1;
            continue;
        }
        o->images[o->nimages++] = argv[i];
    }
    o->args = argv + i;
    o->nargs = argc - i;
    if (!o->help && o->nimages == 0) {
        fprintf(err, "keel: no image to run (see keel run --help)\n");
        return -1;
    }
    if (o->nports && o->net != KEEL_NET_USER) {
        fprintf(err, "keel: -p needs --net user (QEMU's user-mode network "
                "forwards the ports); %s\n", o->net == KEEL_NET_NONE ?
                "--net none has no NIC" : "on a tap, reach guests at their "
                "addresses (10.0.1.1 + index)");
        return -1;
    }
    if (o->nimages > KEEL_LAUNCH_MAX_GUESTS) {
        fprintf(err, "keel: %d guests asked for; one run boots at most %d "
                "(dom0 gives each live guest's console one of its event "
                "channel ports and grant pages, keel/launch.h)\n",
                o->nimages, KEEL_LAUNCH_MAX_GUESTS);
        return -1;
    }
    return 0;
}

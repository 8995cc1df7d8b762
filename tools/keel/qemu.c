/*
 * The QEMU machine (docs/design.md, run flow step 1): TCG by default, the
 * serial port on QEMU's stdout (a pipe to us), isa-debug-exit for the
 * hypervisor's poweroff, and the modules in launch.h's order.  QEMU runs in
 * its own process group (a terminal's ^C reaches only us, and we stop it)
 * and dies with us (PR_SET_PDEATHSIG) should we be killed outright.
 * With a host I/O file (hostio.c), an ivshmem-plain device maps it; the
 * machine's NIC is a virtio-net-pci (--net).
 * KEEL_HV_CMDLINE, if set, is the hypervisor's command line (-append; the
 * tests use "noconsoleirq").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "keel.h"

/* The NIC (--net): user mode on the plan of keel/launch.h, with a hostfwd
 * rule for each -p (portfwd.c), or a tap interface that exists already
 * (QEMU runs no script: it needs no root, only access to the tap).  Fixed
 * at slot 3 (00:03.0, INTA on IRQ 11 on QEMU's i440fx), whether the
 * ivshmem device (slot 2, no interrupt pin) is there or not: the
 * hypervisor lends no line another device shares (docs/devices.md), and
 * slot 3 shares it with nothing but the second disk (slot 4), which, like
 * the NIC, interrupts through MSI-X when the hypervisor lends it.  A malloc'd string, or NULL. */
static char *net_args(const struct keel_opts *o)
{
    uint32_t net = KEEL_NET_PLAN_SUBNET, gw = KEEL_NET_PLAN_GATEWAY;
    char *s = NULL, *rules = NULL;

    if (o->net == KEEL_NET_TAP) {
        if (asprintf(&s, "tap,id=net0,ifname=%s,script=no,downscript=no",
                     o->tap) < 0)
            s = NULL;
    } else if ((rules = keel_hostfwd_rules(o->ports, o->nports))) {
        if (asprintf(&s, "user,id=net0,ipv6=off,net=%u.%u.%u.%u/%u,"
                     "host=%u.%u.%u.%u%s", net >> 24, (net >> 16) & 255,
                     (net >> 8) & 255, net & 255, KEEL_NET_PLAN_PREFIX_LEN,
                     gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255, gw & 255,
                     rules) < 0)
            s = NULL;
    }
    free(rules);
    return s;
}

char **keel_qemu_argv(const struct keel_opts *o, const char *qemu,
                      const char *hv, const char *initrd, const char *hostio)
{
    static char mem[4400], smp[16], *netdev;
    static char drive[KEEL_BLKDEVS_MAX][4200], blk[KEEL_BLKDEVS_MAX][64];
    const char *cpu = getenv("KEEL_QEMU_CPU"), *append = getenv("KEEL_HV_CMDLINE");
    const char *a[48];
    size_t n = 0;

    snprintf(smp, sizeof(smp), "%u", o->smp);
    if (!cpu || !*cpu)
        cpu = o->kvm ? "host" : "max";
#define ARGS(...) do {                                          \
        const char *more_[] = { __VA_ARGS__ };                  \
        memcpy(&a[n], more_, sizeof(more_));                    \
        n += sizeof(more_) / sizeof(more_[0]);                  \
    } while (0)
    ARGS(qemu, "-accel", o->kvm ? "kvm" : "tcg", "-cpu", cpu,
         "-smp", smp, "-m", o->mem, "-nodefaults", "-display", "none",
         "-no-reboot", "-serial", "stdio",
         "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
         "-kernel", hv, "-initrd", initrd);
    if (hostio && *hostio) {
        snprintf(mem, sizeof(mem), "memory-backend-file,id=hostio,mem-path=%s,"
                 "size=%u,share=on", hostio, KEEL_HOSTIO_TOTAL_SIZE);
        ARGS("-object", mem, "-device", "ivshmem-plain,memdev=hostio");
    }
    if (o->net != KEEL_NET_NONE) {
        free(netdev);
        if (!(netdev = net_args(o)))
            return NULL;
        /* romfile=: no iPXE option ROM for the firmware to load and run */
        ARGS("-netdev", netdev,
             "-device", "virtio-net-pci,netdev=net0,addr=3,romfile=");
    }
    for (int k = 0; k < o->ndevs; k++) {
        keel_disk_args(o, k, drive[k], sizeof(drive[k]));
        snprintf(blk[k], sizeof(blk[k]), "virtio-blk-pci,drive=disk%d,addr=%d,romfile=",
                 k, o->dev_slot[k]);
        ARGS("-drive", drive[k], "-device", blk[k]);
    }
    if (append && *append)
        ARGS("-append", append);
#undef ARGS
    a[n++] = NULL;
    char **argv = calloc(n, sizeof(char *));
    if (argv)
        memcpy(argv, a, n * sizeof(char *));
    return argv;
}

static void child(char **argv, int in[2], int out[2], int err[2])
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
    if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
        _exit(127);
    close(in[1]);
    close(out[0]);
    close(err[0]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], argv);
    fprintf(stderr, "keel: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Starts QEMU; its stdout (the serial line) and stderr come back as fds. */
static void close_pair(int p[2])
{
    close(p[0]);
    close(p[1]);
}

pid_t keel_qemu_spawn(char **argv, int *out_fd, int *err_fd, int *in_fd)
{
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC))
        return -1;
    if (pipe2(out, O_CLOEXEC)) {
        close_pair(in);
        return -1;
    }
    if (pipe2(err, O_CLOEXEC)) {
        close_pair(in);
        close_pair(out);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        child(argv, in, out, err);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        return -1;
    }
    *in_fd = in[1];
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}

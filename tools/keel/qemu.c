/*
 * The QEMU machine (docs/design.md, run flow step 1): TCG by default, the
 * serial port on QEMU's stdout (a pipe to us), isa-debug-exit for the
 * hypervisor's poweroff, and the modules in launch.h's order.  QEMU runs in
 * its own process group (a terminal's ^C reaches only us, and we stop it)
 * and dies with us (PR_SET_PDEATHSIG) should we be killed outright.
 * With a host I/O file (hostio.c), an ivshmem-plain device maps it.
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

char **keel_qemu_argv(const struct keel_opts *o, const char *qemu,
                      const char *hv, const char *initrd, const char *hostio)
{
    static char mem[4400];
    static char smp[16];
    snprintf(smp, sizeof(smp), "%u", o->smp);
    const char *cpu = getenv("KEEL_QEMU_CPU");
    if (!cpu || !*cpu)
        cpu = o->kvm ? "host" : "max";
    const char *a[] = {
        qemu, "-accel", o->kvm ? "kvm" : "tcg", "-cpu", cpu,
        "-smp", smp, "-m", o->mem, "-nodefaults", "-display", "none",
        "-no-reboot", "-serial", "stdio",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
        "-kernel", hv, "-initrd", initrd,
        "-object", mem, "-device", "ivshmem-plain,memdev=hostio",
        "-append", getenv("KEEL_HV_CMDLINE"), NULL,
    };
    size_t n = sizeof(a) / sizeof(a[0]);
    if (!a[n - 2] || !*a[n - 2])
        a[n - 3] = NULL;            /* no hypervisor command line */
    if (hostio && *hostio)
        snprintf(mem, sizeof(mem), "memory-backend-file,id=hostio,mem-path=%s,"
                 "size=%u,share=on", hostio, KEEL_HOSTIO_TOTAL_SIZE);
    else
        memmove(&a[n - 7], &a[n - 3], 3 * sizeof(a[0]));   /* no device */
    char **argv = calloc(n, sizeof(char *));
    if (argv)
        memcpy(argv, a, sizeof(a));
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

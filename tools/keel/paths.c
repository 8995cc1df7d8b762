/*
 * Where things are.  The launcher lives at <repo>/build/bin/keel; the
 * hypervisor and dom0 are found beside it in the build folder unless
 * KEEL_HV / KEEL_DOM0 name them.  KEEL_QEMU names the QEMU binary.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keel.h"

/* <repo>/build, from /proc/self/exe = <repo>/build/bin/keel */
static int build_dir(char *out, size_t outsz)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *bin = dirname(exe);            /* .../build/bin */
    char *build = dirname(bin);          /* .../build */
    snprintf(out, outsz, "%s", build);
    return 0;
}

static int find_one(char *out, size_t outsz, const char *env, const char *build,
                    const char *rel, const char *what, FILE *err)
{
    const char *e = getenv(env);
    if (e && *e)
        snprintf(out, outsz, "%s", e);
    else
        snprintf(out, outsz, "%s/%s", build, rel);
    struct stat st;
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
        return 0;
    fprintf(err, "keel: %s not found at %s (%s)%s\n", what, out,
            errno ? strerror(errno) : "not a file",
            e && *e ? "" : ": build it with `make`");
    return -1;
}

int keel_find_paths(struct keel_paths *p, FILE *err)
{
    char build[PATH_MAX] = ".";
    if (build_dir(build, sizeof(build)))
        fprintf(err, "keel: cannot tell where the launcher is; looking in .\n");
    p->qemu = getenv("KEEL_QEMU");
    if (!p->qemu || !*p->qemu)
        p->qemu = "qemu-system-x86_64";
    errno = 0;
    if (find_one(p->hv, sizeof(p->hv), "KEEL_HV", build, "hv/keel-hv",
                 "hypervisor", err))
        return -1;
    errno = 0;
    return find_one(p->dom0, sizeof(p->dom0), "KEEL_DOM0", build,
                    "dom0/dom0.img", "dom0 image", err);
}

/*
 * `keel run`: check the images, stage the run, start QEMU, route its
 * output (loop.c), clean up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keel/hosts.h>
#include <keel/launch.h>

#include "keel.h"

static int check_images(const struct keel_opts *o)
{
    for (int i = 0; i < o->nimages; i++) {
        struct stat st;
        if (stat(o->images[i], &st)) {
            fprintf(stderr, "keel: %s: %s\n", o->images[i], strerror(errno));
            return -1;
        }
        if (!S_ISREG(st.st_mode)) {
            fprintf(stderr, "keel: %s: not a regular file\n", o->images[i]);
            return -1;
        }
        if (access(o->images[i], R_OK)) {
            fprintf(stderr, "keel: %s: %s\n", o->images[i], strerror(errno));
            return -1;
        }
    }
    return 0;
}

static char **guest_names(const struct keel_opts *o)
{
    char **names = calloc((size_t)o->nimages, sizeof(char *));
    for (int i = 0; names && i < o->nimages; i++)
        if (!(names[i] = keel_guest_basename(o->images[i])))
            return NULL;
    if (names && keel_unique_names(names, o->nimages))
        return NULL;
    return names;
}

/* Appends "<path> <label>," to the -initrd string. */
static int add_module(char **initrd, size_t *len, const char *path, const char *label)
{
    size_t add = strlen(path) + strlen(label) + 3;
    char *s = realloc(*initrd, *len + add);
    if (!s)
        return -1;
    *len += (size_t)snprintf(s + *len, add, "%s%s %s", *len ? "," : "", path, label);
    *initrd = s;
    return 0;
}

/* The manifest, the hosts table, then one module per distinct image
 * (images.c), labelled with its first guest's name (keel/launch.h). */
static int stage_guests(struct keel_stage *st, const struct keel_opts *o,
                        char **names, const struct keel_connect *conn,
                        const int *image_of, int nimages,
                        char **initrd, size_t *len)
{
    char path[4200], label[64];
    struct keel_manifest m = { names, o->nimages, image_of, nimages,
                               o->args, o->nargs, conn, o->nconnects, o,
                               o->env, o->nenv };
    FILE *f = keel_stage_create(st, "manifest", path, sizeof(path));
    int rc = f ? keel_write_manifest(f, &m) : -1;

    if ((f && fclose(f)) || rc ||
        add_module(initrd, len, path, KEEL_MANIFEST_MODULE_NAME) ||
        keel_stage_hosts(st, o, names, image_of, nimages, path, sizeof(path)) ||
        add_module(initrd, len, path, KEEL_HOSTS_MODULE_NAME))
        rc = -1;
    for (int i = 0, next = 0; rc == 0 && i < o->nimages; i++) {
        if (image_of[i] != next)
            continue;               /* an image staged for an earlier guest */
        char file[32];
        snprintf(file, sizeof(file), "m%d.img", next++);
        keel_module_label(names[i], label, sizeof(label));
        if (keel_stage_link(st, o->images[i], file, path, sizeof(path)) ||
            add_module(initrd, len, path, label))
            rc = -1;
    }
    return rc;
}

/* Stages dom0, the manifest and the images; returns the -initrd string. */
static char *stage_run(struct keel_stage *st, const struct keel_opts *o,
                       char **names, const struct keel_connect *conn,
                       const int *image_of, int nimages,
                       const struct keel_paths *p, char *hv, size_t hvsz)
{
    char path[4200];
    char *initrd = NULL;
    size_t len = 0;
    if (keel_stage_link(st, p->hv, "keel-hv", hv, hvsz) ||
        keel_stage_link(st, p->dom0, "dom0.img", path, sizeof(path)) ||
        add_module(&initrd, &len, path, "dom0") ||
        stage_guests(st, o, names, conn, image_of, nimages, &initrd, &len)) {
        free(initrd);
        return NULL;
    }
    return initrd;
}

/* KEEL_HOSTIO=serial keeps every byte on the serial line (the fallback
 * path, tested). */
static bool want_hostio(void)
{
    const char *v = getenv("KEEL_HOSTIO");
    return !v || strcmp(v, "serial") != 0;
}

static int boot(const struct keel_opts *o, char **names, const char *qemu,
                const char *hv, const char *initrd, struct keel_hostio *h,
                struct keel_stage *st)
{
    char **argv = keel_qemu_argv(o, qemu, hv, initrd, h->path);
    struct keel_router *r = keel_router_new(names, o->nimages, 1, 2,
                                            o->verbose, o->timings);
    if (!argv || !r) {
        fprintf(stderr, "keel: out of memory\n");
        free(argv);
        keel_router_free(r);
        return KEEL_STATUS_MACHINE;
    }
    keel_progress_init(r, o->progress);
    if (o->verbose) {
        fprintf(stderr, "keel:");
        for (char **a = argv; *a; a++)
            fprintf(stderr, " %s", *a);
        fprintf(stderr, "\n");
    }
    int out_fd, err_fd, in_fd, status = KEEL_STATUS_MACHINE;
    pid_t pid = keel_qemu_spawn(argv, &out_fd, &err_fd, &in_fd);
    if (pid < 0)
        fprintf(stderr, "keel: cannot start %s: %s\n", qemu, strerror(errno));
    else
        status = keel_loop(o, pid, out_fd, err_fd, in_fd, r, h, st);
    free(argv);
    keel_router_free(r);
    return status;
}

/* Which guests get a NIC; NULL when nobody needs to know, or unknown
 * (out of memory: dom0 decides).  An image that cannot be checked may
 * have one: dom0 will refuse it and say why. */
static bool *guest_nics(const struct keel_opts *o, const int *image_of,
                        int nimages)
{
    if (!o->nports && !o->verbose)
        return NULL;
    return keel_guest_nics(o, image_of, nimages, true);
}

/* The network's side of the command line: -p to guests, -v's plan. */
static int plan_net(const struct keel_opts *o, char **names,
                    const int *image_of, int nimages)
{
    bool *nic = guest_nics(o, image_of, nimages);
    int rc = keel_resolve_ports(o->ports, o->nports, names, o->nimages, nic, stderr);
    if (rc == 0 && o->verbose)
        keel_show_plan(o, names, nic, stderr);
    free(nic);
    return rc;
}

/* In the staging directory: the volumes, the disks' plan, the modules,
 * then the machine. */
static int run_staged(struct keel_opts *o, char **names,
                      const struct keel_connect *conn, const int *image_of,
                      int nimages, const struct keel_paths *p)
{
    struct keel_stage st;
    char hv[4200];
    char *initrd = NULL;
    struct keel_hostio h = { 0 };
    int status = KEEL_EXIT_USAGE;

    if (keel_stage_init(&st))
        return status;
    if (keel_build_volumes(o, &st, stderr) == 0 &&
        keel_plan_disks(o, names, o->nimages, stderr) == 0) {
        o->disk_bench = o->ndisks && getenv("KEEL_DISK_BENCH") &&
                        !strcmp(getenv("KEEL_DISK_BENCH"), "1");
        initrd = stage_run(&st, o, names, conn, image_of, nimages, p, hv, sizeof(hv));
        if (want_hostio() && keel_hostio_create(&h, &st) && o->verbose)
            fprintf(stderr, "keel: no shared memory for host I/O: %s\n", strerror(errno));
        if (initrd)
            status = boot(o, names, p->qemu, hv, initrd, &h, &st);
        keel_hostio_destroy(&h);
        free(initrd);
    }
    keel_stage_cleanup(&st);
    return status;
}

int keel_run(struct keel_opts *o)
{
    struct keel_paths p;
    if (check_images(o) || keel_find_paths(&p, stderr))
        return KEEL_EXIT_USAGE;
    char **names = guest_names(o);
    int *image_of = calloc((size_t)o->nimages + 1, sizeof(int));
    if (!names || !image_of) {
        fprintf(stderr, "keel: out of memory\n");
        return KEEL_STATUS_MACHINE;
    }
    struct keel_connect *conn = NULL;
    int status = KEEL_EXIT_USAGE;
    int nimages = keel_distinct_images(o->images, o->nimages, image_of, stderr);
    if (nimages >= 0 &&
        keel_resolve_connects(o->connects, o->nconnects, names, o->nimages,
                              &conn, stderr) == 0 &&
        plan_net(o, names, image_of, nimages) == 0)
        status = run_staged(o, names, conn, image_of, nimages, &p);
    free(conn);
    free(image_of);
    for (int i = 0; i < o->nimages; i++)
        free(names[i]);
    free(names);
    return status;
}

/*
 * The run manifest (keel/launch.h): text with length-prefixed strings, so
 * arguments may hold spaces, commas and newlines.  argv[0] of each guest is
 * its name; the run's ARGS follow, then its environment (-e) if any.  Guest i boots boot module
 * KEEL_FIRST_GUEST_MODULE + image_of[i] (images.c).
 */
#include <string.h>

#include <keel/launch.h>

#include "keel.h"

static int put_string(FILE *f, const char *s)
{
    size_t n = strlen(s);
    if (fprintf(f, "%zu:", n) < 0 || fwrite(s, 1, n, f) != n || fputc('\n', f) == EOF)
        return -1;
    return 0;
}

static int put_guest(FILE *f, const struct keel_manifest *m, int i)
{
    int image = m->image_of ? m->image_of[i] : i;

    if (image < 0 || image >= m->nimages)
        return -1;
    if (fprintf(f, "guest %d %d %d\n", i, KEEL_FIRST_GUEST_MODULE + image,
                m->nargs + 1) < 0 || put_string(f, m->names[i]))
        return -1;
    for (int a = 0; a < m->nargs; a++)
        if (put_string(f, m->args[a]))
            return -1;
    if (m->nenv > 0 && fprintf(f, "env %d\n", m->nenv) < 0)
        return -1;
    for (int e = 0; e < m->nenv; e++)
        if (put_string(f, m->env[e]))
            return -1;
    return 0;
}

/* "disk <guest> <slot> <ro> <first> <sectors> <len>:<mount>\n" per
 * --disk, in order. */
static int put_disks(FILE *f, const struct keel_opts *o)
{
    for (int i = 0; o && i < o->ndisks; i++) {
        const struct keel_disk *d = &o->disks[i];
        if (fprintf(f, "disk %d %d %d %llu %llu ", d->guest_idx, o->dev_slot[d->dev],
                    d->ro, (unsigned long long)d->first,
                    (unsigned long long)d->sectors) < 0 || put_string(f, d->mount))
            return -1;
    }
    return 0;
}

/* The guests, then "connect <a> <b> <len>:<name>\n" per channel. */
int keel_write_manifest(FILE *f, const struct keel_manifest *m)
{
    if (m->n < 0 || m->nargs < 0 || m->nconn < 0 || m->nimages < 0 ||
        m->nimages > KEEL_LAUNCH_MAX_IMAGES)
        return -1;
    if (fputs(KEEL_MANIFEST_MAGIC, f) == EOF ||
        fprintf(f, "images %d\nguests %d\n", m->nimages, m->n) < 0)
        return -1;
    for (int i = 0; i < m->n; i++)
        if (put_guest(f, m, i))
            return -1;
    for (int i = 0; i < m->nconn; i++)
        if (fprintf(f, "connect %d %d ", m->conn[i].a, m->conn[i].b) < 0 ||
            put_string(f, m->conn[i].name))
            return -1;
    if (put_disks(f, m->disks) ||
        (m->disks && m->disks->guest_mem &&
         fprintf(f, "guestmem %llu\n", (unsigned long long)m->disks->guest_mem) < 0) ||
        (m->disks && m->disks->disk_bench && fputs("diskbench\n", f) == EOF) ||
        fputs("end\n", f) == EOF)
        return -1;
    return fflush(f) == 0 ? 0 : -1;
}

/*
 * The run manifest (keel/launch.h): text with length-prefixed strings, so
 * arguments may hold spaces, commas and newlines.  argv[0] of each guest is
 * its name; the run's ARGS follow.
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

int keel_write_manifest(FILE *f, char *const *names, int n,
                        char *const *args, int nargs)
{
    return keel_write_manifest_conn(f, names, n, args, nargs, NULL, 0);
}

/* "connect <a> <b> <len>:<name>\n" per channel, after the guests. */
int keel_write_manifest_conn(FILE *f, char *const *names, int n,
                             char *const *args, int nargs,
                             const struct keel_connect *c, int nc)
{
    if (n < 0 || nargs < 0)
        return -1;
    if (fputs(KEEL_MANIFEST_MAGIC, f) == EOF || fprintf(f, "guests %d\n", n) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (fprintf(f, "guest %d %d\n", i, nargs + 1) < 0 || put_string(f, names[i]))
            return -1;
        for (int a = 0; a < nargs; a++)
            if (put_string(f, args[a]))
                return -1;
    }
    for (int i = 0; i < nc; i++)
        if (fprintf(f, "connect %d %d ", c[i].a, c[i].b) < 0 || put_string(f, c[i].name))
            return -1;
    if (fputs("end\n", f) == EOF)
        return -1;
    return fflush(f) == 0 ? 0 : -1;
}

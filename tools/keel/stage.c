/*
 * The private run folder: the manifest and links to the images, under
 * plain names.  QEMU takes every module in one -initrd string where a comma
 * separates modules and a space ends a module's path, so no path we hand it
 * may hold either; the folder lives under $TMPDIR when that is plain, else
 * under /tmp.  Everything is removed at the end of the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keel.h"

static bool plain_path(const char *s)
{
    return !strpbrk(s, ", \t\n");
}

int keel_stage_init(struct keel_stage *s)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || !plain_path(tmp) || strlen(tmp) > 1024)
        tmp = "/tmp";
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "%s/keel.XXXXXX", tmp);
    if (!mkdtemp(s->dir)) {
        fprintf(stderr, "keel: cannot create a folder in %s: %s\n", tmp, strerror(errno));
        s->dir[0] = '\0';
        return -1;
    }
    return 0;
}

static int remember(struct keel_stage *s, const char *path)
{
    char **f = realloc(s->files, sizeof(char *) * (size_t)(s->nfiles + 1));
    if (!f)
        return -1;
    s->files = f;
    if (!(f[s->nfiles] = strdup(path)))
        return -1;
    s->nfiles++;
    return 0;
}

static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY), out = -1, rc = -1;
    if (in >= 0)
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
    char buf[65536];
    ssize_t n;
    while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        keel_write_all(out, buf, (size_t)n);
    if (out >= 0 && n == 0)
        rc = 0;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out))
        rc = -1;
    return rc;
}

/* Links (or, failing that, copies) src into the folder as name. */
int keel_stage_link(struct keel_stage *s, const char *src, const char *name,
                    char *out, size_t outsz)
{
    char abs[PATH_MAX];
    if (!realpath(src, abs)) {
        fprintf(stderr, "keel: %s: %s\n", src, strerror(errno));
        return -1;
    }
    snprintf(out, outsz, "%s/%s", s->dir, name);
    if (remember(s, out))
        return -1;
    if (symlink(abs, out) == 0 || copy_file(abs, out) == 0)
        return 0;
    fprintf(stderr, "keel: cannot stage %s: %s\n", src, strerror(errno));
    return -1;
}

FILE *keel_stage_create(struct keel_stage *s, const char *name, char *out,
                        size_t outsz)
{
    snprintf(out, outsz, "%s/%s", s->dir, name);
    if (remember(s, out))
        return NULL;
    FILE *f = fopen(out, "wx");
    if (!f)
        fprintf(stderr, "keel: cannot write %s: %s\n", out, strerror(errno));
    return f;
}

void keel_stage_cleanup(struct keel_stage *s)
{
    for (int i = 0; i < s->nfiles; i++) {
        unlink(s->files[i]);
        free(s->files[i]);
    }
    free(s->files);
    s->files = NULL;
    s->nfiles = 0;
    /* a host I/O file of our own may still be in it: then the next call
     * (after keel_hostio_destroy) removes the folder */
    if (s->dir[0] && rmdir(s->dir) == 0)
        s->dir[0] = '\0';
}

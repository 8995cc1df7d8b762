/*
 * Directory streams: opendir reads the whole directory into a list at
 * once (libext2fs iterates by callback), readdir hands it out.  The mount
 * points right below the directory are in the list too, once each, as
 * directories, whether or not the disk that holds the directory has an
 * entry of that name; a directory that exists only because mount points
 * lie below it ("/" with a disk at "/data" alone) lists ".", ".." and
 * those.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "path_impl.h"

struct fs_dir {
    struct dirent *ent;
    size_t n, cap, next;
};

static bool listed(const struct fs_dir *d, const char *name, size_t len)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strncmp(d->ent[i].d_name, name, len) && !d->ent[i].d_name[len])
            return true;
    return false;
}

/* false: no memory */
static bool add(struct fs_dir *d, ino_t ino, unsigned char type, const char *name, size_t len)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        struct dirent *e = realloc(d->ent, cap * sizeof(*e));

        if (!e)
            return false;
        d->ent = e;
        d->cap = cap;
    }
    struct dirent *e = &d->ent[d->n++];
    e->d_ino = ino;
    e->d_type = type;
    memcpy(e->d_name, name, len);
    e->d_name[len] = 0;
    return true;
}

static int add_entry(struct ext2_dir_entry *de, int off, int bs, char *buf, void *arg)
{
    int type = ext2fs_dirent_file_type(de);

    (void)off;
    (void)bs;
    (void)buf;
    if (!add(arg, de->inode,
             type == EXT2_FT_DIR ? DT_DIR : type == EXT2_FT_REG_FILE ? DT_REG :
             type == EXT2_FT_SYMLINK ? DT_LNK : DT_UNKNOWN,
             de->name, (size_t)ext2fs_dirent_name_len(de)))
        return DIRENT_ABORT;
    return 0;
}

struct mounted_names {
    struct fs_dir *d;
    bool no_memory;
};

static void add_mount_point(const char *name, size_t len, void *arg)
{
    struct mounted_names *m = arg;

    /* the root of the disk mounted there; an entry of the disk below with
     * the same name is hidden by the mount anyway */
    if (!listed(m->d, name, len) && !add(m->d, EXT2_ROOT_INO, DT_DIR, name, len))
        m->no_memory = true;
}

/* The disk's own entries of path, if a disk holds it: 0, -ENOENT (none
 * does, or it has no such directory), or another error. */
static int read_disk_dir(const char *path, struct fs_dir *d)
{
    ext2_filsys fs;
    ext2_ino_t ino;
    errcode_t err;
    int rc;

    if ((rc = fs_get(path, &fs, &path)) || (rc = fs_lookup(fs, path, &ino)))
        return rc;
    err = ext2fs_dir_iterate(fs, ino, 0, NULL, add_entry, d);
    return err ? fs_errno(err) : 0;
}

static DIR *fail(struct fs_dir *d, int rc)
{
    free(d->ent);
    free(d);
    errno = -rc;
    return NULL;
}

DIR *opendir(const char *path)
{
    struct fs_dir *d = calloc(1, sizeof(*d));
    struct mounted_names m = { d, false };
    int rc;

    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    fs_lock();
    rc = read_disk_dir(path, d);
    if (rc == -ENOENT && fs_mounts_below(path, NULL, NULL)) {
        d->n = 0;                    /* a directory of mount points only */
        if (!add(d, 1, DT_DIR, ".", 1) || !add(d, 1, DT_DIR, "..", 2))
            return fail(d, -ENOMEM);
        rc = 0;
    }
    if (!rc)
        fs_mounts_below(path, add_mount_point, &m);
    if (!rc && m.no_memory)
        rc = -ENOMEM;
    fs_unlock();
    return rc ? fail(d, rc) : d;
}

struct dirent *readdir(DIR *d)
{
    return d->next < d->n ? &d->ent[d->next++] : NULL;
}

void rewinddir(DIR *d)
{
    d->next = 0;
}

int closedir(DIR *d)
{
    free(d->ent);
    free(d);
    return 0;
}

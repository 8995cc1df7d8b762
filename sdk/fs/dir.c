/*
 * Directory streams: opendir reads the whole directory into a list at
 * once (libext2fs iterates by callback), readdir hands it out.
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

static int add_entry(struct ext2_dir_entry *de, int off, int bs, char *buf, void *arg)
{
    struct fs_dir *d = arg;
    int len = ext2fs_dirent_name_len(de);
    int type = ext2fs_dirent_file_type(de);

    (void)off;
    (void)bs;
    (void)buf;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        struct dirent *e = realloc(d->ent, cap * sizeof(*e));

        if (!e)
            return DIRENT_ABORT;
        d->ent = e;
        d->cap = cap;
    }
    struct dirent *e = &d->ent[d->n++];
    e->d_ino = de->inode;
    e->d_type = type == EXT2_FT_DIR ? DT_DIR : type == EXT2_FT_REG_FILE ? DT_REG :
                type == EXT2_FT_SYMLINK ? DT_LNK : DT_UNKNOWN;
    memcpy(e->d_name, de->name, (size_t)len);
    e->d_name[len] = 0;
    return 0;
}

DIR *opendir(const char *path)
{
    ext2_filsys fs;
    ext2_ino_t ino;
    struct fs_dir *d;
    errcode_t err;
    int rc;

    if ((rc = fs_get(path, &fs, &path)) || (rc = fs_lookup(fs, path, &ino))) {
        errno = -rc;
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    err = ext2fs_dir_iterate(fs, ino, 0, NULL, add_entry, d);
    if (err) {
        free(d->ent);
        free(d);
        errno = -fs_errno(err);
        return NULL;
    }
    return d;
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

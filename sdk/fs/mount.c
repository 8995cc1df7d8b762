/*
 * The mounts: every disk of the guest, each at its mount point
 * (blkfront_mount_point: "/" unless keel run --disk said otherwise),
 * mounted together at the first file call (fs/fs.h).  A path belongs to
 * the mount whose point is its longest leading match, component by
 * component ("/data" holds "/data/x", not "/database"); the rest of the
 * path is looked up from that file system's root.  A clean exit()
 * unmounts them all (atexit), so that the superblock, bitmaps and group
 * descriptors libext2fs keeps in memory reach the disks and e2fsck finds
 * them clean.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libos/fd.h>
#include "fs_impl.h"

struct fs_mount {
    char point[KEEL_BLK_MOUNT_MAX + 1];  /* without its trailing '/' */
    size_t len;
    ext2_filsys fs;
    int error;                           /* the mount failed: -errno */
};

static struct fs_mount mounts[BLKFRONT_DISKS_MAX];
static unsigned nmounts;
static bool mounted;

static void unmount_at_exit(void)
{
    fs_lock();
    for (unsigned i = 0; i < nmounts; i++) {
        if (mounts[i].fs && (mounts[i].fs->flags & EXT2_FLAG_RW)) {
            fs_orphans_release(mounts[i].fs);   /* files still open */
            ext2fs_close2(mounts[i].fs, 0);
        }
        mounts[i].fs = NULL;
    }
    fs_unlock();
}

static int mount_disk(struct blkfront *bf, ext2_filsys *out)
{
    int flags = EXT2_FLAG_64BITS;
    errcode_t err;

    fs_blk_attach(bf);                   /* the channel ext2fs_open2 opens */
    if (!blkfront_read_only(bf))
        flags |= EXT2_FLAG_RW;
    err = ext2fs_open2("blkfront", NULL, flags, 0, 0, fs_blk_io_manager, out);
    if (err)
        return fs_errno(err);
    /* The backups of the superblock are mke2fs's and e2fsck's business. */
    (*out)->flags |= EXT2_FLAG_MASTER_SB_ONLY;
    err = ext2fs_read_bitmaps(*out);
    if (err) {
        ext2fs_close_free(out);
        return fs_errno(err);
    }
    /* what a crash left unlinked but open (orphan.c) */
    if ((*out)->flags & EXT2_FLAG_RW)
        fs_orphans_release(*out);
    return 0;
}

/* The mount point without leading or trailing slashes: "" is `/`. */
static size_t trim_point(const char *from, char *to)
{
    size_t n;

    while (*from == '/')
        from++;
    n = strnlen(from, KEEL_BLK_MOUNT_MAX);
    while (n && from[n - 1] == '/')
        n--;
    memcpy(to, from, n);
    to[n] = 0;
    return n;
}

/* Every disk opened first, so that their block caches share the heap
 * (io_blk.c), then mounted. */
static void mount_all(void)
{
    struct blkfront *bf[BLKFRONT_DISKS_MAX];
    unsigned n = 0;

    while (n < BLKFRONT_DISKS_MAX && !blkfront_open_nth(n, &bf[n]))
        n++;
    fs_blk_cache_share(n);
    for (unsigned i = 0; i < n; i++) {
        struct fs_mount *m = &mounts[nmounts++];

        m->len = trim_point(blkfront_mount_point(bf[i]), m->point);
        m->error = mount_disk(bf[i], &m->fs);
    }
    if (nmounts)
        atexit(unmount_at_exit);
}

/* What of path lies under m ("" if it is m's point), or NULL. */
static const char *under(const struct fs_mount *m, const char *path)
{
    while (*path == '/')
        path++;
    if (!m->len)
        return path;
    if (strncmp(path, m->point, m->len) || (path[m->len] && path[m->len] != '/'))
        return NULL;
    return path + m->len;
}

static void mount_once(void)
{
    if (!mounted) {
        mount_all();
        mounted = true;
    }
}

int fs_get(const char *path, ext2_filsys *fs, const char **rest)
{
    const struct fs_mount *best = NULL;
    int err;

    if (!(path = libos_path_absolute(path, &err)))
        return err;
    mount_once();
    for (unsigned i = 0; i < nmounts; i++) {
        /* the first disk wins between two at the same point */
        if (under(&mounts[i], path) && (!best || mounts[i].len > best->len))
            best = &mounts[i];
    }
    if (!best)
        return -ENOENT;
    if (best->error)
        return best->error;
    *fs = best->fs;
    *rest = under(best, path);
    if (!**rest)
        *rest = "/";
    return 0;
}

unsigned fs_mounts_below(const char *path, fs_mount_name_fn *fn, void *arg)
{
    char dir[KEEL_BLK_MOUNT_MAX + 1];
    size_t len;
    unsigned found = 0;
    int err;

    if (!(path = libos_path_absolute(path, &err)))
        return 0;
    mount_once();
    if (strnlen(path, KEEL_BLK_MOUNT_MAX + 1) > KEEL_BLK_MOUNT_MAX)
        return 0;                    /* longer than any mount point */
    len = trim_point(path, dir);
    for (unsigned i = 0; i < nmounts; i++) {
        const char *p = mounts[i].point, *name, *end;

        if (mounts[i].len <= len || (len && (strncmp(p, dir, len) || p[len] != '/')))
            continue;
        name = len ? p + len + 1 : p;
        end = strchr(name, '/');
        if (fn)
            fn(name, end ? (size_t)(end - name) : strlen(name), arg);
        found++;
    }
    return found;
}

int fs_mount_root(void)
{
    ext2_filsys fs;
    const char *rest;

    return fs_get("/", &fs, &rest);
}

bool fs_read_only(void)
{
    ext2_filsys fs;
    const char *rest;

    return !fs_get("/", &fs, &rest) && !(fs->flags & EXT2_FLAG_RW);
}

int fs_commit(ext2_filsys fs)
{
    errcode_t err = ext2fs_flush2(fs, 0);

    return err ? fs_errno(err) : 0;
}

int fs_errno(errcode_t err)
{
    if (err > 0 && err < 256)
        return -(int)err;               /* an errno already */
    switch (err) {
    case EXT2_ET_FILE_NOT_FOUND:        return -ENOENT;
    case EXT2_ET_NO_DIRECTORY:          return -ENOTDIR;
    case EXT2_ET_BLOCK_ALLOC_FAIL:
    case EXT2_ET_INODE_ALLOC_FAIL:
    case EXT2_ET_DIR_NO_SPACE:
    case EXT2_ET_EA_NO_SPACE:           return -ENOSPC;
    case EXT2_ET_RO_FILSYS:
    case EXT2_ET_FILE_RO:               return -EROFS;
    case EXT2_ET_NO_MEMORY:             return -ENOMEM;
    case EXT2_ET_FILE_TOO_BIG:          return -EFBIG;
    case EXT2_ET_DIR_EXISTS:            return -EEXIST;
    case EXT2_ET_TOOSMALL:              return -ENAMETOOLONG;
    default:                            return -EIO;
    }
}

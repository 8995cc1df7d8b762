/*
 * The path calls newlib leaves to the system: open, stat, link, each on
 * the file system of the mount that holds the path (mount.c).  Paths are
 * absolute or relative to the working directory (fs_get, cwd.c).  The
 * libos's devices ("/dev/chan/NAME", "/dev/urandom") open without
 * mounting anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libos/fd.h>
#include "fs_impl.h"
#include "path_impl.h"

int fs_result(int r)
{
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

int fs_lookup(ext2_filsys fs, const char *path, ext2_ino_t *ino)
{
    errcode_t err = ext2fs_namei_follow(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);

    return err ? fs_errno(err) : 0;
}

int fs_parent(ext2_filsys fs, const char *path, ext2_ino_t *dir, char name[256])
{
    char head[1024];
    const char *slash, *leaf;
    size_t n = strlen(path);

    while (n > 1 && path[n - 1] == '/')
        n--;
    if (n >= sizeof(head))
        return -ENAMETOOLONG;
    memcpy(head, path, n);
    head[n] = 0;
    slash = strrchr(head, '/');
    leaf = slash ? slash + 1 : head;
    if (!*leaf || !strcmp(leaf, ".") || !strcmp(leaf, ".."))
        return -EINVAL;
    if (strlen(leaf) > 255)
        return -ENAMETOOLONG;
    strcpy(name, leaf);
    if (!slash || slash == head) {
        *dir = EXT2_ROOT_INO;
        return 0;
    }
    head[slash - head] = 0;
    return fs_lookup(fs, head, dir);
}

int fs_stat_inode(ext2_filsys fs, ext2_ino_t ino, struct stat *st)
{
    struct ext2_inode in;
    errcode_t err = ext2fs_read_inode(fs, ino, &in);

    if (err)
        return fs_errno(err);
    memset(st, 0, sizeof(*st));
    st->st_ino = ino;
    st->st_mode = in.i_mode;         /* ext2's mode bits are POSIX's */
    st->st_nlink = in.i_links_count;
    st->st_uid = in.i_uid;
    st->st_gid = in.i_gid;
    st->st_size = (off_t)EXT2_I_SIZE(&in);
    st->st_atime = in.i_atime;
    st->st_mtime = in.i_mtime;
    st->st_ctime = in.i_ctime;
    st->st_blksize = (blksize_t)fs->blocksize;
    st->st_blocks = in.i_blocks;
    return 0;
}

/* A new regular file `name` in dir: its inode. */
static int create_file(ext2_filsys fs, ext2_ino_t dir, const char *name, mode_t mode,
                       ext2_ino_t *out)
{
    struct ext2_inode in;
    ext2_ino_t ino;
    errcode_t err;
    __u32 now = (__u32)time(NULL);

    err = ext2fs_new_inode(fs, dir, LINUX_S_IFREG | 0600, NULL, &ino);
    if (!err)
        err = fs_link_expanding(fs, dir, name, ino, EXT2_FT_REG_FILE);
    if (err)
        return fs_errno(err);
    ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
    memset(&in, 0, sizeof(in));
    in.i_mode = (__u16)(LINUX_S_IFREG | (mode & 07777));
    in.i_links_count = 1;
    in.i_atime = in.i_ctime = in.i_mtime = now;
    if (ext2fs_has_feature_extents(fs->super))
        in.i_flags |= EXT4_EXTENTS_FL;
    err = ext2fs_write_new_inode(fs, ino, &in);
    if (!err && (in.i_flags & EXT4_EXTENTS_FL)) {
        ext2_extent_handle_t h;

        err = ext2fs_extent_open2(fs, ino, &in, &h);
        if (!err)
            ext2fs_extent_free(h);
    }
    *out = ino;
    return err ? fs_errno(err) : 0;
}

errcode_t fs_link_expanding(ext2_filsys fs, ext2_ino_t dir, const char *name,
                            ext2_ino_t ino, int type)
{
    errcode_t err = ext2fs_link(fs, dir, name, ino, type);

    if (err == EXT2_ET_DIR_NO_SPACE) {
        err = ext2fs_expand_dir(fs, dir);
        if (!err)
            err = ext2fs_link(fs, dir, name, ino, type);
    }
    return err;
}

static int open_path(const char *path, int flags, mode_t mode)
{
    ext2_filsys fs;
    ext2_ino_t ino, dir;
    char name[256];
    struct ext2_inode in;
    int rc, writing = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));

    if ((rc = fs_get(path, &fs, &path)))
        return rc;
    rc = fs_lookup(fs, path, &ino);
    if (rc == -ENOENT && (flags & O_CREAT)) {
        if (!(fs->flags & EXT2_FLAG_RW))
            return -EROFS;
        if ((rc = fs_parent(fs, path, &dir, name)) ||
            (rc = create_file(fs, dir, name, mode, &ino)))
            return rc;
        return fs_file_open(fs, ino, flags & ~O_TRUNC);
    }
    if (rc)
        return rc;
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        return -EEXIST;
    if (writing && !(fs->flags & EXT2_FLAG_RW))
        return -EROFS;
    if (ext2fs_read_inode(fs, ino, &in))
        return -EIO;
    if (LINUX_S_ISDIR(in.i_mode) && writing)
        return -EISDIR;
    return fs_file_open(fs, ino, flags);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    va_list ap;
    int rc;

    if (!path)
        return fs_result(-EFAULT);
    rc = libos_dev_open(path, flags);
    if (rc != -ENODEV)
        return fs_result(rc);
    if (flags & O_CREAT) {
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    fs_lock();
    rc = open_path(path, flags, mode);
    fs_unlock();
    return fs_result(rc);
}

static int stat_path(const char *path, struct stat *st)
{
    ext2_filsys fs;
    ext2_ino_t ino;
    const char *rest;
    int rc = fs_get(path, &fs, &rest);

    if (!rc)
        rc = fs_lookup(fs, rest, &ino);
    if (!rc)
        return fs_stat_inode(fs, ino, st);
    if (rc == -ENOENT && fs_mounts_below(path, NULL, NULL)) {
        /* a directory only because mount points lie below it (dir.c) */
        memset(st, 0, sizeof(*st));
        st->st_ino = 1;
        st->st_mode = S_IFDIR | 0555;
        st->st_nlink = 2;
        return 0;
    }
    return rc;
}

int stat(const char *path, struct stat *st)
{
    fs_lock();
    int rc = stat_path(path, st);
    fs_unlock();
    return fs_result(rc);
}

int link(const char *from, const char *to)
{
    (void)from;
    (void)to;
    return fs_result(-EPERM);        /* hard links: not needed yet */
}

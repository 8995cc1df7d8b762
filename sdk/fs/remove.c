/*
 * The calls that change directories: unlink, mkdir, rmdir (rename is
 * rename.c's).  Each one commits (fs_commit) before it returns, so that a
 * name the program was told is there (or gone) stays so after a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "path_impl.h"

int fs_writable(const char **path, ext2_filsys *fs)
{
    int rc = fs_get(*path, fs, path);

    if (rc)
        return rc;
    return ((*fs)->flags & EXT2_FLAG_RW) ? 0 : -EROFS;
}

int fs_drop_link(ext2_filsys fs, ext2_ino_t ino, bool dir)
{
    struct ext2_inode in;
    errcode_t err = ext2fs_read_inode(fs, ino, &in);

    if (err)
        return fs_errno(err);
    if (!dir && in.i_links_count > 1) {
        in.i_links_count--;
        err = ext2fs_write_inode(fs, ino, &in);
        return err ? fs_errno(err) : 0;
    }
    if (fs_open_count(fs, ino))      /* the data lives until the last close */
        return fs_orphan_add(fs, ino, &in);
    return fs_inode_free(fs, ino, &in, dir);
}

int fs_is_dir(ext2_filsys fs, ext2_ino_t ino)
{
    struct ext2_inode in;

    if (ext2fs_read_inode(fs, ino, &in))
        return -EIO;
    return LINUX_S_ISDIR(in.i_mode);
}

static int count_entry(struct ext2_dir_entry *de, int off, int bs, char *buf, void *n)
{
    int len = ext2fs_dirent_name_len(de);

    (void)off;
    (void)bs;
    (void)buf;
    if (de->inode && !(len == 1 && de->name[0] == '.') &&
        !(len == 2 && de->name[0] == '.' && de->name[1] == '.'))
        ++*(int *)n;
    return 0;
}

int fs_remove_in(ext2_filsys fs, const char *path, bool want_dir)
{
    ext2_ino_t dir, ino;
    char name[256];
    int rc, d, entries = 0;

    if ((rc = fs_parent(fs, path, &dir, name)) || (rc = fs_lookup(fs, path, &ino)))
        return rc;
    if ((d = fs_is_dir(fs, ino)) < 0)
        return d;
    if (d != want_dir)
        return want_dir ? -ENOTDIR : -EISDIR;
    if (d) {
        ext2fs_dir_iterate(fs, ino, 0, NULL, count_entry, &entries);
        if (entries)
            return -ENOTEMPTY;
    }
    errcode_t err = ext2fs_unlink(fs, dir, name, ino, 0);
    if (err)
        return fs_errno(err);
    if ((rc = fs_drop_link(fs, ino, d)))
        return rc;
    if (d) {                         /* its ".." linked the parent */
        struct ext2_inode p;

        if (!ext2fs_read_inode(fs, dir, &p) && p.i_links_count > 1) {
            p.i_links_count--;
            ext2fs_write_inode(fs, dir, &p);
        }
    }
    return fs_commit(fs);
}

static int remove_name(const char *path, bool want_dir)
{
    ext2_filsys fs;

    fs_lock();
    int rc = fs_writable(&path, &fs);
    if (!rc)
        rc = fs_remove_in(fs, path, want_dir);
    fs_unlock();
    return rc;
}

int unlink(const char *path)
{
    return fs_result(remove_name(path, false));
}

int rmdir(const char *path)
{
    return fs_result(remove_name(path, true));
}

static int make_dir(const char *path)
{
    ext2_filsys fs;
    ext2_ino_t dir, ino;
    char name[256];
    errcode_t err;
    int rc;

    if ((rc = fs_writable(&path, &fs)) || (rc = fs_parent(fs, path, &dir, name)))
        return rc;
    if (!fs_lookup(fs, path, &ino))
        return -EEXIST;
    err = ext2fs_mkdir(fs, dir, 0, name);
    if (err == EXT2_ET_DIR_NO_SPACE && !(err = ext2fs_expand_dir(fs, dir)))
        err = ext2fs_mkdir(fs, dir, 0, name);
    return err ? fs_errno(err) : fs_commit(fs);
}

int mkdir(const char *path, mode_t mode)
{
    (void)mode;                      /* ext2fs_mkdir makes it 0755 */
    fs_lock();
    int rc = make_dir(path);
    fs_unlock();
    return fs_result(rc);
}

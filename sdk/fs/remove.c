/*
 * The calls that change directories: unlink, mkdir, rmdir, rename.  Each
 * one commits (fs_commit) before it returns, so that a name the program
 * was told is there (or gone) stays so after a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "path_impl.h"

static int writable(ext2_filsys *fs)
{
    int rc = fs_get(fs);

    if (rc)
        return rc;
    return ((*fs)->flags & EXT2_FLAG_RW) ? 0 : -EROFS;
}

/* Drops one link of ino; the last one frees its blocks and the inode. */
static int drop_link(ext2_filsys fs, ext2_ino_t ino, bool dir)
{
    struct ext2_inode in;
    errcode_t err = ext2fs_read_inode(fs, ino, &in);

    if (err)
        return fs_errno(err);
    in.i_links_count = dir || in.i_links_count <= 1 ? 0 : in.i_links_count - 1;
    if (!in.i_links_count) {
        if (ext2fs_inode_has_valid_blocks2(fs, &in))
            err = ext2fs_punch(fs, ino, &in, NULL, 0, ~0ULL);
        in.i_dtime = (__u32)time(NULL);
    }
    if (!err)
        err = ext2fs_write_inode(fs, ino, &in);
    if (!err && !in.i_links_count)
        ext2fs_inode_alloc_stats2(fs, ino, -1, dir);
    return err ? fs_errno(err) : 0;
}

static int is_dir(ext2_filsys fs, ext2_ino_t ino)
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

static int remove_name(const char *path, bool want_dir)
{
    ext2_filsys fs;
    ext2_ino_t dir, ino;
    char name[256];
    int rc, d, entries = 0;

    if ((rc = writable(&fs)) || (rc = fs_parent(fs, path, &dir, name)) ||
        (rc = fs_lookup(fs, path, &ino)))
        return rc;
    if ((d = is_dir(fs, ino)) < 0)
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
    if ((rc = drop_link(fs, ino, d)))
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

    if ((rc = writable(&fs)) || (rc = fs_parent(fs, path, &dir, name)))
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
    return fs_result(make_dir(path));
}

static int rename_path(const char *from, const char *to)
{
    ext2_filsys fs;
    ext2_ino_t odir, ndir, ino, old;
    char oname[256], nname[256];
    errcode_t err;
    int rc, d;

    if ((rc = writable(&fs)) || (rc = fs_parent(fs, from, &odir, oname)) ||
        (rc = fs_parent(fs, to, &ndir, nname)) || (rc = fs_lookup(fs, from, &ino)))
        return rc;
    if ((d = is_dir(fs, ino)) < 0)
        return d;
    if (d && odir != ndir)
        return -EXDEV;               /* moving ".." along: not done yet */
    if (!fs_lookup(fs, to, &old)) {
        if (old == ino)
            return 0;
        if ((rc = remove_name(to, d)))
            return rc;
    }
    err = fs_link_expanding(fs, ndir, nname, ino, d ? EXT2_FT_DIR : EXT2_FT_REG_FILE);
    if (!err)
        err = ext2fs_unlink(fs, odir, oname, ino, 0);
    return err ? fs_errno(err) : fs_commit(fs);
}

int rename(const char *from, const char *to)
{
    return fs_result(rename_path(from, to));
}

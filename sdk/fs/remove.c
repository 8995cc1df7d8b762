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

/* The writable file system that holds *path; *path becomes the rest. */
static int writable(const char **path, ext2_filsys *fs)
{
    int rc = fs_get(*path, fs, path);

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

/* path: from fs's root */
static int remove_in(ext2_filsys fs, const char *path, bool want_dir)
{
    ext2_ino_t dir, ino;
    char name[256];
    int rc, d, entries = 0;

    if ((rc = fs_parent(fs, path, &dir, name)) || (rc = fs_lookup(fs, path, &ino)))
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

static int remove_name(const char *path, bool want_dir)
{
    ext2_filsys fs;
    int rc = writable(&path, &fs);

    return rc ? rc : remove_in(fs, path, want_dir);
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

    if ((rc = writable(&path, &fs)) || (rc = fs_parent(fs, path, &dir, name)))
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

struct retarget {
    const char *name;
    ext2_ino_t ino;
    int type;
    bool done;
};

static int retarget_entry(struct ext2_dir_entry *de, int off, int bs, char *buf, void *arg)
{
    struct retarget *r = arg;
    int len = ext2fs_dirent_name_len(de);

    (void)off;
    (void)bs;
    (void)buf;
    if (!de->inode || (size_t)len != strlen(r->name) || memcmp(de->name, r->name, (size_t)len))
        return 0;
    de->inode = r->ino;
    ext2fs_dirent_set_file_type(de, r->type);
    r->done = true;
    return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Points dir's entry `name` at ino in one block write, so that a crash
 * leaves name on either the old file or the new one, never on none. */
static int retarget(ext2_filsys fs, ext2_ino_t dir, const char *name, ext2_ino_t ino, int type)
{
    struct retarget r = { name, ino, type, false };
    errcode_t err = ext2fs_dir_iterate(fs, dir, 0, NULL, retarget_entry, &r);

    return err ? fs_errno(err) : r.done ? 0 : -ENOENT;
}

/* rename onto an existing file `old`: the new name first, then the old
 * name and file go (a crash between leaves an extra link e2fsck drops). */
static int retarget_file(ext2_filsys fs, ext2_ino_t ino, ext2_ino_t odir, const char *oname,
                         ext2_ino_t ndir, const char *nname, ext2_ino_t old)
{
    int rc = retarget(fs, ndir, nname, ino, EXT2_FT_REG_FILE);
    errcode_t err;

    if (rc)
        return rc;
    err = ext2fs_unlink(fs, odir, oname, ino, 0);
    if (err)
        return fs_errno(err);
    if ((rc = drop_link(fs, old, false)))
        return rc;
    return fs_commit(fs);
}

static int rename_path(const char *from, const char *to)
{
    ext2_filsys fs, to_fs;
    ext2_ino_t odir, ndir, ino, old;
    char oname[256], nname[256];
    errcode_t err;
    int rc, d;

    if ((rc = writable(&from, &fs)) || (rc = writable(&to, &to_fs)))
        return rc;
    if (to_fs != fs)
        return -EXDEV;               /* another mount: copy, then unlink */
    if ((rc = fs_parent(fs, from, &odir, oname)) ||
        (rc = fs_parent(fs, to, &ndir, nname)) || (rc = fs_lookup(fs, from, &ino)))
        return rc;
    if ((d = is_dir(fs, ino)) < 0)
        return d;
    if (d && odir != ndir)
        return -EXDEV;               /* moving ".." along: not done yet */
    if (!fs_lookup(fs, to, &old)) {
        if (old == ino)
            return 0;
        if (d)                       /* an empty directory: remove it first */
            rc = remove_in(fs, to, d);
        else if (!(rc = is_dir(fs, old)))
            return retarget_file(fs, ino, odir, oname, ndir, nname, old);
        if (rc)
            return rc < 0 ? rc : -EISDIR;
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

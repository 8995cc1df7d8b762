/*
 * rename, on one file system (another mount: EXDEV, as on Unix).  A file
 * moved over another takes the other's directory entry in one block
 * write; a directory moved to another parent takes its ".." along and
 * moves one link from the old parent's count to the new one's.  Each
 * rename commits (fs_commit) before it returns.
 */
#include <errno.h>
#include <string.h>
#include "path_impl.h"

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
    if ((rc = fs_drop_link(fs, old, false)))
        return rc;
    return fs_commit(fs);
}

/* 1 if dir is ino or lies below it (up its ".." chain), 0 if not. */
static int inside(ext2_filsys fs, ext2_ino_t dir, ext2_ino_t ino)
{
    for (__u32 steps = 0; steps < fs->super->s_inodes_count; steps++) {
        if (dir == ino)
            return 1;
        if (dir == EXT2_ROOT_INO)
            return 0;
        errcode_t err = ext2fs_lookup(fs, dir, "..", 2, NULL, &dir);
        if (err)
            return fs_errno(err);
    }
    return -EIO;                     /* a loop of ".." */
}

static int add_link(ext2_filsys fs, ext2_ino_t ino, int delta)
{
    struct ext2_inode in;
    errcode_t err = ext2fs_read_inode(fs, ino, &in);

    if (err)
        return fs_errno(err);
    /* a count of 1 means "too many to count" (dir_nlink): it stays */
    if (in.i_links_count > 1 && (delta > 0 || in.i_links_count > 2) &&
        in.i_links_count < EXT2_LINK_MAX)
        in.i_links_count = (__u16)(in.i_links_count + delta);
    err = ext2fs_write_inode(fs, ino, &in);
    return err ? fs_errno(err) : 0;
}

/* Directory ino, now named in ndir and no longer in odir: its ".." and
 * the parents' counts of links (each child's ".." is one) follow. */
static int move_dotdot(ext2_filsys fs, ext2_ino_t ino, ext2_ino_t odir, ext2_ino_t ndir)
{
    int rc = retarget(fs, ino, "..", ndir, EXT2_FT_DIR);

    if (!rc)
        rc = add_link(fs, odir, -1);
    if (!rc)
        rc = add_link(fs, ndir, +1);
    return rc;
}

static int rename_path(const char *from, const char *to)
{
    ext2_filsys fs, to_fs;
    ext2_ino_t odir, ndir, ino, old;
    char oname[256], nname[256];
    errcode_t err;
    int rc, d;

    if ((rc = fs_writable(&from, &fs)) || (rc = fs_writable(&to, &to_fs)))
        return rc;
    if (to_fs != fs)
        return -EXDEV;               /* another mount: copy, then unlink */
    if ((rc = fs_parent(fs, from, &odir, oname)) ||
        (rc = fs_parent(fs, to, &ndir, nname)) || (rc = fs_lookup(fs, from, &ino)))
        return rc;
    if ((d = fs_is_dir(fs, ino)) < 0)
        return d;
    if (d && odir != ndir && (rc = inside(fs, ndir, ino)))
        return rc < 0 ? rc : -EINVAL;  /* into its own subtree */
    if (!fs_lookup(fs, to, &old)) {
        if (old == ino)
            return 0;
        if (d) {                     /* ENOTDIR, ENOTEMPTY or removed */
            if ((rc = fs_remove_in(fs, to, true)))
                return rc;
        } else if ((rc = fs_is_dir(fs, old)))
            return rc < 0 ? rc : -EISDIR;
        else
            return retarget_file(fs, ino, odir, oname, ndir, nname, old);
    }
    err = fs_link_expanding(fs, ndir, nname, ino, d ? EXT2_FT_DIR : EXT2_FT_REG_FILE);
    if (!err)
        err = ext2fs_unlink(fs, odir, oname, ino, 0);
    if (err)
        return fs_errno(err);
    if (d && odir != ndir && (rc = move_dotdot(fs, ino, odir, ndir)))
        return rc;
    return fs_commit(fs);
}

int rename(const char *from, const char *to)
{
    fs_lock();
    int rc = rename_path(from, to);
    fs_unlock();
    return fs_result(rc);
}

/*
 * Files unlinked while a descriptor still has them open: POSIX keeps
 * their data until the last close.  Such an inode keeps its blocks with a
 * link count of 0 and goes on ext2's orphan list the way Linux does it:
 * the superblock's s_last_orphan names the first, each orphan's i_dtime
 * the next.  The last close takes it off the list and frees it.  A mount
 * frees what a crash (or an exit with files open) left on the list, and
 * e2fsck does the same, so a killed guest leaks nothing.
 *
 * Open descriptors keep a copy of the inode (libext2fs's file handle) and
 * write it back when they allocate blocks or change the size, so every
 * change of an orphan's link count or i_dtime is made in those copies too
 * (fs_files_update), or a write would bring the old values back.
 */
#include <errno.h>
#include <time.h>
#include "fs_impl.h"

static int write_inode(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in)
{
    errcode_t err = ext2fs_write_inode(fs, ino, in);

    fs_files_update(fs, ino, in);
    return err ? fs_errno(err) : 0;
}

int fs_inode_free(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in, bool dir)
{
    errcode_t err = 0;
    int rc;

    in->i_links_count = 0;
    if (ext2fs_inode_has_valid_blocks2(fs, in))
        err = ext2fs_punch(fs, ino, in, NULL, 0, ~0ULL);
    if (err)
        return fs_errno(err);
    in->i_dtime = (__u32)time(NULL);
    if ((rc = write_inode(fs, ino, in)))
        return rc;
    ext2fs_inode_alloc_stats2(fs, ino, -1, dir);
    return 0;
}

int fs_orphan_add(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in)
{
    int rc;

    in->i_links_count = 0;
    in->i_dtime = fs->super->s_last_orphan;
    if ((rc = write_inode(fs, ino, in)))
        return rc;
    fs->super->s_last_orphan = ino;
    ext2fs_mark_super_dirty(fs);
    return 0;
}

/* Could ino be on the list?  (A crash may leave anything there.) */
static bool orphan_ok(ext2_filsys fs, ext2_ino_t ino)
{
    return ino >= EXT2_FIRST_INODE(fs->super) && ino <= fs->super->s_inodes_count &&
           ext2fs_test_inode_bitmap2(fs->inode_map, ino);
}

/* Takes ino off the list: whoever pointed at it points at its next. */
static int unlist(ext2_filsys fs, ext2_ino_t ino, ext2_ino_t next)
{
    struct ext2_inode in;
    ext2_ino_t at = fs->super->s_last_orphan;

    if (at == ino) {
        fs->super->s_last_orphan = next;
        ext2fs_mark_super_dirty(fs);
        return 0;
    }
    for (__u32 steps = 0; orphan_ok(fs, at) && steps < fs->super->s_inodes_count; steps++) {
        errcode_t err = ext2fs_read_inode(fs, at, &in);

        if (err)
            return fs_errno(err);
        if (in.i_dtime == ino) {
            in.i_dtime = next;
            return write_inode(fs, at, &in);
        }
        at = in.i_dtime;
    }
    return -EIO;                     /* not on the list: it is broken */
}

int fs_orphan_closed(ext2_filsys fs, ext2_ino_t ino)
{
    struct ext2_inode in;
    errcode_t err = ext2fs_read_inode(fs, ino, &in);
    int rc;

    if (err)
        return fs_errno(err);
    if (in.i_links_count || !(fs->flags & EXT2_FLAG_RW))
        return 0;
    if ((rc = unlist(fs, ino, in.i_dtime)) ||
        (rc = fs_inode_free(fs, ino, &in, LINUX_S_ISDIR(in.i_mode))))
        return rc;
    return fs_commit(fs);
}

int fs_orphans_release(ext2_filsys fs)
{
    ext2_ino_t ino = fs->super->s_last_orphan;
    __u32 steps = 0;
    int rc = 0;

    if (!ino)
        return 0;
    /* the list goes whatever happens: a broken one is e2fsck's to mend */
    fs->super->s_last_orphan = 0;
    ext2fs_mark_super_dirty(fs);
    while (!rc && orphan_ok(fs, ino) && steps++ < fs->super->s_inodes_count) {
        struct ext2_inode in;
        errcode_t err = ext2fs_read_inode(fs, ino, &in);

        if (err || in.i_links_count)
            break;                   /* linked again? then not an orphan */
        ext2_ino_t next = in.i_dtime;

        rc = fs_inode_free(fs, ino, &in, LINUX_S_ISDIR(in.i_mode));
        ino = next;
    }
    return rc ? rc : fs_commit(fs);
}

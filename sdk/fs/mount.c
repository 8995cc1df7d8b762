/*
 * The root file system: the guest's first disk, mounted at `/` at the
 * first file call (fs/fs.h).  keel/blk.h offers no mount point yet: the
 * first disk is `/`.  A clean exit() unmounts it (atexit), so that the
 * superblock, bitmaps and group descriptors libext2fs keeps in memory
 * reach the disk and e2fsck finds it clean.
 */
#include <errno.h>
#include <stdlib.h>
#include "fs_impl.h"

static ext2_filsys root;
static int mount_error;            /* a mount that failed stays failed */

static void unmount_at_exit(void)
{
    if (root && (root->flags & EXT2_FLAG_RW))
        ext2fs_close2(root, 0);
    root = NULL;
}

static int mount_disk(void)
{
    struct blkfront *bf;
    int flags = EXT2_FLAG_64BITS;
    errcode_t err;

    if (blkfront_open(&bf))
        return -ENOENT;
    fs_blk_attach(bf);
    if (!blkfront_read_only(bf))
        flags |= EXT2_FLAG_RW;
    err = ext2fs_open2("blkfront", NULL, flags, 0, 0, fs_blk_io_manager, &root);
    if (err)
        return -EIO;
    /* The backups of the superblock are mke2fs's and e2fsck's business. */
    root->flags |= EXT2_FLAG_MASTER_SB_ONLY;
    err = ext2fs_read_bitmaps(root);
    if (err) {
        ext2fs_close_free(&root);
        return -EIO;
    }
    atexit(unmount_at_exit);
    return 0;
}

int fs_get(ext2_filsys *out)
{
    if (!root && !mount_error)
        mount_error = mount_disk();
    *out = root;
    return root ? 0 : mount_error;
}

int fs_mount_root(void)
{
    ext2_filsys fs;

    return fs_get(&fs);
}

bool fs_read_only(void)
{
    return root && !(root->flags & EXT2_FLAG_RW);
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

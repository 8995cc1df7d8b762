/*
 * The file system under the C library (docs/fs.md): linking any file call
 * (open, stat, unlink, rename, mkdir, rmdir, opendir...) links sdk/fs,
 * which mounts the ext2 file system of each of the guest's disks
 * (blkfront) at its mount point (blkfront_mount_point) at the first such
 * call; a path is on the mount with the longest matching point.  Nothing here is needed to use it; this header
 * is for programs that want to know what is mounted.
 *
 * Contract:
 *  - A path under no mount point fails ENOENT (no disk: every path); a
 *    disk without ext2 on it: EIO.  rename across mounts: EXDEV.
 *  - A read-only disk mounts read-only: opens for writing, creating,
 *    removing and renaming fail EROFS.
 *  - fsync(fd) returns once the file's data and the metadata that finds
 *    it (inode, directory, bitmaps, superblock) are on the host's file
 *    (blkfront_flush).  A clean exit() unmounts (everything flushed).
 *  - A full disk gives ENOSPC; the file system stays consistent.
 *  - readdir lists the mount points below a directory; directories that
 *    only lead to mount points exist.  rename moves directories within
 *    a mount (EINVAL into their own subtree).  An unlinked open file
 *    lives until its last close (ext2's orphan list; a crash leaves it
 *    for the next mount or e2fsck to free).
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdbool.h>

/* Mount every disk now: 0 or -errno for the one at `/` (ENOENT: none). */
int fs_mount_root(void);
/* Is the file system at `/` mounted read-only? */
bool fs_read_only(void);

#endif /* FS_FS_H */

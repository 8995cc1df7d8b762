/*
 * The file system under the C library (docs/fs.md): linking any file call
 * (open, stat, unlink, rename, mkdir, rmdir, opendir...) links sdk/fs,
 * which mounts the ext2 file system of the guest's disk (blkfront) at `/`
 * at the first such call.  Nothing here is needed to use it; this header
 * is for programs that want to know what is mounted.
 *
 * Contract:
 *  - Without a disk every path call fails ENOENT (the empty file system of
 *    a guest without one); a disk without ext2 on it: EIO.
 *  - A read-only disk mounts read-only: opens for writing, creating,
 *    removing and renaming fail EROFS.
 *  - fsync(fd) returns once the file's data and the metadata that finds
 *    it (inode, directory, bitmaps, superblock) are on the host's file
 *    (blkfront_flush).  A clean exit() unmounts (everything flushed).
 *  - A full disk gives ENOSPC; the file system stays consistent.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdbool.h>

/* Mount now: 0 or -errno (ENOENT: no disk). */
int fs_mount_root(void);
/* Is the root file system mounted read-only? */
bool fs_read_only(void);

#endif /* FS_FS_H */

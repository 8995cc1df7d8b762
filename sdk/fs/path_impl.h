/* Inside sdk/fs: what path.c, remove.c and dir.c share. */
#ifndef FS_PATH_IMPL_H
#define FS_PATH_IMPL_H

#include "fs_impl.h"

/* r >= 0 as it is; -errno as -1 and errno */
int fs_result(int r);
/* ext2fs_link, growing dir by a block when it is full */
errcode_t fs_link_expanding(ext2_filsys fs, ext2_ino_t dir, const char *name,
                            ext2_ino_t ino, int type);

/* remove.c */
/* The writable file system that holds *path; *path becomes the rest. */
int fs_writable(const char **path, ext2_filsys *fs);
/* Drops one link of ino; the last one frees its blocks and the inode
 * (once no descriptor has it open: orphan.c). */
int fs_drop_link(ext2_filsys fs, ext2_ino_t ino, bool dir);
/* 1 directory, 0 not, -errno */
int fs_is_dir(ext2_filsys fs, ext2_ino_t ino);
/* unlink or rmdir of path (from fs's root), committed */
int fs_remove_in(ext2_filsys fs, const char *path, bool want_dir);

#endif /* FS_PATH_IMPL_H */

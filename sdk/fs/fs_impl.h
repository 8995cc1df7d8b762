/*
 * Inside sdk/fs: io_blk.c (libext2fs's I/O manager over blkfront),
 * mount.c (the mounts, errors), file.c (descriptors),
 * path.c (path calls), dir.c (directory streams).
 */
#ifndef FS_FS_IMPL_H
#define FS_FS_IMPL_H

#include <ext2fs/ext2fs.h>
#include <blkfront/blkfront.h>
#include <fs/fs.h>

struct stat;

extern io_manager fs_blk_io_manager;
void fs_blk_attach(struct blkfront *bf);

/* The file system that holds path (mounting them all first) and path's
 * rest inside it, from its root: 0, -ENOENT (under no mount point), or
 * the mount's error. */
int fs_get(const char *path, ext2_filsys *fs, const char **rest);
/* libext2fs's error as a negative errno */
int fs_errno(errcode_t err);
/* Everything written so far, metadata included, onto the host's file. */
int fs_commit(ext2_filsys fs);

/* path.c */
int fs_lookup(ext2_filsys fs, const char *path, ext2_ino_t *ino);
/* The directory that holds path's last name, and that name. */
int fs_parent(ext2_filsys fs, const char *path, ext2_ino_t *dir, char name[256]);
int fs_stat_inode(ext2_filsys fs, ext2_ino_t ino, struct stat *st);
/* file.c */
int fs_file_open(ext2_filsys fs, ext2_ino_t ino, int flags);

#endif /* FS_FS_IMPL_H */

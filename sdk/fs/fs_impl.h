/*
 * Inside sdk/fs: io_blk.c (libext2fs's I/O manager over blkfront),
 * mount.c (the one mounted file system, errors), file.c (descriptors),
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

/* The mounted file system, mounting it first: 0 or -errno. */
int fs_get(ext2_filsys *out);
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

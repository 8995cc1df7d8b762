/*
 * Inside sdk/fs: io_blk.c (libext2fs's I/O manager over blkfront),
 * mount.c (the mounts, errors), file.c (descriptors), orphan.c (files
 * unlinked while open), path.c (path calls), dir.c (directory streams),
 * lock.c (one lock: the threads' calls one at a time).
 */
#ifndef FS_FS_IMPL_H
#define FS_FS_IMPL_H

#include <ext2fs/ext2fs.h>
#include <blkfront/blkfront.h>
#include <fs/fs.h>

struct stat;

extern io_manager fs_blk_io_manager;
void fs_blk_attach(struct blkfront *bf);
/* n disks' block caches share the heap's budget for them. */
void fs_blk_cache_share(unsigned n);

/* The file system that holds path (mounting them all first) and path's
 * rest inside it, from its root: 0, -ENOENT (under no mount point), or
 * the mount's error. */
int fs_get(const char *path, ext2_filsys *fs, const char **rest);
/* Calls fn with the next name of each mount point strictly below path
 * ("data" for "/data" below "/", "a" for "/a/b" below "/"; a name may
 * come more than once; fn NULL: only count them); how many there were. */
typedef void fs_mount_name_fn(const char *name, size_t len, void *arg);
unsigned fs_mounts_below(const char *path, fs_mount_name_fn *fn, void *arg);
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
/* How many descriptors have ino open. */
unsigned fs_open_count(ext2_filsys fs, ext2_ino_t ino);
/* in's link count and i_dtime into the copies of ino that open
 * descriptors keep (they write them back). */
void fs_files_update(ext2_filsys fs, ext2_ino_t ino, const struct ext2_inode *in);
/* lock.c: every entry point (a POSIX call, a descriptor's operation)
 * holds the file system's lock while it runs; recursive. */
void fs_lock(void);
void fs_unlock(void);
/* orphan.c: inodes unlinked while open */
/* Frees in's blocks and ino itself. */
int fs_inode_free(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in, bool dir);
/* ino's last link is gone but a descriptor has it: onto the orphan list. */
int fs_orphan_add(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in);
/* ino's last descriptor closed: if it is an orphan, it is freed (committed). */
int fs_orphan_closed(ext2_filsys fs, ext2_ino_t ino);
/* Frees every orphan on the list (a mount after a crash, an unmount). */
int fs_orphans_release(ext2_filsys fs);

#endif /* FS_FS_IMPL_H */

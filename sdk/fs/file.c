/*
 * Open files as descriptors (libos/fd.h): libext2fs's file handles
 * (ext2fs_file_*), which buffer one block.  fsync writes that block and
 * the inode, then commits the file system's metadata and flushes
 * (fs_commit): only then does it return.  The last close of a file
 * unlinked while open frees it (orphan.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <libos/fd.h>
#include "fs_impl.h"

struct fs_file {
    ext2_filsys fs;
    ext2_file_t file;
    ext2_ino_t ino;
    bool append;
    bool orphan;                    /* unlinked while open: freed at the last close */
    struct fs_file *next;           /* in open_files */
};

/* Every open file, for orphan.c: which inodes are open, and their copies. */
static struct fs_file *open_files;

unsigned fs_open_count(ext2_filsys fs, ext2_ino_t ino)
{
    unsigned n = 0;

    for (struct fs_file *f = open_files; f; f = f->next)
        n += f->fs == fs && f->ino == ino;
    return n;
}

void fs_files_update(ext2_filsys fs, ext2_ino_t ino, const struct ext2_inode *in)
{
    for (struct fs_file *f = open_files; f; f = f->next) {
        if (f->fs == fs && f->ino == ino) {
            struct ext2_inode *copy = ext2fs_file_get_inode(f->file);

            copy->i_links_count = in->i_links_count;
            copy->i_dtime = in->i_dtime;
            f->orphan = !in->i_links_count;
        }
    }
}

static void forget(struct fs_file *f)
{
    for (struct fs_file **p = &open_files; *p; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            return;
        }
    }
}

static long file_read(void *obj, void *buf, size_t len, int flags)
{
    struct fs_file *f = obj;
    unsigned int got = 0;
    errcode_t err;

    if ((flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (len > 1u << 30)
        len = 1u << 30;
    err = ext2fs_file_read(f->file, buf, (unsigned int)len, &got);
    return err ? fs_errno(err) : (long)got;
}

static long file_write(void *obj, const void *buf, size_t len, int flags)
{
    struct fs_file *f = obj;
    unsigned int done = 0;
    errcode_t err;

    if ((flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (len > 1u << 30)
        len = 1u << 30;
    if (f->append)
        ext2fs_file_llseek(f->file, 0, EXT2_SEEK_END, NULL);
    err = ext2fs_file_write(f->file, buf, (unsigned int)len, &done);
    if (err && !done)
        return fs_errno(err);
    return (long)done;              /* a short write: ENOSPC next time */
}

static long long file_lseek(void *obj, long long off, int whence)
{
    struct fs_file *f = obj;
    __u64 pos;
    errcode_t err;

    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -EINVAL;
    /* EXT2_SEEK_SET, _CUR, _END are 0, 1, 2 like SEEK_* */
    err = ext2fs_file_llseek(f->file, (__u64)off, whence, &pos);
    if (err)
        return fs_errno(err);
    return (long long)pos;
}

static int file_stat(void *obj, struct stat *st)
{
    struct fs_file *f = obj;
    errcode_t err = ext2fs_file_flush(f->file);

    return err ? fs_errno(err) : fs_stat_inode(f->fs, f->ino, st);
}

static int file_sync(void *obj)
{
    struct fs_file *f = obj;
    errcode_t err = ext2fs_file_flush(f->file);

    return err ? fs_errno(err) : fs_commit(f->fs);
}

static int file_truncate(void *obj, long long size)
{
    struct fs_file *f = obj;
    errcode_t err = ext2fs_file_set_size2(f->file, (ext2_off64_t)size);

    return err ? fs_errno(err) : 0;
}

static int file_close(void *obj)
{
    struct fs_file *f = obj;
    errcode_t err = ext2fs_file_close(f->file);
    int rc = err ? fs_errno(err) : 0;

    forget(f);
    if (f->orphan && !fs_open_count(f->fs, f->ino)) {
        int freed = fs_orphan_closed(f->fs, f->ino);

        rc = rc ? rc : freed;
    }
    free(f);
    return rc;
}

static int file_poll(void *obj, int events)
{
    (void)obj;
    return events;                  /* a file is always ready */
}

/* name##_locked: name under the file system's lock (lock.c). */
#define LOCKED(ret, name, params, args)                                      \
    static ret name##_locked params                                          \
    {                                                                        \
        fs_lock();                                                           \
        ret r = name args;                                                   \
        fs_unlock();                                                         \
        return r;                                                            \
    }
LOCKED(long, file_read, (void *o, void *buf, size_t len, int fl), (o, buf, len, fl))
LOCKED(long, file_write, (void *o, const void *buf, size_t len, int fl), (o, buf, len, fl))
LOCKED(long long, file_lseek, (void *o, long long off, int whence), (o, off, whence))
LOCKED(int, file_stat, (void *o, struct stat *st), (o, st))
LOCKED(int, file_sync, (void *o), (o))
LOCKED(int, file_truncate, (void *o, long long size), (o, size))
LOCKED(int, file_close, (void *o), (o))

static const struct libos_fd_ops file_ops = {
    .read = file_read_locked,
    .write = file_write_locked,
    .close = file_close_locked,
    .poll = file_poll,
    .wake = file_poll,
    .lseek = file_lseek_locked,
    .stat = file_stat_locked,
    .sync = file_sync_locked,
    .truncate = file_truncate_locked,
    .mode = S_IFREG,
};

int fs_file_open(ext2_filsys fs, ext2_ino_t ino, int flags)
{
    struct fs_file *f = calloc(1, sizeof(*f));
    int acc = flags & O_ACCMODE, fd;
    errcode_t err;

    if (!f)
        return -ENOMEM;
    f->fs = fs;
    f->ino = ino;
    f->append = flags & O_APPEND;
    err = ext2fs_file_open(fs, ino, acc == O_RDONLY ? 0 : EXT2_FILE_WRITE, &f->file);
    if (!err && (flags & O_TRUNC) && acc != O_RDONLY)
        err = ext2fs_file_set_size2(f->file, 0);
    if (err) {
        if (f->file)
            ext2fs_file_close(f->file);
        free(f);
        return fs_errno(err);
    }
    f->next = open_files;
    open_files = f;
    fd = libos_fd_install(&file_ops, f, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    if (fd < 0)
        file_close(f);
    return fd;
}

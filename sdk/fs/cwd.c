/*
 * chdir: the working directory is the libos's (sdk/libos/cwd.c, which
 * getcwd reads and fs_get resolves relative paths against); here it is
 * checked to name a directory.  "/" needs no disk.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libos/fd.h>
#include "fs_impl.h"
#include "path_impl.h"

/* Under the file system's lock: abs is one of libos_path_absolute's few
 * rotating buffers, which another thread's file calls would reuse while
 * our stat waits for the disk. */
static int change_dir(const char *path)
{
    struct stat st;
    const char *abs;
    int err;

    if (!path)
        return -EFAULT;
    if (!*path)
        return -ENOENT;
    if (!(abs = libos_path_absolute(path, &err)))
        return err;
    if (strcmp(abs, "/") && strspn(abs, "/") != strlen(abs)) {
        if (stat(abs, &st) != 0)
            return -errno;
        if (!S_ISDIR(st.st_mode))
            return -ENOTDIR;
    }
    return libos_cwd_set(abs);
}

int chdir(const char *path)
{
    fs_lock();
    int rc = change_dir(path);
    fs_unlock();
    return fs_result(rc);
}

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

int chdir(const char *path)
{
    struct stat st;
    const char *abs;
    int err;

    if (!path)
        return fs_result(-EFAULT);
    if (!*path)
        return fs_result(-ENOENT);
    if (!(abs = libos_path_absolute(path, &err)))
        return fs_result(err);
    if (strcmp(abs, "/") && strspn(abs, "/") != strlen(abs)) {
        if (stat(abs, &st) != 0)
            return -1;               /* errno from stat */
        if (!S_ISDIR(st.st_mode))
            return fs_result(-ENOTDIR);
    }
    return fs_result(libos_cwd_set(abs));
}

/*
 * Pathname arithmetic (pure): a path made absolute against a working
 * directory, "." and ".." resolved by name.  Keel's file system has no
 * symbolic links, so resolving by name is resolving.  Host unit test:
 * tests/unit/libos_pathname_test.c.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

/* Appends path's components to out[0, *len), which holds "" or "/a/b". */
static int walk(const char *path, char *out, size_t *len, size_t size)
{
    while (*path) {
        const char *end = strchr(path, '/');
        size_t n = end ? (size_t)(end - path) : strlen(path);

        if (n == 2 && path[0] == '.' && path[1] == '.') {
            while (*len && out[*len - 1] != '/')
                (*len)--;
            if (*len)
                (*len)--;            /* "/a/b" -> "/a", "/a" -> "" */
        } else if (n && !(n == 1 && path[0] == '.')) {
            if (*len + 1 + n >= size)
                return -ENAMETOOLONG;
            out[(*len)++] = '/';
            memcpy(out + *len, path, n);
            *len += n;
        }
        path += n;
        while (*path == '/')
            path++;
    }
    return 0;
}

int libos_path_join(const char *cwd, const char *path, char *out, size_t size)
{
    size_t len = 0;
    int rc = 0;

    if (size < 2)
        return -ENAMETOOLONG;
    if (path[0] != '/')
        rc = walk(cwd, out, &len, size);
    if (!rc)
        rc = walk(path, out, &len, size);
    if (rc)
        return rc;
    if (!len)
        out[len++] = '/';
    out[len] = 0;
    return 0;
}

/*
 * The working directory: getcwd, and the hook through which the file
 * system (sdk/fs, its chdir and path resolution) reads and sets it.  Kept
 * as a name, normalised (libos_path_join), "/" at start.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libos/fd.h>
#include "internal.h"

#define CWD_MAX 1024                  /* as sdk/fs's path buffers */
#define JOINED_SLOTS 4                /* rename and link resolve two paths */

static char cwd[CWD_MAX] = "/";

char *getcwd(char *buf, size_t size)
{
    size_t need = strlen(cwd) + 1;

    if (buf && size == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (!buf) {                       /* glibc's extension, which programs use */
        if (size < need)
            size = need;
        if (!(buf = malloc(size))) {
            errno = ENOMEM;
            return NULL;
        }
    } else if (size < need) {
        errno = ERANGE;
        return NULL;
    }
    memcpy(buf, cwd, need);
    return buf;
}

int libos_cwd_set(const char *path)
{
    char next[CWD_MAX];
    int rc = libos_path_join(cwd, path, next, sizeof(next));

    if (!rc)
        memcpy(cwd, next, sizeof(next));
    return rc;
}

/* Relative paths joined to cwd land in a few rotating buffers: the file
 * system is not reentrant (docs/threads.md), and one call resolves at
 * most two paths. */
const char *libos_path_absolute(const char *path, int *err)
{
    static char joined[JOINED_SLOTS][CWD_MAX];
    static unsigned next;
    char *out;

    *err = 0;
    if (path[0] == '/' || !strcmp(cwd, "/"))
        return path;                  /* the file system reads it as is */
    out = joined[next++ % JOINED_SLOTS];
    if ((*err = libos_path_join(cwd, path, out, CWD_MAX)))
        return NULL;
    return out;
}

/*
 * The values: one file per key in the data directory.  A PUT writes a
 * temporary file (".put"), fsyncs it, renames it over the key and syncs
 * the directory, so a crash at any point leaves the key on its old value
 * or its new one, never on a part of one; the answer goes out after all
 * that (conn.c).  Each PUT being received has its own temporary file,
 * ".put.N" (N counts up): PUTs of one key at once never share one.  Those
 * a crash left behind are removed at start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kv.h"

#define TEMP_PREFIX ".put."

static char data_dir[256];

static void path_of(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", data_dir, name);
}

/* The temporary files a crash left in the data directory go. */
static int remove_temps(void)
{
    char path[sizeof(data_dir) + 256 + 2];
    DIR *d = opendir(data_dir);
    struct dirent *e;
    int rc = 0;

    if (!d)
        return -errno;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)))
            continue;
        path_of(e->d_name, path, sizeof(path));
        if (unlink(path) && errno != ENOENT)
            rc = -errno;
    }
    closedir(d);
    return rc;
}

int store_open(const char *dir)
{
    struct stat st;

    if (strlen(dir) >= sizeof(data_dir))
        return -ENAMETOOLONG;
    strcpy(data_dir, dir);
    if (mkdir(dir, 0755) && errno != EEXIST)
        return -errno;
    if (stat(dir, &st))
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    return remove_temps();
}

bool store_key_ok(const char *key, size_t n)
{
    if (n == 0 || n > KV_KEY_MAX || key[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int store_begin(char temp[KV_TEMP_MAX])
{
    static unsigned next;
    char path[sizeof(data_dir) + KV_TEMP_MAX + 1];
    int fd;

    snprintf(temp, KV_TEMP_MAX, TEMP_PREFIX "%u", next++);
    path_of(temp, path, sizeof(path));
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    return fd < 0 ? -errno : fd;
}

/* The directory's entries on stable storage (the rename's new name). */
static int sync_dir(void)
{
    int fd = open(data_dir, O_RDONLY), rc = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd))
        rc = -errno;
    close(fd);
    return rc;
}

int store_commit(int fd, const char *temp, const char *key, bool *created)
{
    char from[sizeof(data_dir) + KV_TEMP_MAX + 1], final[sizeof(data_dir) + KV_KEY_MAX + 2];
    struct stat st;
    int rc = 0;

    path_of(temp, from, sizeof(from));
    path_of(key, final, sizeof(final));
    if (fsync(fd))                   /* the value first, then its name */
        rc = -errno;
    if (close(fd) && !rc)
        rc = -errno;
    if (rc) {
        unlink(from);
        return rc;
    }
    *created = stat(final, &st) != 0;
    if (rename(from, final)) {
        rc = -errno;
        unlink(from);
        return rc;
    }
    return sync_dir();
}

void store_abort(int fd, const char *temp)
{
    char path[sizeof(data_dir) + KV_TEMP_MAX + 1];

    close(fd);
    path_of(temp, path, sizeof(path));
    unlink(path);
}

int store_open_value(const char *key, uint64_t *size)
{
    char path[sizeof(data_dir) + KV_KEY_MAX + 2];
    struct stat st;
    int fd;

    path_of(key, path, sizeof(path));
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st)) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

int store_delete(const char *key)
{
    char path[sizeof(data_dir) + KV_KEY_MAX + 2];

    path_of(key, path, sizeof(path));
    if (unlink(path))
        return -errno;
    return sync_dir();
}

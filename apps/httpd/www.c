/*
 * Looking up the built-in files: a binary search over the generated
 * table, and media types by extension.
 */
#include <stdio.h>
#include <string.h>

#include "www.h"

static const struct www_file *find_exact(const char *path)
{
    size_t lo = 0, hi = www_file_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(path, www_files[mid].path);
        if (cmp == 0)
            return &www_files[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct www_file *www_find(const char *path)
{
    size_t n = strlen(path);
    char index[1100];

    if (n == 0 || path[n - 1] != '/')
        return find_exact(path);
    if (snprintf(index, sizeof index, "%sindex.html", path) >= (int)sizeof index)
        return NULL;
    return find_exact(index);
}

const char *www_content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { "html", "text/html; charset=utf-8" },
        { "css",  "text/css; charset=utf-8" },
        { "js",   "text/javascript; charset=utf-8" },
        { "txt",  "text/plain; charset=utf-8" },
        { "json", "application/json" },
        { "svg",  "image/svg+xml" },
        { "png",  "image/png" },
        { "jpg",  "image/jpeg" },
        { "ico",  "image/x-icon" },
    };
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

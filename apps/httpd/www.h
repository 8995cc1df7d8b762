/*
 * The files httpd serves: apps/httpd/www/ turned into a const table at
 * build time by mkwww.py (build/apps/httpd_www.c), sorted by path, so the
 * host build and the Keel image serve the same bytes and need no file
 * system.
 */
#ifndef HTTPD_WWW_H
#define HTTPD_WWW_H

#include <stddef.h>

struct www_file {
    const char *path;           /* "/index.html": always from the root */
    const unsigned char *data;
    size_t size;
};

extern const struct www_file www_files[];
extern const size_t www_file_count;

/* The file at a normalized path; a path ending in '/' means its
 * index.html.  NULL if there is none. */
const struct www_file *www_find(const char *path);

/* The Content-Type for a path, from its extension. */
const char *www_content_type(const char *path);

#endif /* HTTPD_WWW_H */

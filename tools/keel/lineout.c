/*
 * An output stream.  Without a prefix, bytes go straight to the fd as they
 * come (one guest: stdout carries exactly what it printed, promptly).  With
 * a prefix, complete lines are written as "prefix line\n"; a partial line
 * waits for its end, for keel_lo_flush, or for the buffer to fill.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keel.h"

#define LINE_MAX_HELD 65536

/* Short writes and EINTR are retried; a closed reader (EPIPE) drops output. */
void keel_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void keel_lo_init(struct keel_lineout *lo, int fd, const char *prefix)
{
    memset(lo, 0, sizeof(*lo));
    lo->fd = fd;
    lo->prefix = prefix ? strdup(prefix) : NULL;
}

/* Writes prefix + line (+ '\n' if missing) in one write. */
static void emit_line(struct keel_lineout *lo, const char *s, size_t n)
{
    size_t plen = strlen(lo->prefix);
    bool nl = n > 0 && s[n - 1] == '\n';
    char *tmp = malloc(plen + n + 1);
    if (!tmp)
        return;
    memcpy(tmp, lo->prefix, plen);
    memcpy(tmp + plen, s, n);
    if (!nl)
        tmp[plen + n] = '\n';
    keel_write_all(lo->fd, tmp, plen + n + (nl ? 0 : 1));
    free(tmp);
}

static int hold(struct keel_lineout *lo, const char *s, size_t n)
{
    if (lo->len + n > lo->cap) {
        size_t cap = lo->cap ? lo->cap : 256;
        while (cap < lo->len + n)
            cap *= 2;
        char *b = realloc(lo->buf, cap);
        if (!b)
            return -1;
        lo->buf = b;
        lo->cap = cap;
    }
    memcpy(lo->buf + lo->len, s, n);
    lo->len += n;
    return 0;
}

void keel_lo_write(struct keel_lineout *lo, const void *data, size_t n)
{
    const char *s = data;
    if (!lo->prefix) {
        keel_write_all(lo->fd, s, n);
        return;
    }
    while (n > 0) {
        const char *nl = memchr(s, '\n', n);
        size_t take = nl ? (size_t)(nl - s) + 1 : n;
        if (hold(lo, s, take))
            return;
        if (nl || lo->len >= LINE_MAX_HELD) {
            emit_line(lo, lo->buf, lo->len);
            lo->len = 0;
        }
        s += take;
        n -= take;
    }
}

void keel_lo_flush(struct keel_lineout *lo)
{
    if (lo->prefix && lo->len) {
        emit_line(lo, lo->buf, lo->len);
        lo->len = 0;
    }
}

void keel_lo_free(struct keel_lineout *lo)
{
    keel_lo_flush(lo);
    free(lo->buf);
    free(lo->prefix);
    lo->buf = lo->prefix = NULL;
}

/*
 * Request targets to table paths, and the numbers in a query.
 *
 * Segments are decoded before dot segments are removed, so "%2e%2e" is a
 * ".." like any other; a ".." with nothing left to remove is refused
 * rather than clamped at the root, and so is an encoded '/', which would
 * otherwise make one segment look like two to whoever reads the path next.
 */
#include <string.h>
#include <strings.h>

#include "parse.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes one segment into out; returns its length or -400. */
static int decode_segment(const char *p, const char *end, char *out)
{
    int n = 0;
    while (p < end) {
        char c = *p++;
        if (c == '%') {
            int hi = end - p >= 2 ? hex_value(p[0]) : -1;
            int lo = hi >= 0 ? hex_value(p[1]) : -1;
            if (lo < 0)
                return -400;
            c = (char)(hi << 4 | lo);
            p += 2;
            if (c == '\0' || c == '/')
                return -400;
        }
        out[n++] = c;
    }
    return n;
}

/* "http://host[:port]/path" -> "/path" (9112 3.2.2: a server MUST accept
 * absolute-form); an empty path there is "/". */
static const char *skip_authority(const char *p, const char *end, bool *empty)
{
    size_t n = (size_t)(end - p);
    size_t scheme = n >= 7 && !strncasecmp(p, "http://", 7) ? 7
                  : n >= 8 && !strncasecmp(p, "https://", 8) ? 8 : 0;
    *empty = false;
    if (!scheme)
        return p;
    const char *slash = memchr(p + scheme, '/', n - scheme);
    *empty = !slash;
    return slash ? slash : end;
}

/* Drops the last segment of out[0..o); -1 if there is none. */
static int pop_segment(const char *out, int o)
{
    if (o == 0)
        return -1;
    while (out[o - 1] != '/')
        o--;
    return o - 1;
}

int http_normalize_path(struct http_span target, char *out, size_t cap,
                        struct http_span *query)
{
    const char *end = target.p + target.n;
    bool empty;
    const char *p = skip_authority(target.p, end, &empty);
    const char *q = memchr(p, '?', (size_t)(end - p));

    *query = q ? (struct http_span){ q + 1, (size_t)(end - q - 1) }
               : (struct http_span){ end, 0 };
    end = q ? q : end;
    if ((!empty && (p == end || *p != '/')) || memchr(p, '#', (size_t)(end - p)))
        return -400;
    int o = 0;
    bool trailing_slash = true;
    while (p < end) {
        const char *seg = p + 1;
        const char *next = memchr(seg, '/', (size_t)(end - seg));
        next = next ? next : end;
        if ((size_t)o + 2 + (size_t)(next - seg) > cap)
            return -414;
        out[o] = '/';
        int n = decode_segment(seg, next, out + o + 1);
        if (n < 0)
            return n;
        bool dot = n == 1 && out[o + 1] == '.';
        bool dotdot = n == 2 && out[o + 1] == '.' && out[o + 2] == '.';
        if (dotdot && (o = pop_segment(out, o)) < 0)
            return -400;
        if (n > 0 && !dot && !dotdot)
            o += 1 + n;
        trailing_slash = n == 0 || dot || dotdot;
        p = next;
    }
    if (trailing_slash)
        out[o++] = '/';
    out[o] = '\0';
    return o;
}

int http_query_u64(struct http_span query, const char *name, uint64_t *value)
{
    const char *p = query.p, *end = query.p + query.n;
    size_t nlen = strlen(name);
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if ((size_t)(e - p) > nlen && !memcmp(p, name, nlen) && p[nlen] == '=') {
            const char *d = p + nlen + 1;
            uint64_t v = 0;
            if (d == e)
                return -1;
            for (; d < e; d++) {
                if (*d < '0' || *d > '9' || v > (UINT64_MAX - 9) / 10)
                    return -1;
                v = v * 10 + (uint64_t)(*d - '0');
            }
            *value = v;
            return 1;
        }
        p = amp ? amp + 1 : end;
    }
    return 0;
}

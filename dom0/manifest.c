/*
 * Run manifest parser (grammar in keel/launch.h, interface in manifest.h).
 *
 * A cursor walks the bytes once per guest header and twice per argument list
 * (measure, then copy), so a guest's strings take exactly one allocation of
 * the right size.  Counts in the file are never trusted for allocation: each
 * is first bounded by what the remaining bytes could possibly hold.
 * Zero bytes after "end\n" are accepted (a loader may pad a module to a page);
 * anything else there is an error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/launch.h>
#include "manifest.h"

struct cursor {
    const char *p;
    size_t len, pos;
    unsigned line;
    char *msg;
    size_t msglen;
};

#define MIN_ARG_BYTES   3   /* "0:\n" */
#define MIN_GUEST_BYTES 16  /* "guest 0 2 1\n" + "1:x\n" */

__attribute__((format(printf, 2, 3)))
static int fail(struct cursor *c, const char *fmt, ...)
{
    int n = snprintf(c->msg, c->msglen, "manifest line %u: ", c->line);
    va_list ap;

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->msglen)
        vsnprintf(c->msg + n, c->msglen - n, fmt, ap);
    va_end(ap);
    return -1;
}

static size_t left(const struct cursor *c) { return c->len - c->pos; }

static int literal(struct cursor *c, const char *s)
{
    size_t n = strlen(s);

    if (left(c) < n || memcmp(c->p + c->pos, s, n) != 0)
        return 0;
    c->pos += n;
    return 1;
}

/* A decimal number <= max followed by the byte `stop`; no sign, no leading
 * zeros, no overflow.  Returns 0 on success. */
static int number(struct cursor *c, uint64_t max, char stop, uint64_t *out,
                  const char *what)
{
    size_t start = c->pos;
    uint64_t v = 0;

    while (c->pos < c->len && c->p[c->pos] >= '0' && c->p[c->pos] <= '9') {
        unsigned d = (unsigned)(c->p[c->pos] - '0');
        if (d > max || v > (max - d) / 10)
            return fail(c, "%s is too large (at most %llu)", what,
                        (unsigned long long)max);
        v = v * 10 + d;
        c->pos++;
    }
    if (c->pos == start || (c->p[start] == '0' && c->pos - start > 1))
        return fail(c, "expected %s as a plain decimal number", what);
    if (!literal(c, (char[2]){ stop, 0 }))
        return fail(c, "unexpected byte after %s", what);
    *out = v;
    return 0;
}

/* argc arguments "<len>:<bytes>\n" (env: environment strings, where the
 * first need not be a name).  With out == NULL only checks them and adds
 * up the bytes they need; otherwise copies them with NULs. */
static int arguments(struct cursor *c, uint64_t argc, char *out,
                     size_t *bytes, bool env)
{
    *bytes = 0;
    for (uint64_t a = 0; a < argc; a++) {
        uint64_t n;
        if (number(c, left(c), ':', &n, "an argument length"))
            return -1;
        if (n > left(c) || left(c) - n < 1 || c->p[c->pos + n] != '\n')
            return fail(c, "argument %llu is shorter than its length",
                        (unsigned long long)a);
        if (memchr(c->p + c->pos, '\0', n))
            return fail(c, "argument %llu holds a NUL byte",
                        (unsigned long long)a);
        if (a == 0 && n == 0 && !env)
            return fail(c, "the guest's name (argument 0) is empty");
        if (out) {
            memcpy(out + *bytes, c->p + c->pos, n);
            out[*bytes + n] = '\0';
        }
        *bytes += n + 1;
        c->pos += n + 1;
        c->line++;
    }
    return 0;
}

/* "<module> " of a guest header: a guest image module of this run. */
static int guest_module(struct cursor *c, const struct manifest *m, uint32_t i,
                        uint32_t *out)
{
    uint64_t mod;
    const uint32_t first = KEEL_FIRST_GUEST_MODULE;

    if (number(c, UINT32_MAX, ' ', &mod, "the module number"))
        return -1;
    if (mod == 0)
        return fail(c, "guest %u boots module 0, which is dom0's image", i);
    if (mod == 1)
        return fail(c, "guest %u boots module 1, which is the manifest", i);
    if (mod == KEEL_HOSTS_MODULE)
        return fail(c, "guest %u boots module %u, which is the hosts table",
                    i, KEEL_HOSTS_MODULE);
    if (m->nimages == 0)
        return fail(c, "guest %u boots module %llu, but the run has no guest "
                    "images", i, (unsigned long long)mod);
    if (mod - first >= m->nimages)
        return fail(c, "guest %u boots module %llu, but the guest images are "
                    "modules %u to %u", i, (unsigned long long)mod, first,
                    first + m->nimages - 1);
    *out = (uint32_t)mod;
    return 0;
}

/* The optional "env <envc>\n" after a guest's arguments: *envc, 0 if none. */
static int env_header(struct cursor *c, uint32_t i, uint64_t *envc)
{
    *envc = 0;
    if (!literal(c, "env "))
        return 0;
    if (number(c, UINT32_MAX, '\n', envc, "envc"))
        return -1;
    if (*envc > left(c) / MIN_ARG_BYTES)
        return fail(c, "guest %u announces %llu environment strings, more than "
                    "the manifest holds", i, (unsigned long long)*envc);
    c->line++;
    return 0;
}

static int guest(struct cursor *c, const struct manifest *m, uint32_t i,
                 struct mf_guest *g)
{
    uint64_t idx, argc, envc;
    size_t bytes, env_bytes, mark;
    unsigned mark_line;

    if (!literal(c, "guest "))
        return fail(c, "expected \"guest %u <module> <argc>\"", i);
    if (number(c, UINT32_MAX, ' ', &idx, "the guest number"))
        return -1;
    if (idx != i)
        return fail(c, "guest %llu out of order (expected %u)",
                    (unsigned long long)idx, i);
    if (guest_module(c, m, i, &g->module) ||
        number(c, UINT32_MAX, '\n', &argc, "argc"))
        return -1;
    if (argc > left(c) / MIN_ARG_BYTES)
        return fail(c, "guest %u announces %llu arguments, more than the "
                    "manifest holds", i, (unsigned long long)argc);
    if (argc == 0)
        return fail(c, "guest %u has no arguments (argv[0] is its name)", i);
    c->line++;
    mark = c->pos;
    mark_line = c->line;
    if (arguments(c, argc, NULL, &bytes, false) || env_header(c, i, &envc) ||
        arguments(c, envc, NULL, &env_bytes, true))
        return -1;
    if (!(g->args = malloc(bytes + env_bytes)))
        return fail(c, "out of memory for %zu bytes of arguments", bytes + env_bytes);
    c->pos = mark;
    c->line = mark_line;
    /* cannot fail now: the same bytes again */
    arguments(c, argc, g->args, &g->args_bytes, false);
    env_header(c, i, &envc);
    arguments(c, envc, g->args + bytes, &env_bytes, true);
    g->args_bytes += env_bytes;
    g->argc = (uint32_t)argc;
    g->envc = (uint32_t)envc;
    g->name = g->args;
    return 0;
}

static int same_guest(const struct mf_connect *x, const struct mf_connect *y)
{
    return x->a == y->a || x->a == y->b || x->b == y->a || x->b == y->b;
}

/* One "connect" line; the caller has matched "connect ". */
static int connect_line(struct cursor *c, const struct manifest *m,
                        struct mf_connect *k)
{
    uint64_t a, b, n;

    if (number(c, UINT32_MAX, ' ', &a, "a guest number") ||
        number(c, UINT32_MAX, ' ', &b, "a guest number") ||
        number(c, MF_CHAN_NAME_MAX + 1, ':', &n, "a channel name length"))
        return -1;
    if (a >= m->nguests || b >= m->nguests || a == b)
        return fail(c, "connect %llu %llu: needs two different guests of the %u",
                    (unsigned long long)a, (unsigned long long)b, m->nguests);
    if (n == 0 || n > MF_CHAN_NAME_MAX)
        return fail(c, "a channel name has 1 to %d bytes", MF_CHAN_NAME_MAX);
    if (left(c) < n + 1 || c->p[c->pos + n] != '\n' ||
        memchr(c->p + c->pos, '\0', n))
        return fail(c, "channel name shorter than its length or holding NUL");
    k->a = (uint32_t)a;
    k->b = (uint32_t)b;
    memcpy(k->name, c->p + c->pos, n);
    k->name[n] = '\0';
    c->pos += n + 1;
    for (uint32_t j = 0; j < m->nconnects; j++)
        if (same_guest(&m->connects[j], k) && !strcmp(m->connects[j].name, k->name))
            return fail(c, "two channels named \"%s\" on one guest", k->name);
    c->line++;
    return 0;
}

/* Zero or more "connect" lines after the guests. */
static int connects(struct cursor *c, struct manifest *m)
{
    while (literal(c, "connect ")) {
        if (m->nconnects == MANIFEST_MAX_CONNECTS)
            return fail(c, "more than %d connections", MANIFEST_MAX_CONNECTS);
        if (m->nconnects % 16 == 0) {
            void *p = realloc(m->connects, (m->nconnects + 16) * sizeof(*m->connects));
            if (!p)
                return fail(c, "out of memory for connections");
            m->connects = p;
        }
        if (connect_line(c, m, &m->connects[m->nconnects]))
            return -1;
        m->nconnects++;
    }
    return 0;
}

/* One "disk" line; the caller has matched "disk ". */
static int disk_line(struct cursor *c, const struct manifest *m, struct mf_disk *d)
{
    uint64_t g, slot, ro, first, sectors, n;

    if (number(c, UINT32_MAX, ' ', &g, "a guest number") ||
        number(c, 31, ' ', &slot, "a PCI slot") ||
        number(c, 1, ' ', &ro, "0 or 1 (read-only)") ||
        number(c, UINT64_MAX / 512, ' ', &first, "a first sector") ||
        number(c, UINT64_MAX / 512 - first, ' ', &sectors, "a sector count") ||
        number(c, MF_MOUNT_MAX, ':', &n, "a mount point length"))
        return -1;
    if (g >= m->nguests)
        return fail(c, "disk %llu: no such guest of the %u",
                    (unsigned long long)g, m->nguests);
    if (n == 0 || left(c) < n + 1 || c->p[c->pos] != '/' ||
        c->p[c->pos + n] != '\n' || memchr(c->p + c->pos, '\0', n))
        return fail(c, "a mount point is 1 to %d bytes from '/', without NUL",
                    MF_MOUNT_MAX);
    *d = (struct mf_disk){ (uint32_t)g, (uint32_t)slot, ro == 1, first, sectors, "" };
    memcpy(d->mount, c->p + c->pos, n);
    c->pos += n + 1;
    c->line++;
    return 0;
}

/* Zero or more "disk" lines after the connections. */
static int disks(struct cursor *c, struct manifest *m)
{
    while (literal(c, "disk ")) {
        if (m->ndisks == MANIFEST_MAX_DISKS)
            return fail(c, "more than %d disks", MANIFEST_MAX_DISKS);
        if (!m->disks && !(m->disks = calloc(MANIFEST_MAX_DISKS, sizeof(*m->disks))))
            return fail(c, "out of memory for disks");
        if (disk_line(c, m, &m->disks[m->ndisks]))
            return -1;
        m->ndisks++;
    }
    return 0;
}

static int trailer(struct cursor *c)
{
    if (!literal(c, "end\n"))
        return fail(c, "expected \"end\"");
    for (; c->pos < c->len; c->pos++)
        if (c->p[c->pos] != '\0')
            return fail(c, "unexpected bytes after \"end\"");
    return 0;
}

/* Optional "guestmem <bytes>\n" (keel run --guest-mem): a page multiple,
 * 1 page .. KEEL_GUEST_MAX_BYTES. */
static int guest_mem(struct cursor *c, struct manifest *m)
{
    uint64_t n;

    if (!literal(c, "guestmem "))
        return 0;
    if (number(c, KEEL_GUEST_MAX_BYTES, '\n', &n, "the guests' memory"))
        return -1;
    if (n == 0 || n % KEEL_PAGE_SIZE)
        return fail(c, "guestmem %llu is not a whole number of pages",
                    (unsigned long long)n);
    m->guest_mem = n;
    c->line++;
    return 0;
}

static int body(struct cursor *c, struct manifest *m)
{
    uint64_t n;

    if (!literal(c, KEEL_MANIFEST_MAGIC))
        return fail(c, "not a Keel run manifest (expected \"KEELRUN 2\")");
    c->line++;
    if (!literal(c, "images "))
        return fail(c, "expected \"images <m>\"");
    if (number(c, KEEL_LAUNCH_MAX_IMAGES, '\n', &n, "the image count"))
        return -1;
    m->nimages = (uint32_t)n;
    c->line++;
    if (!literal(c, "guests "))
        return fail(c, "expected \"guests <n>\"");
    if (number(c, KEEL_LAUNCH_MAX_GUESTS, '\n', &n, "the guest count"))
        return -1;
    if (n > left(c) / MIN_GUEST_BYTES)   /* before n sizes an allocation */
        return fail(c, "%llu guests announced, but the manifest is too short "
                    "to describe them", (unsigned long long)n);
    c->line++;
    if (n && !(m->guests = calloc(n, sizeof(*m->guests))))
        return fail(c, "out of memory for %llu guests", (unsigned long long)n);
    for (m->nguests = 0; m->nguests < n; m->nguests++)
        if (guest(c, m, m->nguests, &m->guests[m->nguests]))
            return -1;
    if (connects(c, m) || disks(c, m) || guest_mem(c, m))
        return -1;
    if (literal(c, "diskbench\n")) {
        m->disk_bench = true;
        c->line++;
    }
    return trailer(c);
}

int manifest_parse(const void *buf, size_t len, struct manifest *m,
                   char *msg, size_t msglen)
{
    struct cursor c = { buf, len, 0, 1, msg, msglen };

    m->nimages = 0;
    m->nguests = 0;
    m->guests = NULL;
    m->nconnects = 0;
    m->connects = NULL;
    m->ndisks = 0;
    m->disks = NULL;
    m->disk_bench = false;
    m->guest_mem = 0;
    if (msglen)
        msg[0] = '\0';
    if (body(&c, m) == 0)
        return 0;
    manifest_free(m);
    return -1;
}

void manifest_free(struct manifest *m)
{
    for (uint32_t i = 0; m->guests && i < m->nguests; i++)
        free(m->guests[i].args);
    free(m->guests);
    m->guests = NULL;
    m->nguests = 0;
    m->nimages = 0;
    free(m->connects);
    m->connects = NULL;
    m->nconnects = 0;
    free(m->disks);
    m->disks = NULL;
    m->ndisks = 0;
}

/*
 * `--connect A:B[:NAME]`: an inter-domain channel between two guests of
 * the run (keel/channel.h).  A and B are guest names (as shown in output
 * prefixes) or 0-based indices in command-line order; A is the granter.
 * NAME (default "chan") is what both guests open; it may hold any byte but
 * NUL, colons included, up to KEEL_CONNECT_NAME_MAX bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keel.h"

/* A guest by name first (names are unique), else by index. */
int keel_guest_index(const char *s, size_t len, char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], s, len))
            return i;
    if (len == 0 || len > 9 || (s[0] == '0' && len > 1))
        return -1;
    int v = 0;
    for (size_t k = 0; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v < n ? v : -1;
}

static int resolve(const char *spec, char *const *names, int n,
                   struct keel_connect *c, FILE *err)
{
    const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *bend = c2 ? c2 : spec + strlen(spec);
    const char *name = c2 ? c2 + 1 : "chan";

    if (!c1) {
        fprintf(err, "keel: --connect wants A:B[:NAME], not '%s'\n", spec);
        return -1;
    }
    c->a = keel_guest_index(spec, (size_t)(c1 - spec), names, n);
    c->b = keel_guest_index(c1 + 1, (size_t)(bend - c1 - 1), names, n);
    if (c->a < 0 || c->b < 0) {
        fprintf(err, "keel: --connect '%s': no such guest (names or indices "
                "0..%d)\n", spec, n - 1);
        return -1;
    }
    if (c->a == c->b) {
        fprintf(err, "keel: --connect '%s': a guest cannot connect to itself\n", spec);
        return -1;
    }
    if (!*name || strlen(name) > KEEL_CONNECT_NAME_MAX) {
        fprintf(err, "keel: --connect '%s': NAME must have 1 to %d bytes\n",
                spec, KEEL_CONNECT_NAME_MAX);
        return -1;
    }
    strcpy(c->name, name);
    return 0;
}

/* A guest opens a channel by name: two with one name on one guest would
 * make the second unreachable. */
static int clash(const struct keel_connect *c, int i, FILE *err)
{
    for (int j = 0; j < i; j++) {
        int shared = c[j].a == c[i].a || c[j].a == c[i].b ||
                     c[j].b == c[i].a || c[j].b == c[i].b;
        if (shared && !strcmp(c[j].name, c[i].name)) {
            fprintf(err, "keel: --connect: two channels named '%s' on one "
                    "guest\n", c[i].name);
            return -1;
        }
    }
    return 0;
}

int keel_resolve_connects(char *const *specs, int nspecs, char *const *names,
                          int n, struct keel_connect **out, FILE *err)
{
    *out = NULL;
    if (nspecs == 0)
        return 0;
    struct keel_connect *c = calloc((size_t)nspecs, sizeof(*c));
    if (!c) {
        fprintf(err, "keel: out of memory\n");
        return -1;
    }
    for (int i = 0; i < nspecs; i++) {
        if (resolve(specs[i], names, n, &c[i], err) || clash(c, i, err)) {
            free(c);
            return -1;
        }
    }
    *out = c;
    return 0;
}

/*
 * Guest names: the image's file name without its extension ("dir/a.img" ->
 * "a"), made unique in command-line order ("a", "a-2", "a-3", ...; a suffix
 * that would clash with another guest's name is skipped).  The name is the
 * guest's argv[0] and its output prefix.
 */
#include <stdlib.h>
#include <string.h>

#include "keel.h"

char *keel_guest_basename(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    const char *base = path;
    for (size_t i = 0; i < len; i++)
        if (path[i] == '/' && i + 1 < len)
            base = path + i + 1;
    size_t n = (size_t)(path + len - base);
    /* strip the last extension, but keep dot files (".img") whole */
    for (size_t i = n; i > 1; i--) {
        if (base[i - 1] == '.') {
            n = i - 1;
            break;
        }
    }
    if (n == 0 || (n == 1 && base[0] == '/'))
        return strdup("guest");
    return strndup(base, n);
}

/*
 * Names seen so far, for keel_unique_names: an open-addressing hash table of
 * strings (copies: a renamed guest frees its old name), each with how many
 * guests hold it now, whether an earlier guest holds it, and the next
 * suffix to try for it.  A name once held stays held (only later duplicates
 * are renamed, and the earlier holder keeps it), so suffixes below `next`
 * never need trying again: a thousand copies of one image cost O(n), not
 * the O(n^3) of trying "a-2", "a-3", ... against every name each time.
 */
struct name_slot {
    char *s;
    unsigned held;           /* guests whose name this is now */
    bool earlier;            /* held by a guest already made unique */
    unsigned next;           /* the next suffix to try for this base */
};

struct name_set {
    struct name_slot *slot;
    size_t mask;
};

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot of s, made (held 0) if it is new; NULL when out of memory. */
static struct name_slot *name_get(struct name_set *t, const char *s)
{
    size_t i = name_hash(s) & t->mask;
    while (t->slot[i].s && strcmp(t->slot[i].s, s))
        i = (i + 1) & t->mask;
    if (!t->slot[i].s && !(t->slot[i].s = strdup(s)))
        return NULL;
    return &t->slot[i];
}

static int rename_dup(struct name_set *t, char **name, struct name_slot *base)
{
    size_t cap = strlen(*name) + 16;
    char *s = malloc(cap);
    struct name_slot *e;
    if (!s)
        return -1;
    for (unsigned k = base->next < 2 ? 2 : base->next;; k++) {
        snprintf(s, cap, "%s-%u", *name, k);
        if (!(e = name_get(t, s))) {
            free(s);
            return -1;
        }
        if (!e->held) {
            base->next = k + 1;
            break;
        }
    }
    base->held--;
    e->held++;
    free(*name);
    *name = s;
    return 0;
}

/* Renames later duplicates in place (names are malloc'd).  0 or -1 (ENOMEM). */
int keel_unique_names(char **names, int n)
{
    size_t size = 16;
    while (size < 4 * (size_t)n)     /* every name and its rename: half full */
        size *= 2;
    struct name_set t = { calloc(size, sizeof(*t.slot)), size - 1 };
    int rc = t.slot ? 0 : -1;
    struct name_slot *e;

    for (int i = 0; rc == 0 && i < n; i++) {
        if (!(e = name_get(&t, names[i])))
            rc = -1;
        else
            e->held++;
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        if (!(e = name_get(&t, names[i])))
            rc = -1;
        else if (e->earlier && rename_dup(&t, &names[i], e))
            rc = -1;
        else if (!(e = name_get(&t, names[i])))
            rc = -1;
        else
            e->earlier = true;
    }
    for (size_t i = 0; t.slot && i < size; i++)
        free(t.slot[i].s);
    free(t.slot);
    return rc;
}

/*
 * A label for a module's command line: QEMU splits -initrd at commas and a
 * module's path from its string at the first space, and the hypervisor keeps
 * at most KEEL_MODULE_NAME_MAX bytes, so keep it short and plain.
 */
void keel_module_label(const char *name, char *out, size_t outsz)
{
    size_t j = 0;
    for (size_t i = 0; name[i] && j + 1 < outsz && j < 40; i++) {
        char c = name[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        out[j++] = plain ? c : '_';
    }
    if (outsz)
        out[j] = '\0';
}

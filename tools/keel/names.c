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

static bool name_taken(char **names, int n, int self, const char *s)
{
    for (int i = 0; i < n; i++)
        if (i != self && names[i] && !strcmp(names[i], s))
            return true;
    return false;
}

/* Renames later duplicates in place (names are malloc'd).  0 or -1 (ENOMEM). */
int keel_unique_names(char **names, int n)
{
    for (int i = 1; i < n; i++) {
        bool dup = false;
        for (int j = 0; j < i && !dup; j++)
            dup = !strcmp(names[i], names[j]);
        if (!dup)
            continue;
        size_t cap = strlen(names[i]) + 16;
        char *s = malloc(cap);
        if (!s)
            return -1;
        for (unsigned k = 2;; k++) {
            snprintf(s, cap, "%s-%u", names[i], k);
            if (!name_taken(names, n, i, s))
                break;
        }
        free(names[i]);
        names[i] = s;
    }
    return 0;
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

/*
 * Argument unpacking.
 *
 * The builder writes argc NUL-terminated strings back to back (argv[0] is
 * the guest's name).  The page is in the domain's own memory and the
 * domain could have been built by anything, so the layout is checked
 * before main() sees a pointer into it: every string must end inside the
 * buffer and the buffer must hold exactly argc of them.
 */
#include <string.h>
#include "internal.h"

int libos_unpack_args(char *buf, size_t bytes, uint32_t argc, char **argv)
{
    size_t off = 0;

    for (uint32_t i = 0; i < argc; i++) {
        const char *nul;

        if (off >= bytes)
            return -KEEL_EINVAL;
        nul = memchr(buf + off, '\0', bytes - off);
        if (!nul)
            return -KEEL_EINVAL;
        argv[i] = buf + off;
        off = (size_t)(nul - buf) + 1;
    }
    if (off != bytes)
        return -KEEL_EINVAL;
    argv[argc] = NULL;
    return 0;
}

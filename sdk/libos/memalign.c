/*
 * posix_memalign, which newlib's aligned_alloc calls and this newlib does
 * not have: its memalign, with POSIX's checks and errors.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

int posix_memalign(void **out, size_t align, size_t size)
{
    void *p;

    if (align % sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    if (!(p = memalign(align, size)))
        return ENOMEM;
    *out = p;
    return 0;
}

/*
 * The walk over an image's program headers that every check makes.
 * Private to lib/image/.
 */
#ifndef LIB_IMAGE_PHDRS_H
#define LIB_IMAGE_PHDRS_H

#include <image/elf_check.h>

typedef int (*image_phdr_fn)(const struct elf64_phdr *ph, unsigned idx,
                             void *arg, char *msg, size_t msglen);

/* fn on a copy of each program header, in table order, until one answers
 * other than IMG_OK (that answer is returned, msg filled).  The table
 * must have been checked to lie in the file (check_header). */
static inline int image_each_phdr(const void *file, uint64_t size,
                                  const struct elf64_ehdr *eh,
                                  image_phdr_fn fn, void *arg,
                                  char *msg, size_t msglen)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        struct elf64_phdr ph;
        elf_read_phdr(file, size, eh, i, &ph);
        int rc = fn(&ph, i, arg, msg, msglen);
        if (rc != IMG_OK)
            return rc;
    }
    return IMG_OK;
}

#endif /* LIB_IMAGE_PHDRS_H */

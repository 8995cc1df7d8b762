/*
 * Validation of a guest image before anything is built from it.
 *
 * elf_check() reads an untrusted file (a boot module the user named) and
 * either fills a struct image_info that the builder can follow blindly, or
 * returns an IMG_E* code with a one-line reason for the user.  Every offset,
 * size and address in the file is checked with arithmetic that cannot wrap;
 * nothing outside [file, file + size) is ever read.
 *
 * What a valid guest image is: ELF64, little endian, x86-64, ET_EXEC,
 * version 1; PT_LOAD segments inside [KEEL_GUEST_BASE, KEEL_GUEST_BASE +
 * mem_bytes), congruent with their file offsets modulo the page size, with
 * filesz <= memsz, whose pages do not overlap (each page gets one set of
 * rights) and are never writable and executable at once; an entry point in
 * an executable segment; exactly one Keel note (keel/image_note.h) for this
 * ABI, without the privileged flag, with memory and stack sizes that leave
 * room for the segments, start info, a guard page and the stack.
 */
#ifndef DOM0_ELF_CHECK_H
#define DOM0_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <keel/image_note.h>
#include "elf64.h"

#define IMAGE_MAX_SEGS 16      /* loadable segments; linkers emit 2 to 5 */
#define IMAGE_MSG_MAX  256     /* room for any reason elf_check writes */

enum image_err {
    IMG_OK = 0,
    IMG_ENOTELF,   /* not an ELF file at all */
    IMG_EFORMAT,   /* ELF, but not the kind Keel runs (class, machine, type) */
    IMG_ETRUNC,    /* a header or segment lies beyond the end of the file */
    IMG_ESEGMENT,  /* a loadable segment is malformed or out of place */
    IMG_EOVERLAP,  /* two segments share a page */
    IMG_EWX,       /* a segment is writable and executable */
    IMG_EENTRY,    /* entry point not in an executable segment */
    IMG_ENOTE,     /* Keel note missing, duplicated or malformed */
    IMG_EABI,      /* built for another KEEL_ABI_VERSION */
    IMG_EMEM,      /* memory or stack size insane or too small */
    IMG_EPRIV,     /* a privileged (dom0-only) image */
};

struct image_seg {
    uint64_t vaddr;
    uint64_t offset;
    uint64_t filesz;
    uint64_t memsz;
    uint32_t flags;            /* ELF_PF_* */
};

struct image_info {
    uint64_t entry;
    unsigned nsegs;            /* non-empty PT_LOADs, in file order */
    struct image_seg seg[IMAGE_MAX_SEGS];
    struct keel_image_note note;
    uint64_t load_bytes;       /* sum of filesz: bytes copied from the file */
    uint64_t seg_end;          /* page-rounded end of the highest segment */
};

/* Returns IMG_OK and fills *out, or an IMG_E* code with the reason in msg
 * (always NUL terminated when msglen > 0). */
int elf_check(const void *file, uint64_t size, struct image_info *out,
              char *msg, size_t msglen);

/* elf_note.c: find the one Keel note among the PT_NOTE segments of a file
 * whose program header table elf_check() has already bounds-checked. */
int elf_find_keel_note(const void *file, uint64_t size,
                       const struct elf64_ehdr *eh,
                       struct keel_image_note *note, char *msg, size_t msglen);

#endif /* DOM0_ELF_CHECK_H */

/*
 * The one check of a Keel image, for every builder: the hypervisor checks
 * dom0's image with it (hv/common/dom0.c), dom0's toolstack every guest's
 * (dom0/builder.c).  One checker, one answer: only the flags each role
 * needs and refuses differ.
 *
 * image_check() reads an untrusted file (a boot module) and either fills a
 * struct image_info that a builder can follow blindly, or returns an IMG_E*
 * code with a one-line reason for the user.  Every offset, size and address
 * in the file is checked with arithmetic that cannot wrap; nothing outside
 * [file, file + size) is ever read.
 *
 * What a valid Keel image is: ELF64, little endian, x86-64, ET_EXEC,
 * version 1, at most IMAGE_MAX_PHDRS program headers, none of them
 * PT_INTERP, PT_DYNAMIC or PT_TLS (a static executable); at most
 * IMAGE_MAX_SEGS non-empty PT_LOAD segments, in address order, inside
 * [KEEL_GUEST_BASE, KEEL_GUEST_BASE + mem_bytes), congruent with their file
 * offsets modulo the page size, with filesz <= memsz, never writable and
 * executable, and no two touching one page (each page gets one set of
 * rights, so no page is ever writable and executable either); an entry
 * point in an executable segment; exactly one Keel note (keel/image_note.h)
 * and at most one devices note with known bits,
 * for this ABI, with known flags, every flag the role needs and none it
 * refuses, and memory and stack sizes that leave room for the segments, a
 * page of start info, a guard page and the stack (image/layout.h).
 */
#ifndef LIB_IMAGE_ELF_CHECK_H
#define LIB_IMAGE_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <keel/image_note.h>
#include "elf64.h"

#define IMAGE_MAX_PHDRS 64     /* program headers; linkers emit 4 to 10 */
#define IMAGE_MAX_SEGS  16     /* loadable segments; linkers emit 2 to 5 */
#define IMAGE_MSG_MAX   256    /* room for any reason image_check writes */

enum image_err {
    IMG_OK = 0,
    IMG_ENOTELF,   /* not an ELF file at all */
    IMG_EFORMAT,   /* ELF, but not the kind Keel runs (class, machine, type,
                      program headers, dynamic linking, TLS) */
    IMG_ETRUNC,    /* a header or segment lies beyond the end of the file */
    IMG_ESEGMENT,  /* a loadable segment is malformed or out of place */
    IMG_EOVERLAP,  /* two segments share a page */
    IMG_EWX,       /* a segment is writable and executable */
    IMG_EENTRY,    /* entry point not in an executable segment */
    IMG_ENOTE,     /* Keel note missing, duplicated or malformed */
    IMG_EABI,      /* built for another KEEL_ABI_VERSION */
    IMG_EMEM,      /* memory or stack size insane or too small */
    IMG_EPRIV,     /* privilege does not fit the role: a dom0-only image
                      as a guest, or an unprivileged one as dom0 */
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
    unsigned nsegs;            /* non-empty PT_LOADs, in address order */
    struct image_seg seg[IMAGE_MAX_SEGS];
    struct keel_image_note note;
    uint32_t devices;          /* KEEL_NOTE_DEV_*: its devices note, or 0 */
    uint64_t load_bytes;       /* sum of filesz: bytes copied from the file */
    uint64_t seg_end;          /* page-rounded end of the highest segment */
};

/* Check file[0, size) as an image whose note has every flag in need_flags
 * and none in refuse_flags (dom0: KEEL_IMAGE_PRIVILEGED, 0; a guest: 0,
 * KEEL_IMAGE_PRIVILEGED).  Returns IMG_OK and fills *out, or an IMG_E* code
 * with the reason in msg (always NUL terminated when msglen > 0). */
int image_check(const void *file, uint64_t size, uint32_t need_flags,
                uint32_t refuse_flags, struct image_info *out, char *msg,
                size_t msglen);

/* elf_note.c: find the one Keel note (and the devices note, if any: its
 * bits in *devices, else 0) among the PT_NOTE segments of a file whose
 * program header table image_check() has already bounds-checked, and
 * check what they say (as image_check does). */
int image_check_note(const void *file, uint64_t size,
                     const struct elf64_ehdr *eh, uint32_t need_flags,
                     uint32_t refuse_flags, struct keel_image_note *note,
                     uint32_t *devices, char *msg, size_t msglen);

#endif /* LIB_IMAGE_ELF_CHECK_H */

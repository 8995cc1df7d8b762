/*
 * The Keel image note (keel/image_note.h), as one ELF note entry.
 *
 * libkeel.a carries this file built with the defaults, and crt0's C side
 * (start.c) refers to __keel_image_note, so an image linked without
 * mkimage still gets a valid note.  bin/mkimage compiles the same file with
 * -DKEEL_NOTE_FLAGS/-DKEEL_NOTE_MEM/-DKEEL_NOTE_STACK and links it before
 * the library, so the archive's copy is then never pulled in.
 *
 * The section name starts with ".note", which makes the assembler give it
 * type SHT_NOTE; the linker script puts it under the image's only PT_NOTE.
 * Entries are 4-byte aligned: the 5-byte name is padded to 8, so the
 * descriptor starts at byte 20 of the entry (readers must not assume it is
 * 8-byte aligned).  The checks below make a bad size a compile error,
 * which mkimage shows to its user.
 */
#include <keel/image_note.h>
#include "internal.h"

#ifndef KEEL_NOTE_FLAGS
#define KEEL_NOTE_FLAGS 0u
#endif
#ifndef KEEL_NOTE_MEM
#define KEEL_NOTE_MEM KEEL_DEFAULT_MEM_BYTES
#endif
#ifndef KEEL_NOTE_STACK
#define KEEL_NOTE_STACK KEEL_DEFAULT_STACK_BYTES
#endif

_Static_assert(KEEL_NOTE_MEM % KEEL_PAGE_SIZE == 0, "memory size must be a page multiple");
_Static_assert(KEEL_NOTE_STACK % KEEL_PAGE_SIZE == 0, "stack size must be a page multiple");
_Static_assert(KEEL_NOTE_STACK > 0, "stack size must not be 0");
_Static_assert(KEEL_NOTE_STACK < KEEL_NOTE_MEM, "stack must be smaller than memory");
_Static_assert(KEEL_NOTE_MEM <= KEEL_GUEST_MAX_BYTES, "memory larger than a domain may have");
_Static_assert(sizeof(struct libos_note_entry) == 20 + sizeof(struct keel_image_note),
               "note entry layout");

/* aligned(4) on the object too: otherwise gcc aligns a 44-byte object to
 * 32 and the PT_NOTE gets an alignment no note reader accepts. */
__attribute__((section(".note.keel"), used, aligned(4)))
const struct libos_note_entry __keel_image_note = {
    .namesz = sizeof(KEEL_NOTE_NAME),
    .descsz = sizeof(struct keel_image_note),
    .type = KEEL_NOTE_IMAGE,
    .name = KEEL_NOTE_NAME,
    .desc = {
        .abi_version = KEEL_ABI_VERSION,
        .flags = KEEL_NOTE_FLAGS,
        .mem_bytes = KEEL_NOTE_MEM,
        .stack_bytes = KEEL_NOTE_STACK,
    },
};

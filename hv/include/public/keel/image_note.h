/*
 * The Keel image note.  Every Keel image is a static ELF64 x86-64 ET_EXEC
 * linked at KEEL_GUEST_BASE with one PT_NOTE holding this note:
 *
 *   namesz = 5, name "Keel\0" (padded to 8), type KEEL_NOTE_IMAGE,
 *   descsz = sizeof(struct keel_image_note)
 *
 * A builder refuses an image without it, or with another abi_version.
 *
 * Optionally, devices notes (same name, type KEEL_NOTE_DEVICES, descsz =
 * sizeof(struct keel_devices_note)) say which devices the image can
 * drive, so that the toolstack gives it those and no others.  The SDK
 * library of a device carries one (sdk/netfront: KEEL_NOTE_DEV_NET,
 * sdk/blkfront: KEEL_NOTE_DEV_BLOCK), so an image gets it exactly when it
 * links that library, and an image that links several has several: the
 * bits of every such note are OR'd, and a builder refuses a bit it does
 * not know.  No note: no devices but the console.
 */
#ifndef KEEL_PUBLIC_IMAGE_NOTE_H
#define KEEL_PUBLIC_IMAGE_NOTE_H

#include "abi.h"

#define KEEL_NOTE_NAME   "Keel"
#define KEEL_NOTE_IMAGE  0x4b454c31u      /* "KEL1" */

#define KEEL_NOTE_DEVICES 0x4b454c32u     /* "KEL2" */

#define KEEL_IMAGE_PRIVILEGED (1u << 0)   /* may only be booted as dom0 */

#define KEEL_NOTE_DEV_NET   (1u << 0)     /* a network interface (keel/net.h) */
#define KEEL_NOTE_DEV_BLOCK (1u << 1)     /* a disk (keel/blk.h; sdk/blkfront) */
#define KEEL_NOTE_DEV_KNOWN (KEEL_NOTE_DEV_NET | KEEL_NOTE_DEV_BLOCK)

/* mem_bytes is the most memory a domain may have: it starts with what it
 * needs to reach main and asks for the rest on demand (keel/memory.h), so
 * a large default costs nothing until used.  256 MiB keeps the default
 * range (from KEEL_GUEST_BASE) under 1 GiB, one page directory: a small
 * guest needs no more page tables than with a small mem_bytes. */
#define KEEL_DEFAULT_MEM_BYTES   (256ull << 20)
#define KEEL_DEFAULT_STACK_BYTES (256ull << 10)

struct keel_image_note {
    uint32_t abi_version;   /* KEEL_ABI_VERSION the image was built for */
    uint32_t flags;         /* KEEL_IMAGE_* */
    uint64_t mem_bytes;     /* memory the domain wants, page multiple */
    uint64_t stack_bytes;   /* stack size, page multiple, < mem_bytes */
};

struct keel_devices_note {
    uint32_t devices;       /* KEEL_NOTE_DEV_* */
    uint32_t pad;           /* 0 */
};

#endif /* KEEL_PUBLIC_IMAGE_NOTE_H */

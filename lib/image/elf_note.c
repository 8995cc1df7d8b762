/*
 * Finding the Keel note (keel/image_note.h) in an untrusted image.
 *
 * Notes live in PT_NOTE segments as a sequence of (header, name, desc)
 * records, each part padded to the segment's alignment (4 for most notes, 8
 * for segments the linker aligned to 8).  Other notes (GNU build-id,
 * properties) are skipped.  The image must hold exactly one Keel image note:
 * two would leave the builder guessing which memory size was meant.  Then
 * what it says is judged: its ABI, its flags against the role, its sizes.
 * A devices note is optional, one at most, with known bits only.
 */
#include <keel/abi.h>
#include <image/elf_check.h>
#include "phdrs.h"
#include "why.h"

#define NOTE_PAGE_MASK ((uint64_t)KEEL_PAGE_SIZE - 1)
#define KNOWN_FLAGS KEEL_IMAGE_PRIVILEGED

static uint64_t note_pad(uint64_t n, uint64_t align)
{
    return (n + align - 1) & ~(align - 1);   /* n < 2^33: cannot wrap */
}

/* The Keel notes of an image: how many of each, and the first of each. */
struct notes {
    unsigned nimage;
    struct keel_image_note *image;
    struct keel_devices_note devices;
};

static int is_keel_note(const uint8_t *seg, uint64_t name_off,
                        const struct elf64_nhdr *nh, uint32_t type)
{
    return nh->n_type == type &&
           nh->n_namesz == sizeof(KEEL_NOTE_NAME) &&
           __builtin_memcmp(seg + name_off, KEEL_NOTE_NAME,
                            sizeof(KEEL_NOTE_NAME)) == 0;
}

/* One note at desc_off: counted and, if it is the first of its type, kept. */
static int take_note(const uint8_t *seg, uint64_t name_off, uint64_t desc_off,
                     const struct elf64_nhdr *nh, struct notes *f,
                     char *msg, size_t msglen)
{
    if (is_keel_note(seg, name_off, nh, KEEL_NOTE_IMAGE)) {
        if (nh->n_descsz != sizeof(*f->image))
            REFUSE(IMG_ENOTE, "Keel note has %u bytes, expected %u",
                   nh->n_descsz, sizeof(*f->image));
        if (f->nimage++ == 0)
            __builtin_memcpy(f->image, seg + desc_off, sizeof(*f->image));
    } else if (is_keel_note(seg, name_off, nh, KEEL_NOTE_DEVICES)) {
        if (nh->n_descsz != sizeof(f->devices))
            REFUSE(IMG_ENOTE, "Keel devices note has %u bytes, expected %u",
                   nh->n_descsz, sizeof(f->devices));
        struct keel_devices_note one;

        /* one per device library linked (keel/image_note.h): OR'd */
        __builtin_memcpy(&one, seg + desc_off, sizeof(one));
        f->devices.devices |= one.devices;
    }
    return IMG_OK;
}

/* Walk one note segment, taking the Keel notes.  Returns IMG_OK or an
 * error with msg filled. */
static int walk_notes(const uint8_t *seg, uint64_t len, uint64_t align,
                      unsigned idx, struct notes *f, char *msg, size_t msglen)
{
    uint64_t pos = 0;

    while (pos < len) {
        struct elf64_nhdr nh;
        if (!elf_read(seg, len, pos, &nh, sizeof(nh)))
            goto bad;
        uint64_t name_off = pos + sizeof(nh);
        uint64_t desc_off = name_off + note_pad(nh.n_namesz, align);
        if (!elf_in_file(len, name_off, nh.n_namesz) ||
            !elf_in_file(len, desc_off, nh.n_descsz))
            goto bad;
        int rc = take_note(seg, name_off, desc_off, &nh, f, msg, msglen);
        if (rc != IMG_OK)
            return rc;
        pos = desc_off + note_pad(nh.n_descsz, align);
    }
    return IMG_OK;
bad:
    REFUSE(IMG_ENOTE, "note segment %u is malformed (a note runs past its "
           "end)", idx);
}

struct finding {
    const void *file;
    uint64_t size;
    struct notes *f;
};

static int note_segment(const struct elf64_phdr *ph, unsigned i, void *arg,
                        char *msg, size_t msglen)
{
    struct finding *fd = arg;

    if (ph->p_type != ELF_PT_NOTE)
        return IMG_OK;
    if (!elf_in_file(fd->size, ph->p_offset, ph->p_filesz))
        REFUSE(IMG_ETRUNC, "truncated: note segment %u lies beyond the "
               "end of the file", i);
    return walk_notes((const uint8_t *)fd->file + ph->p_offset, ph->p_filesz,
                      ph->p_align == 8 ? 8 : 4, i, fd->f, msg, msglen);
}

static int find_notes(const void *file, uint64_t size,
                      const struct elf64_ehdr *eh, struct notes *f,
                      char *msg, size_t msglen)
{
    struct finding fd = { file, size, f };
    int rc = image_each_phdr(file, size, eh, note_segment, &fd, msg, msglen);

    if (rc != IMG_OK)
        return rc;
    if (f->nimage == 0)
        REFUSE(IMG_ENOTE, "no Keel note: not a Keel image (build it with "
               "mkimage)");
    if (f->nimage > 1)
        REFUSE(IMG_ENOTE, "%u Keel notes, an image must have exactly one",
               f->nimage);
    if (f->devices.devices & ~KEEL_NOTE_DEV_KNOWN)
        REFUSE(IMG_ENOTE, "image asks for unknown devices 0x%x",
               f->devices.devices & ~KEEL_NOTE_DEV_KNOWN);
    return IMG_OK;
}

static int check_flags(uint32_t flags, uint32_t need, uint32_t refuse,
                       char *msg, size_t msglen)
{
    uint32_t missing = need & ~flags, refused = flags & refuse;

    if (refused & KEEL_IMAGE_PRIVILEGED)
        REFUSE(IMG_EPRIV, "image is privileged (built for domain zero) and "
               "cannot run as a guest");
    if (missing & KEEL_IMAGE_PRIVILEGED)
        REFUSE(IMG_EPRIV, "image is not privileged: domain zero must be "
               "built with mkimage --privileged (KEEL_IMAGE_PRIVILEGED)");
    if (flags & ~KNOWN_FLAGS)
        REFUSE(IMG_ENOTE, "image has unknown flags 0x%x", flags);
    if (missing || refused)
        REFUSE(IMG_EPRIV, "image has flags 0x%x, but needs 0x%x and "
               "refuses 0x%x", flags, need, refuse);
    return IMG_OK;
}

static int check_note(const struct keel_image_note *n, uint32_t need,
                      uint32_t refuse, char *msg, size_t msglen)
{
    int rc;

    if (n->abi_version != KEEL_ABI_VERSION)
        REFUSE(IMG_EABI, "image built for Keel ABI %u, this hypervisor "
               "speaks %u", n->abi_version, KEEL_ABI_VERSION);
    if ((rc = check_flags(n->flags, need, refuse, msg, msglen)))
        return rc;
    if (n->mem_bytes == 0 || (n->mem_bytes & NOTE_PAGE_MASK) ||
        n->mem_bytes > KEEL_GUEST_MAX_BYTES)
        REFUSE(IMG_EMEM, "image asks for %u bytes of memory: not a page "
               "multiple between 4 KiB and 64 GiB", n->mem_bytes);
    if (n->stack_bytes == 0 || (n->stack_bytes & NOTE_PAGE_MASK) ||
        n->stack_bytes >= n->mem_bytes)
        REFUSE(IMG_EMEM, "image asks for a stack of %u bytes: not a page "
               "multiple below its memory (%u bytes)", n->stack_bytes,
               n->mem_bytes);
    return IMG_OK;
}

int image_check_note(const void *file, uint64_t size,
                     const struct elf64_ehdr *eh, uint32_t need_flags,
                     uint32_t refuse_flags, struct keel_image_note *note,
                     uint32_t *devices, char *msg, size_t msglen)
{
    struct notes f = { .image = note };
    int rc = find_notes(file, size, eh, &f, msg, msglen);

    *devices = f.devices.devices;
    return rc ? rc : check_note(note, need_flags, refuse_flags, msg, msglen);
}

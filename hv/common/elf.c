/*
 * Strict validation of a Keel image: the only ELF the hypervisor parses is
 * dom0's, and it comes from the boot loader, so every field is checked
 * before it is used, with overflow-safe arithmetic (a + b <= limit is tested
 * as a <= limit && b <= limit - a).  Pure logic: no hv dependencies, so the
 * host unit test includes this file directly.
 */
#include <keel/abi.h>
#include <keel/domctl.h>
#include <hv/elf.h>

#define PAGE 4096ull
#define REJECT(msg) do { *why = (msg); return -KEEL_EINVAL; } while (0)

/* [off, off + size) inside [0, len) */
static int in_bounds(uint64_t off, uint64_t size, uint64_t len)
{
    return off <= len && size <= len - off;
}

static int check_header(const struct elf64_ehdr *eh, uint64_t len, const char **why)
{
    static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

    for (int i = 0; i < 4; i++)
        if (eh->e_ident[i] != magic[i])
            REJECT("not an ELF file");
    if (eh->e_ident[4] != 2 || eh->e_ident[5] != 1 || eh->e_ident[6] != 1)
        REJECT("not ELF64 little-endian version 1");
    if (eh->e_type != 2)
        REJECT("not an executable (ET_EXEC)");
    if (eh->e_machine != 62 || eh->e_version != 1)
        REJECT("not an x86-64 ELF");
    if (eh->e_phentsize != sizeof(struct elf64_phdr))
        REJECT("bad program header size");
    if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
        REJECT("bad number of program headers");
    if (eh->e_phoff % 8 != 0 ||
        !in_bounds(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), len))
        REJECT("program headers outside the file");
    return 0;
}

static unsigned flags_to_rights(uint32_t pf)
{
    return ((pf & ELF_PF_R) ? KEEL_RIGHT_R : 0) |
           ((pf & ELF_PF_W) ? KEEL_RIGHT_W : 0) |
           ((pf & ELF_PF_X) ? KEEL_RIGHT_X : 0);
}

/* Walk the notes of one PT_NOTE; fills *note and returns 1 if ours is there. */
static int find_note(const uint8_t *p, uint64_t size, struct keel_image_note *note,
                     const char **why)
{
    uint64_t off = 0;

    while (size - off >= 12) {
        const uint32_t *h = (const uint32_t *)(p + off);
        uint64_t namesz = h[0], descsz = h[1], type = h[2];
        uint64_t name_al = (namesz + 3) & ~3ull, desc_al = (descsz + 3) & ~3ull;

        off += 12;
        if (!in_bounds(off, name_al, size) || !in_bounds(off + name_al, desc_al, size))
            REJECT("note runs past its segment");
        const uint8_t *name = p + off, *desc = p + off + name_al;
        off += name_al + desc_al;
        if (namesz != 5 || type != KEEL_NOTE_IMAGE || name[0] != 'K' || name[1] != 'e' ||
            name[2] != 'e' || name[3] != 'l' || name[4] != 0)
            continue;
        if (descsz != sizeof(*note))
            REJECT("Keel note has the wrong size");
        __builtin_memcpy(note, desc, sizeof(*note));
        return 1;
    }
    return 0;
}

static int check_note(const struct keel_image_note *n, uint32_t need_flags, const char **why)
{
    if (n->abi_version != KEEL_ABI_VERSION)
        REJECT("image built for another KEEL_ABI_VERSION");
    if ((n->flags & need_flags) != need_flags)
        REJECT("image lacks a required flag (KEEL_IMAGE_PRIVILEGED for dom0)");
    if (n->mem_bytes == 0 || n->mem_bytes % PAGE || n->mem_bytes > KEEL_GUEST_MAX_BYTES)
        REJECT("note: mem_bytes not a page multiple in (0, 64 GiB]");
    if (n->stack_bytes == 0 || n->stack_bytes % PAGE || n->stack_bytes >= n->mem_bytes)
        REJECT("note: stack_bytes not a page multiple in (0, mem_bytes)");
    return 0;
}

static int add_load(const struct elf64_phdr *ph, uint64_t len, struct elf_image *out,
                    const char **why)
{
    struct elf_load *l;

    if (ph->p_memsz == 0)
        return 0;                            /* nothing to map */
    if (ph->p_filesz > ph->p_memsz)
        REJECT("PT_LOAD filesz > memsz");
    if (!in_bounds(ph->p_offset, ph->p_filesz, len))
        REJECT("PT_LOAD data outside the file");
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
        REJECT("PT_LOAD both writable and executable");
    if (ph->p_vaddr < KEEL_GUEST_BASE ||
        !in_bounds(ph->p_vaddr - KEEL_GUEST_BASE, ph->p_memsz, KEEL_GUEST_MAX_BYTES))
        REJECT("PT_LOAD outside guest memory");
    if (out->nr_loads == ELF_MAX_LOADS)
        REJECT("too many PT_LOAD segments");
    if (out->nr_loads && ph->p_vaddr < out->end)
        REJECT("PT_LOAD segments overlap or are not sorted");
    l = &out->loads[out->nr_loads++];
    l->vaddr = ph->p_vaddr;
    l->memsz = ph->p_memsz;
    l->offset = ph->p_offset;
    l->filesz = ph->p_filesz;
    l->rights = flags_to_rights(ph->p_flags);
    out->end = ph->p_vaddr + ph->p_memsz;
    return 0;
}

unsigned elf_page_rights(const struct elf_image *ei, uint64_t page_va)
{
    unsigned r = 0;

    for (unsigned i = 0; i < ei->nr_loads; i++) {
        const struct elf_load *l = &ei->loads[i];
        if (l->vaddr < page_va + PAGE && page_va < l->vaddr + l->memsz)
            r |= l->rights;
    }
    return r;
}

/* Loads and note are known; check what depends on both. */
static int check_image(const struct elf_image *ei, const char **why)
{
    if (ei->nr_loads == 0)
        REJECT("no PT_LOAD segment");
    if (ei->end - KEEL_GUEST_BASE > ei->note.mem_bytes)
        REJECT("segments do not fit in the memory the note asks for");
    for (unsigned i = 0; i < ei->nr_loads; i++) {
        uint64_t first = ei->loads[i].vaddr & ~(PAGE - 1);
        uint64_t last = (ei->loads[i].vaddr + ei->loads[i].memsz - 1) & ~(PAGE - 1);
        if ((elf_page_rights(ei, first) & (KEEL_RIGHT_W | KEEL_RIGHT_X)) ==
                (KEEL_RIGHT_W | KEEL_RIGHT_X) ||
            (elf_page_rights(ei, last) & (KEEL_RIGHT_W | KEEL_RIGHT_X)) ==
                (KEEL_RIGHT_W | KEEL_RIGHT_X))
            REJECT("a page would be both writable and executable");
    }
    for (unsigned i = 0; i < ei->nr_loads; i++) {
        const struct elf_load *l = &ei->loads[i];
        if ((l->rights & KEEL_RIGHT_X) && ei->entry >= l->vaddr &&
            ei->entry - l->vaddr < l->memsz)
            return 0;
    }
    REJECT("entry point not in an executable segment");
}

int elf_check(const void *img, uint64_t len, uint32_t need_flags,
              struct elf_image *out, const char **why)
{
    const struct elf64_ehdr *eh = img;
    const struct elf64_phdr *ph;
    int have_note = 0, rc;

    __builtin_memset(out, 0, sizeof(*out));
    if (len < sizeof(*eh))
        REJECT("file shorter than an ELF header");
    if ((rc = check_header(eh, len, why)))
        return rc;
    ph = (const struct elf64_phdr *)((const uint8_t *)img + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == ELF_PT_INTERP || ph[i].p_type == ELF_PT_DYNAMIC ||
            ph[i].p_type == ELF_PT_TLS)
            REJECT("not a static image (PT_INTERP, PT_DYNAMIC or PT_TLS)");
        if (ph[i].p_type == ELF_PT_LOAD && (rc = add_load(&ph[i], len, out, why)))
            return rc;
        if (ph[i].p_type == ELF_PT_NOTE && !have_note) {
            if (!in_bounds(ph[i].p_offset, ph[i].p_filesz, len) || ph[i].p_offset % 4)
                REJECT("PT_NOTE outside the file");
            rc = find_note((const uint8_t *)img + ph[i].p_offset, ph[i].p_filesz,
                           &out->note, why);
            if (rc < 0)
                return rc;
            have_note = rc;
        }
    }
    if (!have_note)
        REJECT("no Keel image note");
    if ((rc = check_note(&out->note, need_flags, why)))
        return rc;
    out->entry = eh->e_entry;
    return check_image(out, why);
}

/*
 * The Keel image check (see image/elf_check.h for what "valid" means).
 *
 * The checks run from the outside in: is it ELF at all, is it the kind of
 * ELF Keel runs, are its tables inside the file, what does its note ask for,
 * and only then are the segments judged against the memory the note asks
 * for.  The first failure wins and names the thing that is wrong, in terms a
 * user who built the image can act on.
 */
#include <keel/abi.h>
#include <keel/start_info.h>
#include <image/elf_check.h>
#include <image/layout.h>
#include "phdrs.h"
#include "why.h"

#define PAGE_MASK ((uint64_t)KEEL_PAGE_SIZE - 1)

static int check_ident(const void *file, uint64_t size,
                       struct elf64_ehdr *eh, char *msg, size_t msglen)
{
    const uint8_t *b = file;

    if (size < 4 || b[0] != ELF_MAG0 || __builtin_memcmp(b + 1, "ELF", 3))
        REFUSE(IMG_ENOTELF, "not a Keel image (no ELF header)");
    if (!elf_read(file, size, 0, eh, sizeof(*eh)))
        REFUSE(IMG_ETRUNC, "truncated: the ELF header lies beyond the end of "
               "the file (%u bytes)", size);
    if (eh->e_ident[4] != ELF_CLASS64)
        REFUSE(IMG_EFORMAT, "ELF class %u is not ELF64", eh->e_ident[4]);
    if (eh->e_ident[5] != ELF_DATA2LSB)
        REFUSE(IMG_EFORMAT, "ELF is not little endian");
    if (eh->e_ident[6] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
        REFUSE(IMG_EFORMAT, "unknown ELF version %u",
               eh->e_ident[6] != ELF_EV_CURRENT ? eh->e_ident[6]
                                                : eh->e_version);
    return IMG_OK;
}

static int check_header(const struct elf64_ehdr *eh, uint64_t size,
                        char *msg, size_t msglen)
{
    if (eh->e_machine != ELF_EM_X86_64)
        REFUSE(IMG_EFORMAT, "ELF is for machine %u, not x86-64",
               eh->e_machine);
    if (eh->e_type == ELF_ET_DYN)
        REFUSE(IMG_EFORMAT, "ELF is position independent (ET_DYN); Keel "
               "runs static executables (ET_EXEC)");
    if (eh->e_type != ELF_ET_EXEC)
        REFUSE(IMG_EFORMAT, "ELF type %u is not an executable (ET_EXEC)",
               eh->e_type);
    if (eh->e_phnum == 0 || eh->e_phnum > IMAGE_MAX_PHDRS ||
        eh->e_phentsize != sizeof(struct elf64_phdr))
        REFUSE(IMG_EFORMAT, "bad program header table (%u entries of %u "
               "bytes; at most %u entries of %u)", eh->e_phnum,
               eh->e_phentsize, IMAGE_MAX_PHDRS, sizeof(struct elf64_phdr));
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(struct elf64_phdr);
        if (off < eh->e_phoff ||
            !elf_in_file(size, off, sizeof(struct elf64_phdr)))
            REFUSE(IMG_ETRUNC, "truncated: program header %u lies beyond "
                   "the end of the file", i);
    }
    return IMG_OK;
}

/* Keel loads nothing but PT_LOADs and sets up no thread pointer: an image
 * asking for an interpreter, dynamic linking or TLS would run broken. */
static int refuse_dynamic(const struct elf64_phdr *ph, unsigned i,
                          void *arg, char *msg, size_t msglen)
{
    (void)arg;
    if (ph->p_type == ELF_PT_INTERP)
        REFUSE(IMG_EFORMAT, "program header %u is PT_INTERP: a "
               "dynamically linked program; Keel runs static "
               "executables (build it with mkimage)", i);
    if (ph->p_type == ELF_PT_DYNAMIC)
        REFUSE(IMG_EFORMAT, "program header %u is PT_DYNAMIC: a "
               "dynamically linked program; Keel runs static "
               "executables (build it with mkimage)", i);
    if (ph->p_type == ELF_PT_TLS)
        REFUSE(IMG_EFORMAT, "program header %u is PT_TLS: Keel images "
               "have no thread-local storage", i);
    return IMG_OK;
}

/* One PT_LOAD: in the file, in guest memory, loadable page by page. */
static int check_segment(const struct elf64_phdr *ph, unsigned i,
                         uint64_t size, uint64_t mem, char *msg, size_t msglen)
{
    uint64_t base = KEEL_GUEST_BASE;

    if (!elf_in_file(size, ph->p_offset, ph->p_filesz))
        REFUSE(IMG_ETRUNC, "truncated: segment %u lies beyond the end of "
               "the file", i);
    if (ph->p_filesz > ph->p_memsz)
        REFUSE(IMG_ESEGMENT, "segment %u has more file bytes (%u) than "
               "memory bytes (%u)", i, ph->p_filesz, ph->p_memsz);
    if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK))
        REFUSE(IMG_ESEGMENT, "segment %u is not page aligned (address 0x%x, "
               "file offset 0x%x)", i, ph->p_vaddr, ph->p_offset);
    if (ph->p_vaddr < base || ph->p_vaddr - base > mem ||
        ph->p_memsz > mem - (ph->p_vaddr - base))
        REFUSE(IMG_ESEGMENT, "segment %u (0x%x, %u bytes) lies outside the "
               "guest's memory [0x%x, 0x%x)", i, ph->p_vaddr, ph->p_memsz,
               base, base + mem);
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
        REFUSE(IMG_EWX, "segment %u is writable and executable", i);
    return IMG_OK;
}

static uint64_t seg_first_page(const struct image_seg *s)
{
    return s->vaddr & ~PAGE_MASK;
}

static uint64_t seg_end_page(const struct image_seg *s)
{
    /* inside guest memory (checked), so rounding up cannot wrap */
    return (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
}

/* Each page gets one set of rights, so segments may not share one; and
 * the gABI keeps PT_LOADs in address order, which the builders rely on. */
static int add_segment(struct image_info *out, const struct elf64_phdr *ph,
                       unsigned i, char *msg, size_t msglen)
{
    if (ph->p_memsz == 0)
        return IMG_OK;   /* nothing to load or protect */
    if (out->nsegs == IMAGE_MAX_SEGS)
        REFUSE(IMG_ESEGMENT, "more than %u loadable segments",
               IMAGE_MAX_SEGS);
    struct image_seg *s = &out->seg[out->nsegs];
    *s = (struct image_seg){ ph->p_vaddr, ph->p_offset, ph->p_filesz,
                             ph->p_memsz, ph->p_flags };
    for (unsigned j = 0; j < out->nsegs; j++) {
        const struct image_seg *t = &out->seg[j];
        if (seg_first_page(s) < seg_end_page(t) &&
            seg_first_page(t) < seg_end_page(s))
            REFUSE(IMG_EOVERLAP, "segment %u overlaps an earlier segment "
                   "(they share a page at or after 0x%x)", i,
                   seg_first_page(s));
    }
    if (out->nsegs && s->vaddr < out->seg[out->nsegs - 1].vaddr)
        REFUSE(IMG_ESEGMENT, "segment %u (0x%x) comes after a segment at a "
               "higher address: loadable segments must be in address order",
               i, s->vaddr);
    out->nsegs++;
    out->load_bytes += s->filesz;
    out->seg_end = seg_end_page(s);
    return IMG_OK;
}

struct loading {
    uint64_t size;                 /* the file's */
    struct image_info *out;
};

static int load_segment(const struct elf64_phdr *ph, unsigned i, void *arg,
                        char *msg, size_t msglen)
{
    struct loading *l = arg;
    int rc;

    if (ph->p_type != ELF_PT_LOAD)
        return IMG_OK;
    rc = check_segment(ph, i, l->size, l->out->note.mem_bytes, msg, msglen);
    return rc == IMG_OK ? add_segment(l->out, ph, i, msg, msglen) : rc;
}

static int load_segments(const void *file, uint64_t size,
                         const struct elf64_ehdr *eh, struct image_info *out,
                         char *msg, size_t msglen)
{
    struct loading l = { size, out };
    int rc = image_each_phdr(file, size, eh, load_segment, &l, msg, msglen);

    if (rc != IMG_OK)
        return rc;
    if (out->nsegs == 0)
        REFUSE(IMG_ESEGMENT, "no loadable segments");
    return IMG_OK;
}

static int check_entry(const struct image_info *img, char *msg, size_t msglen)
{
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct image_seg *s = &img->seg[i];
        if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr &&
            img->entry - s->vaddr < s->memsz)
            return IMG_OK;
    }
    REFUSE(IMG_EENTRY, "entry point 0x%x is not in an executable segment",
           img->entry);
}

/* Room for start info, a guard page and the stack, with no arguments;
 * each builder lays out again with what it adds (image/layout.h). */
static int check_fits(const struct image_info *img, char *msg, size_t msglen)
{
    const struct keel_image_note *n = &img->note;
    struct image_layout l;

    if (image_layout(img->seg_end, n->mem_bytes, n->stack_bytes,
                     sizeof(struct keel_start_info), 0, &l) == 0)
        return IMG_OK;
    REFUSE(IMG_EMEM, "image asks for %u KiB of memory but needs more: %u "
           "KiB of segments, a page of start info, a guard page and a %u "
           "KiB stack", n->mem_bytes >> 10,
           (img->seg_end - KEEL_GUEST_BASE) >> 10, n->stack_bytes >> 10);
}

int image_check(const void *file, uint64_t size, uint32_t need_flags,
                uint32_t refuse_flags, struct image_info *out, char *msg,
                size_t msglen)
{
    struct elf64_ehdr eh;
    int rc;

    __builtin_memset(out, 0, sizeof(*out));
    if (msglen)
        msg[0] = '\0';
    if ((rc = check_ident(file, size, &eh, msg, msglen)) ||
        (rc = check_header(&eh, size, msg, msglen)) ||
        (rc = image_each_phdr(file, size, &eh, refuse_dynamic, 0, msg, msglen)) ||
        (rc = image_check_note(file, size, &eh, need_flags, refuse_flags,
                               &out->note, &out->devices, msg, msglen)) ||
        (rc = load_segments(file, size, &eh, out, msg, msglen)))
        return rc;
    out->entry = eh.e_entry;
    if ((rc = check_entry(out, msg, msglen)))
        return rc;
    return check_fits(out, msg, msglen);
}

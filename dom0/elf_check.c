/*
 * Guest image validation (see elf_check.h for what "valid" means).
 *
 * The checks run from the outside in: is it ELF at all, is it the kind of
 * ELF Keel runs, are its tables inside the file, what does its note ask for,
 * and only then are the segments judged against the memory the note asks
 * for.  The first failure wins and names the thing that is wrong, in terms a
 * user who built the image can act on.
 */
#include <stdio.h>
#include <string.h>
#include <keel/abi.h>
#include "elf_check.h"
#include "layout.h"

#define PAGE_MASK (KEEL_PAGE_SIZE - 1)

static int check_ident(const void *file, uint64_t size,
                       struct elf64_ehdr *eh, char *msg, size_t msglen)
{
    const uint8_t *b = file;

    if (size < 4 || b[0] != ELF_MAG0 || memcmp(b + 1, "ELF", 3) != 0) {
        snprintf(msg, msglen, "not a Keel image (no ELF header)");
        return IMG_ENOTELF;
    }
    if (!elf_read(file, size, 0, eh, sizeof(*eh))) {
        snprintf(msg, msglen, "truncated: the ELF header lies beyond the end "
                 "of the file (%llu bytes)", (unsigned long long)size);
        return IMG_ETRUNC;
    }
    if (eh->e_ident[4] != ELF_CLASS64) {
        snprintf(msg, msglen, "ELF class %u is not ELF64", eh->e_ident[4]);
        return IMG_EFORMAT;
    }
    if (eh->e_ident[5] != ELF_DATA2LSB) {
        snprintf(msg, msglen, "ELF is not little endian");
        return IMG_EFORMAT;
    }
    if (eh->e_ident[6] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT) {
        snprintf(msg, msglen, "unknown ELF version %u", eh->e_ident[6] !=
                 ELF_EV_CURRENT ? eh->e_ident[6] : (unsigned)eh->e_version);
        return IMG_EFORMAT;
    }
    return IMG_OK;
}

static int check_header(const struct elf64_ehdr *eh, uint64_t size,
                        char *msg, size_t msglen)
{
    if (eh->e_machine != ELF_EM_X86_64) {
        snprintf(msg, msglen, "ELF is for machine %u, not x86-64",
                 eh->e_machine);
        return IMG_EFORMAT;
    }
    if (eh->e_type != ELF_ET_EXEC) {
        snprintf(msg, msglen, eh->e_type == ELF_ET_DYN ?
                 "ELF is position independent (ET_DYN); Keel runs static "
                 "executables (ET_EXEC)" :
                 "ELF type %u is not an executable (ET_EXEC)", eh->e_type);
        return IMG_EFORMAT;
    }
    if (eh->e_phnum == 0 || eh->e_phnum == ELF_PN_XNUM ||
        eh->e_phentsize != sizeof(struct elf64_phdr)) {
        snprintf(msg, msglen, "bad program header table (%u entries of %u "
                 "bytes)", eh->e_phnum, eh->e_phentsize);
        return IMG_EFORMAT;
    }
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(struct elf64_phdr);
        if (off < eh->e_phoff ||
            !elf_in_file(size, off, sizeof(struct elf64_phdr))) {
            snprintf(msg, msglen, "truncated: program header %u lies beyond "
                     "the end of the file", i);
            return IMG_ETRUNC;
        }
    }
    return IMG_OK;
}

static int check_note(const struct keel_image_note *n, char *msg,
                      size_t msglen)
{
    if (n->abi_version != KEEL_ABI_VERSION) {
        snprintf(msg, msglen, "image built for Keel ABI %u, this hypervisor "
                 "speaks %u", n->abi_version, KEEL_ABI_VERSION);
        return IMG_EABI;
    }
    if (n->flags & KEEL_IMAGE_PRIVILEGED) {
        snprintf(msg, msglen, "image is privileged (built for domain zero) "
                 "and cannot run as a guest");
        return IMG_EPRIV;
    }
    if (n->flags != 0) {
        snprintf(msg, msglen, "image has unknown flags 0x%x", n->flags);
        return IMG_ENOTE;
    }
    if (n->mem_bytes == 0 || (n->mem_bytes & PAGE_MASK) ||
        n->mem_bytes > KEEL_GUEST_MAX_BYTES) {
        snprintf(msg, msglen, "image asks for %llu bytes of memory: not a "
                 "page multiple between 4 KiB and 64 GiB",
                 (unsigned long long)n->mem_bytes);
        return IMG_EMEM;
    }
    if (n->stack_bytes == 0 || (n->stack_bytes & PAGE_MASK) ||
        n->stack_bytes >= n->mem_bytes) {
        snprintf(msg, msglen, "image asks for a stack of %llu bytes: not a "
                 "page multiple below its memory (%llu bytes)",
                 (unsigned long long)n->stack_bytes,
                 (unsigned long long)n->mem_bytes);
        return IMG_EMEM;
    }
    return IMG_OK;
}

/* One PT_LOAD: in the file, in guest memory, loadable page by page. */
static int check_segment(const struct elf64_phdr *ph, unsigned i,
                         uint64_t size, uint64_t mem, char *msg, size_t msglen)
{
    uint64_t base = KEEL_GUEST_BASE;

    if (!elf_in_file(size, ph->p_offset, ph->p_filesz)) {
        snprintf(msg, msglen, "truncated: segment %u lies beyond the end of "
                 "the file", i);
        return IMG_ETRUNC;
    }
    if (ph->p_filesz > ph->p_memsz) {
        snprintf(msg, msglen, "segment %u has more file bytes (%llu) than "
                 "memory bytes (%llu)", i, (unsigned long long)ph->p_filesz,
                 (unsigned long long)ph->p_memsz);
        return IMG_ESEGMENT;
    }
    if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK)) {
        snprintf(msg, msglen, "segment %u is not page aligned (address 0x%llx"
                 ", file offset 0x%llx)", i, (unsigned long long)ph->p_vaddr,
                 (unsigned long long)ph->p_offset);
        return IMG_ESEGMENT;
    }
    if (ph->p_vaddr < base || ph->p_vaddr - base > mem ||
        ph->p_memsz > mem - (ph->p_vaddr - base)) {
        snprintf(msg, msglen, "segment %u (0x%llx, %llu bytes) lies outside "
                 "the guest's memory [0x%llx, 0x%llx)", i,
                 (unsigned long long)ph->p_vaddr,
                 (unsigned long long)ph->p_memsz, (unsigned long long)base,
                 (unsigned long long)(base + mem));
        return IMG_ESEGMENT;
    }
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X)) {
        snprintf(msg, msglen, "segment %u is writable and executable", i);
        return IMG_EWX;
    }
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

static int add_segment(struct image_info *out, const struct elf64_phdr *ph,
                       unsigned i, char *msg, size_t msglen)
{
    if (ph->p_memsz == 0)
        return IMG_OK;   /* nothing to load or protect */
    if (out->nsegs == IMAGE_MAX_SEGS) {
        snprintf(msg, msglen, "more than %d loadable segments", IMAGE_MAX_SEGS);
        return IMG_ESEGMENT;
    }
    struct image_seg *s = &out->seg[out->nsegs];
    *s = (struct image_seg){ ph->p_vaddr, ph->p_offset, ph->p_filesz,
                             ph->p_memsz, ph->p_flags };
    /* Each page gets one set of rights, so segments may not share one. */
    for (unsigned j = 0; j < out->nsegs; j++) {
        const struct image_seg *t = &out->seg[j];
        if (seg_first_page(s) < seg_end_page(t) &&
            seg_first_page(t) < seg_end_page(s)) {
            snprintf(msg, msglen, "segment %u overlaps an earlier segment "
                     "(they share a page at or after 0x%llx)", i,
                     (unsigned long long)seg_first_page(s));
            return IMG_EOVERLAP;
        }
    }
    out->nsegs++;
    out->load_bytes += s->filesz;
    if (seg_end_page(s) > out->seg_end)
        out->seg_end = seg_end_page(s);
    return IMG_OK;
}

static int load_segments(const void *file, uint64_t size,
                         const struct elf64_ehdr *eh, struct image_info *out,
                         char *msg, size_t msglen)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        struct elf64_phdr ph;
        elf_read(file, size, eh->e_phoff + (uint64_t)i * sizeof(ph), &ph,
                 sizeof(ph));   /* bounds checked by check_header */
        if (ph.p_type != ELF_PT_LOAD)
            continue;
        int rc = check_segment(&ph, i, size, out->note.mem_bytes, msg, msglen);
        if (rc == IMG_OK)
            rc = add_segment(out, &ph, i, msg, msglen);
        if (rc != IMG_OK)
            return rc;
    }
    if (out->nsegs == 0) {
        snprintf(msg, msglen, "no loadable segments");
        return IMG_ESEGMENT;
    }
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
    snprintf(msg, msglen, "entry point 0x%llx is not in an executable "
             "segment", (unsigned long long)img->entry);
    return IMG_EENTRY;
}

int elf_check(const void *file, uint64_t size, struct image_info *out,
              char *msg, size_t msglen)
{
    struct elf64_ehdr eh;
    struct layout lay;
    int rc;

    memset(out, 0, sizeof(*out));
    if (msglen)
        msg[0] = '\0';
    if ((rc = check_ident(file, size, &eh, msg, msglen)) ||
        (rc = check_header(&eh, size, msg, msglen)) ||
        (rc = elf_find_keel_note(file, size, &eh, &out->note, msg, msglen)) ||
        (rc = check_note(&out->note, msg, msglen)) ||
        (rc = load_segments(file, size, &eh, out, msg, msglen)))
        return rc;
    out->entry = eh.e_entry;
    if ((rc = check_entry(out, msg, msglen)))
        return rc;
    /* Room for start info, a guard page and the stack, with no arguments;
     * the builder plans again with the real ones. */
    if (layout_plan(out, 0, &lay, msg, msglen) != 0)
        return IMG_EMEM;
    return IMG_OK;
}

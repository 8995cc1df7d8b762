/*
 * Synthetic Keel images for the image checker's (lib/image) and dom0's
 * unit tests.
 *
 * timage_init() describes a small valid image laid out as the Keel linker
 * script would (text r-x, rodata r-- holding the note, data rw- with bss,
 * each on its own page); a test changes any field of the description, then
 * timage_emit() writes the file bytes, which the test may still corrupt.
 *
 *   file 0x0000  ELF header, program headers
 *        0x1000  text   -> 0x400000 (0x100 bytes of 0xc3)
 *        0x2000  rodata -> 0x401000 (0x100 bytes, note at 0x2080)
 *        0x3000  data   -> 0x402000 (0x40 bytes of 0xda, 0x3000 memory)
 *        0x4000  .symtab, 0x4800 .strtab, 0x5000 section headers
 */
#ifndef TIMAGE_H
#define TIMAGE_H

#include <stdint.h>
#include <string.h>
#include <keel/keel.h>
#include <image/elf64.h>

#define TIMG_SIZE      0x6000
#define TIMG_NOTE_OFF  0x2080
#define TIMG_SYM_OFF   0x4000
#define TIMG_STR_OFF   0x4800
#define TIMG_SH_OFF    0x5000

struct tsym { const char *name; uint64_t value, size; uint8_t type; };

struct timage {
    struct elf64_ehdr eh;
    struct elf64_phdr ph[24];
    struct keel_image_note note;
    unsigned nnotes;             /* copies of the Keel note written */
    struct keel_devices_note dev;
    unsigned ndev;               /* copies of the devices note after them */
    struct tsym sym[8];
    unsigned nsyms;              /* 0: no section headers at all */
    uint8_t file[TIMG_SIZE];
    uint64_t size;
};

static void timage_phdr(struct elf64_phdr *p, uint32_t type, uint32_t flags,
                        uint64_t off, uint64_t va, uint64_t filesz,
                        uint64_t memsz)
{
    *p = (struct elf64_phdr){ type, flags, off, va, va, filesz, memsz,
                              type == ELF_PT_LOAD ? 0x1000 : 4 };
}

#define TIMG_NOTE_BYTES (12 + 8 + sizeof(struct keel_image_note))
#define TIMG_DEV_BYTES  (12 + 8 + sizeof(struct keel_devices_note))

static void timage_init(struct timage *t)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->eh.e_ident, "\x7f" "ELF\x02\x01\x01", 7);
    t->eh.e_type = ELF_ET_EXEC;
    t->eh.e_machine = ELF_EM_X86_64;
    t->eh.e_version = 1;
    t->eh.e_entry = 0x400010;
    t->eh.e_phoff = 64;
    t->eh.e_ehsize = 64;
    t->eh.e_phentsize = 56;
    t->eh.e_phnum = 4;
    t->eh.e_shentsize = 64;
    timage_phdr(&t->ph[0], ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x1000,
                0x400000, 0x100, 0x100);
    timage_phdr(&t->ph[1], ELF_PT_LOAD, ELF_PF_R, 0x2000, 0x401000, 0x100,
                0x100);
    timage_phdr(&t->ph[2], ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x3000,
                0x402000, 0x40, 0x3000);
    timage_phdr(&t->ph[3], ELF_PT_NOTE, ELF_PF_R, TIMG_NOTE_OFF, 0x401080,
                TIMG_NOTE_BYTES, TIMG_NOTE_BYTES);
    t->note = (struct keel_image_note){ KEEL_ABI_VERSION, 0,
                                        KEEL_DEFAULT_MEM_BYTES,
                                        KEEL_DEFAULT_STACK_BYTES };
    t->nnotes = 1;
    t->size = TIMG_SIZE;
}

static void timage_notes(struct timage *t)
{
    uint8_t *p = t->file + TIMG_NOTE_OFF;
    struct elf64_nhdr nh = { 5, sizeof(t->note), KEEL_NOTE_IMAGE };

    for (unsigned i = 0; i < t->nnotes; i++) {
        memcpy(p, &nh, sizeof(nh));
        memcpy(p + 12, "Keel\0\0\0", 8);
        memcpy(p + 20, &t->note, sizeof(t->note));
        p += TIMG_NOTE_BYTES;
    }
    nh = (struct elf64_nhdr){ 5, sizeof(t->dev), KEEL_NOTE_DEVICES };
    for (unsigned i = 0; i < t->ndev; i++) {
        memcpy(p, &nh, sizeof(nh));
        memcpy(p + 12, "Keel\0\0\0", 8);
        memcpy(p + 20, &t->dev, sizeof(t->dev));
        p += TIMG_DEV_BYTES;
    }
    if (t->nnotes > 1 || t->ndev)
        t->ph[3].p_filesz = t->ph[3].p_memsz =
            t->nnotes * TIMG_NOTE_BYTES + t->ndev * TIMG_DEV_BYTES;
}

/* .symtab (section 1) and .strtab (section 2) after a null section 0. */
static void timage_symbols(struct timage *t)
{
    struct elf64_shdr sh[3] = { { 0 } };
    uint64_t str = 1;

    for (unsigned i = 0; i < t->nsyms; i++) {
        struct elf64_sym s = { (uint32_t)str, t->sym[i].type, 0, 1,
                               t->sym[i].value, t->sym[i].size };
        memcpy(t->file + TIMG_SYM_OFF + (i + 1) * sizeof(s), &s, sizeof(s));
        strcpy((char *)t->file + TIMG_STR_OFF + str, t->sym[i].name);
        str += strlen(t->sym[i].name) + 1;
    }
    sh[1] = (struct elf64_shdr){ .sh_type = ELF_SHT_SYMTAB,
        .sh_offset = TIMG_SYM_OFF, .sh_size = (t->nsyms + 1) * 24,
        .sh_link = 2, .sh_entsize = 24 };
    sh[2] = (struct elf64_shdr){ .sh_type = ELF_SHT_STRTAB,
        .sh_offset = TIMG_STR_OFF, .sh_size = str };
    memcpy(t->file + TIMG_SH_OFF, sh, sizeof(sh));
    t->eh.e_shoff = TIMG_SH_OFF;
    t->eh.e_shnum = 3;
}

static void timage_emit(struct timage *t)
{
    memset(t->file, 0, sizeof(t->file));
    memset(t->file + 0x1000, 0xc3, 0x100);
    memset(t->file + 0x2000, 0x52, 0x80);
    memset(t->file + 0x3000, 0xda, 0x40);
    timage_notes(t);
    if (t->nsyms)
        timage_symbols(t);
    memcpy(t->file, &t->eh, sizeof(t->eh));
    for (unsigned i = 0; i < t->eh.e_phnum && i < 24; i++)
        if (64 + (i + 1) * 56 <= 0x1000)
            memcpy(t->file + 64 + i * 56, &t->ph[i], 56);
}

#endif /* TIMAGE_H */

/*
 * Strict validation of Keel images (hv/common/elf.c) and the memory layout
 * of a domain built from one (hv/common/layout.c).  Both are pure logic:
 * they read only the bytes they are given and are unit-tested on the host
 * (tests/unit/elf_test.c, layout_test.c).
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <stdint.h>
#include <stddef.h>
#include <keel/image_note.h>

/* The ELF64 structures we read (our own definitions: no libc in hv). */
struct elf64_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define ELF_PT_LOAD    1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP  3
#define ELF_PT_NOTE    4
#define ELF_PT_TLS     7
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

#define ELF_MAX_PHDRS 64
#define ELF_MAX_LOADS 16

struct elf_load {
    uint64_t vaddr, memsz;      /* where, how big in memory */
    uint64_t offset, filesz;    /* what to copy from the file */
    unsigned rights;            /* KEEL_RIGHT_* */
};

struct elf_image {
    uint64_t entry;
    uint64_t end;               /* highest vaddr + memsz of any load */
    unsigned nr_loads;          /* sorted by vaddr, non-overlapping */
    struct elf_load loads[ELF_MAX_LOADS];
    struct keel_image_note note;
};

/* Validate img[0..len) as a Keel image whose note has all need_flags.
 * 0, or -KEEL_EINVAL with *why set to a static explanation. */
int elf_check(const void *img, uint64_t len, uint32_t need_flags,
              struct elf_image *out, const char **why);
/* Union of the rights of every load touching the page at page_va. */
unsigned elf_page_rights(const struct elf_image *ei, uint64_t page_va);

/* Where the builder puts things, see keel/start_info.h. */
struct guest_layout {
    uint64_t mem_base, mem_bytes;
    uint64_t info_va;           /* start info, then modules[], then args */
    uint64_t modules_va;
    uint64_t args_va, args_bytes;
    uint64_t heap_start, heap_end;   /* heap_end is the guard page */
    uint64_t stack_top, stack_bytes;
};

int guest_layout_compute(uint64_t image_end, uint64_t mem_bytes,
                         uint64_t stack_bytes, unsigned nr_modules,
                         uint64_t args_bytes, struct guest_layout *out,
                         const char **why);

#endif /* HV_ELF_H */

/*
 * The subset of the ELF64 format that Keel reads: file header, program
 * headers, section headers, symbols and notes.
 *
 * Our own definitions (neither newlib nor the hypervisor has <elf.h>), laid
 * out as the System V gABI specifies.  Images are read straight out of a
 * boot module whose fields may sit at any offset, so readers copy a header
 * out (elf_read() below) before looking at it instead of casting a pointer
 * into the file.  Freestanding: see lib/README.md.
 */
#ifndef LIB_IMAGE_ELF64_H
#define LIB_IMAGE_ELF64_H

#include <stdint.h>
#include <stddef.h>

#define ELF_NIDENT      16
#define ELF_MAG0        0x7f
#define ELF_CLASS64     2      /* e_ident[4] */
#define ELF_DATA2LSB    1      /* e_ident[5] */
#define ELF_EV_CURRENT  1      /* e_ident[6] and e_version */

#define ELF_ET_EXEC     2
#define ELF_ET_DYN      3
#define ELF_EM_X86_64   62
#define ELF_PN_XNUM     0xffff /* e_phnum escape for extended numbering */

#define ELF_PT_LOAD     1
#define ELF_PT_DYNAMIC  2
#define ELF_PT_INTERP   3
#define ELF_PT_NOTE     4
#define ELF_PT_TLS      7
#define ELF_PF_X        1u
#define ELF_PF_W        2u
#define ELF_PF_R        4u

#define ELF_SHT_SYMTAB  2
#define ELF_SHT_STRTAB  3
#define ELF_SHN_UNDEF   0
#define ELF_SHN_LORESERVE 0xff00

#define ELF_STT_NOTYPE  0
#define ELF_STT_FUNC    2
#define ELF_ST_TYPE(info) ((info) & 0xf)

struct elf64_ehdr {
    uint8_t  e_ident[ELF_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

struct elf64_shdr {
    uint32_t sh_name;
    uint32_t sh_type;
    uint64_t sh_flags;
    uint64_t sh_addr;
    uint64_t sh_offset;
    uint64_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint64_t sh_addralign;
    uint64_t sh_entsize;
};

struct elf64_sym {
    uint32_t st_name;
    uint8_t  st_info;
    uint8_t  st_other;
    uint16_t st_shndx;
    uint64_t st_value;
    uint64_t st_size;
};

struct elf64_nhdr {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 file header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");
_Static_assert(sizeof(struct elf64_shdr) == 64, "ELF64 section header");
_Static_assert(sizeof(struct elf64_sym) == 24, "ELF64 symbol");

/* True when [off, off + len) lies inside a file of `size` bytes; written so
 * that no sum can wrap, whatever the (hostile) inputs. */
static inline int elf_in_file(uint64_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

/* Copy `len` bytes at `off` out of the file, if they are all inside it. */
static inline int elf_read(const void *file, uint64_t size, uint64_t off,
                           void *out, size_t len)
{
    if (!elf_in_file(size, off, len))
        return 0;
    __builtin_memcpy(out, (const uint8_t *)file + off, len);
    return 1;
}

/* Program header i of a file whose table image_check has bounds-checked. */
static inline int elf_read_phdr(const void *file, uint64_t size,
                                const struct elf64_ehdr *eh, unsigned i,
                                struct elf64_phdr *ph)
{
    return elf_read(file, size, eh->e_phoff + (uint64_t)i * sizeof(*ph), ph,
                    sizeof(*ph));
}

#endif /* LIB_IMAGE_ELF64_H */

/*
 * ELF symbol table lookup (see symbols.h).
 *
 * The choice of symbol for an address: the function whose [value, value +
 * size) contains it; failing that, the nearest symbol below it if that one
 * has no size (assembly labels such as _start often have none).  An address
 * past the end of a sized function and before the next symbol belongs to no
 * function: better a raw address than a wrong name.
 */
#include <string.h>
#include <image/elf64.h>
#include "symbols.h"

static int read_shdr(const void *file, uint64_t size,
                     const struct elf64_ehdr *eh, uint32_t i,
                     struct elf64_shdr *sh)
{
    if (i >= eh->e_shnum)
        return 0;
    uint64_t off = eh->e_shoff + (uint64_t)i * sizeof(*sh);
    return off >= eh->e_shoff && elf_read(file, size, off, sh, sizeof(*sh));
}

static int find_tables(struct symtab *st, const struct elf64_ehdr *eh)
{
    struct elf64_shdr sh, str;

    for (uint32_t i = 0; i < eh->e_shnum; i++) {
        if (!read_shdr(st->file, st->size, eh, i, &sh))
            return -1;
        if (sh.sh_type != ELF_SHT_SYMTAB)
            continue;
        if (sh.sh_entsize != sizeof(struct elf64_sym) ||
            !elf_in_file(st->size, sh.sh_offset, sh.sh_size) ||
            !read_shdr(st->file, st->size, eh, sh.sh_link, &str) ||
            str.sh_type != ELF_SHT_STRTAB ||
            !elf_in_file(st->size, str.sh_offset, str.sh_size))
            return -1;
        st->sym_off = sh.sh_offset;
        st->nsyms = sh.sh_size / sizeof(struct elf64_sym);
        st->str_off = str.sh_offset;
        st->str_size = str.sh_size;
        return 0;
    }
    return -1;
}

int symbols_load(struct symtab *st, const void *file, uint64_t size)
{
    struct elf64_ehdr eh;

    memset(st, 0, sizeof(*st));
    st->file = file;
    st->size = size;
    if (!elf_read(file, size, 0, &eh, sizeof(eh)) ||
        memcmp(eh.e_ident, "\x7f" "ELF", 4) != 0 ||
        eh.e_shentsize != sizeof(struct elf64_shdr))
        return -1;
    if (find_tables(st, &eh) != 0) {
        st->nsyms = 0;
        return -1;
    }
    return 0;
}

/* The symbol's name if it is usable for code addresses, else NULL. */
static const char *code_symbol(const struct symtab *st,
                               const struct elf64_sym *s)
{
    unsigned type = ELF_ST_TYPE(s->st_info);

    if ((type != ELF_STT_FUNC && type != ELF_STT_NOTYPE) ||
        s->st_shndx == ELF_SHN_UNDEF || s->st_shndx >= ELF_SHN_LORESERVE ||
        s->st_name == 0 || s->st_name >= st->str_size)
        return NULL;
    const char *name = (const char *)st->file + st->str_off + s->st_name;
    if (!memchr(name, '\0', st->str_size - s->st_name))
        return NULL;   /* would run off the string table */
    return name;
}

int symbols_lookup(const struct symtab *st, uint64_t addr, const char **name,
                   uint64_t *off)
{
    struct elf64_sym s, in = { 0 }, below = { 0 };
    const char *in_name = NULL, *below_name = NULL;

    for (uint64_t i = 1; i < st->nsyms; i++) {   /* entry 0 is reserved */
        memcpy(&s, st->file + st->sym_off + i * sizeof(s), sizeof(s));
        const char *n = code_symbol(st, &s);
        if (!n || s.st_value > addr)
            continue;
        if (s.st_size && addr - s.st_value < s.st_size &&
            (!in_name || s.st_value > in.st_value))
            in = s, in_name = n;
        if (!below_name || s.st_value > below.st_value ||
            (s.st_value == below.st_value && s.st_size > below.st_size))
            below = s, below_name = n;
    }
    if (in_name) {
        *name = in_name;
        *off = addr - in.st_value;
        return 0;
    }
    if (below_name && below.st_size == 0) {
        *name = below_name;
        *off = addr - below.st_value;
        return 0;
    }
    return -1;
}

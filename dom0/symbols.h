/*
 * Symbolizing guest addresses for crash reports.
 *
 * The symbol table is found through the image's section headers (.symtab
 * and the string table its sh_link names).  Images come from users, so every
 * header, offset and name is bounds-checked; an image without a symbol table
 * (stripped) still runs, and its backtraces show raw addresses.  The table is
 * read in place from the image (a boot module that stays mapped in dom0).
 */
#ifndef DOM0_SYMBOLS_H
#define DOM0_SYMBOLS_H

#include <stdint.h>

struct symtab {
    const uint8_t *file;
    uint64_t size;
    uint64_t sym_off;        /* offset of the first struct elf64_sym */
    uint64_t nsyms;          /* 0: no usable table */
    uint64_t str_off;
    uint64_t str_size;
};

/* Find the table; returns 0, or -1 with st->nsyms = 0 (lookups then fail). */
int symbols_load(struct symtab *st, const void *file, uint64_t size);

/* The function containing addr: its name (NUL terminated, inside the file)
 * and addr's offset into it.  Returns 0, or -1 if no symbol covers addr. */
int symbols_lookup(const struct symtab *st, uint64_t addr, const char **name,
                   uint64_t *off);

#endif /* DOM0_SYMBOLS_H */

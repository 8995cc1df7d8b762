/*
 * dom0/symbols.c: symbolizing addresses from an image's .symtab, and images
 * whose section headers, tables or names are missing or lie.
 */
#include "ktest.h"
#include "timage.h"
#include "../../dom0/symbols.c"

static struct timage t;
static struct symtab st;

static void with_symbols(void)
{
    timage_init(&t);
    t.sym[0] = (struct tsym){ "_start", 0x400000, 0, ELF_STT_NOTYPE };
    t.sym[1] = (struct tsym){ "main", 0x400010, 0x20, ELF_STT_FUNC };
    t.sym[2] = (struct tsym){ "helper", 0x400040, 0x10, ELF_STT_FUNC };
    t.sym[3] = (struct tsym){ "table", 0x401000, 0x80, 1 /* OBJECT */ };
    t.nsyms = 4;
    timage_emit(&t);
}

static int look(uint64_t addr, const char *want, uint64_t want_off)
{
    const char *name;
    uint64_t off;

    if (symbols_lookup(&st, addr, &name, &off) != 0)
        return want == NULL;
    return want && strcmp(name, want) == 0 && off == want_off;
}

KTEST(lookups)
{
    with_symbols();
    EXPECT_EQ(symbols_load(&st, t.file, t.size), 0);
    EXPECT_EQ(st.nsyms, 5);
    EXPECT(look(0x400000, "_start", 0));
    EXPECT(look(0x400005, "_start", 5));
    EXPECT(look(0x400010, "main", 0));
    EXPECT(look(0x400014, "main", 4));
    EXPECT(look(0x40002f, "main", 0x1f));
    EXPECT(look(0x400035, NULL, 0));     /* after main, before helper */
    EXPECT(look(0x400048, "helper", 8));
    EXPECT(look(0x401010, NULL, 0));     /* data objects are not code */
    EXPECT(look(0x3fffff, NULL, 0));
}

KTEST(stripped_image)
{
    timage_init(&t);
    timage_emit(&t);
    EXPECT_EQ(symbols_load(&st, t.file, t.size), -1);
    EXPECT(look(0x400014, NULL, 0));
    EXPECT_EQ(symbols_load(&st, "junk", 4), -1);
    EXPECT(look(0x400014, NULL, 0));
}

KTEST(lying_section_headers)
{
    with_symbols();
    t.eh.e_shoff = TIMG_SIZE - 10;
    memcpy(t.file, &t.eh, sizeof(t.eh));
    EXPECT_EQ(symbols_load(&st, t.file, t.size), -1);

    with_symbols();
    t.eh.e_shoff = UINT64_MAX - 63;
    memcpy(t.file, &t.eh, sizeof(t.eh));
    EXPECT_EQ(symbols_load(&st, t.file, t.size), -1);

    with_symbols();                      /* sh_link names a missing section */
    struct elf64_shdr sh;
    memcpy(&sh, t.file + TIMG_SH_OFF + 64, 64);
    sh.sh_link = 77;
    memcpy(t.file + TIMG_SH_OFF + 64, &sh, 64);
    EXPECT_EQ(symbols_load(&st, t.file, t.size), -1);

    with_symbols();                      /* symtab larger than the file */
    sh.sh_link = 2;
    sh.sh_size = UINT64_MAX - 100;
    memcpy(t.file + TIMG_SH_OFF + 64, &sh, 64);
    EXPECT_EQ(symbols_load(&st, t.file, t.size), -1);
    EXPECT(look(0x400014, NULL, 0));
}

KTEST(names_outside_the_string_table)
{
    with_symbols();
    struct elf64_shdr str;
    memcpy(&str, t.file + TIMG_SH_OFF + 128, 64);
    str.sh_size = 8;                     /* "_start\0m": main's name runs off */
    memcpy(t.file + TIMG_SH_OFF + 128, &str, 64);
    EXPECT_EQ(symbols_load(&st, t.file, t.size), 0);
    EXPECT(look(0x400014, "_start", 0x14));   /* main skipped; nearest unsized */
    struct elf64_sym s;
    memcpy(&s, t.file + TIMG_SYM_OFF + 24, 24);
    s.st_name = 0xffffff00u;
    memcpy(t.file + TIMG_SYM_OFF + 24, &s, 24);
    EXPECT(look(0x400005, NULL, 0));
}

KTEST(fuzzed_tables)
{
    static uint8_t copy[TIMG_SIZE];
    const char *name;
    uint64_t off;

    with_symbols();
    srand(4242);
    for (int round = 0; round < 5000; round++) {
        memcpy(copy, t.file, sizeof(copy));
        for (int k = rand() % 6 + 1; k > 0; k--) {
            unsigned zone[] = { 0x28, TIMG_SH_OFF, TIMG_SYM_OFF, TIMG_STR_OFF };
            unsigned base = zone[rand() % 4];
            copy[base + (unsigned)rand() % 192] = (uint8_t)rand();
        }
        if (symbols_load(&st, copy, sizeof(copy)) == 0)
            symbols_lookup(&st, 0x400000 + (uint64_t)(rand() % 0x100), &name,
                           &off);
    }
    EXPECT(1);
}

KTEST_MAIN(KTEST_CASE(lookups), KTEST_CASE(stripped_image),
           KTEST_CASE(lying_section_headers),
           KTEST_CASE(names_outside_the_string_table),
           KTEST_CASE(fuzzed_tables))

/* Host tests for hv/common/elf.c: a good image passes, each kind of damage
 * is refused with a reason. */
#include "ktest.h"
#include "../../hv/common/elf.c"

#define BASE KEEL_GUEST_BASE

struct img {
    struct elf64_ehdr eh;
    struct elf64_phdr ph[4];
    struct __attribute__((packed)) {
        uint32_t namesz, descsz, type; char name[8]; struct keel_image_note n;
    } note;
    uint8_t text[64];
};

static void make(struct img *m)
{
    memset(m, 0, sizeof(*m));
    memcpy(m->eh.e_ident, "\x7f" "ELF\x02\x01\x01", 7);
    m->eh.e_type = 2; m->eh.e_machine = 62; m->eh.e_version = 1;
    m->eh.e_entry = BASE; m->eh.e_phoff = offsetof(struct img, ph);
    m->eh.e_phentsize = sizeof(struct elf64_phdr); m->eh.e_phnum = 3;
    m->ph[0] = (struct elf64_phdr){ .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_X,
        .p_offset = offsetof(struct img, text), .p_vaddr = BASE, .p_filesz = 64, .p_memsz = 64 };
    m->ph[1] = (struct elf64_phdr){ .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_W,
        .p_offset = 0, .p_vaddr = BASE + 0x1000, .p_filesz = 0, .p_memsz = 0x2000 };
    m->ph[2] = (struct elf64_phdr){ .p_type = ELF_PT_NOTE, .p_flags = ELF_PF_R,
        .p_offset = offsetof(struct img, note), .p_filesz = sizeof(m->note) };
    m->note.namesz = 5; m->note.descsz = sizeof(struct keel_image_note);
    m->note.type = KEEL_NOTE_IMAGE; memcpy(m->note.name, "Keel", 5);
    m->note.n = (struct keel_image_note){ KEEL_ABI_VERSION, KEEL_IMAGE_PRIVILEGED,
                                          1 << 20, 64 << 10 };
}

static int check(struct img *m, uint64_t len, const char **why)
{
    static struct elf_image ei;
    *why = "";
    return elf_check(m, len, KEEL_IMAGE_PRIVILEGED, &ei, why);
}

KTEST(good_image)
{
    struct img m; const char *why; static struct elf_image ei;
    make(&m);
    EXPECT_EQ(elf_check(&m, sizeof(m), KEEL_IMAGE_PRIVILEGED, &ei, &why), 0);
    EXPECT_EQ(ei.nr_loads, 2);
    EXPECT_EQ(ei.end, BASE + 0x3000);
    EXPECT_EQ(ei.loads[0].rights, KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT_EQ(elf_page_rights(&ei, BASE + 0x2000), KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(elf_page_rights(&ei, BASE + 0x3000), 0);
}

KTEST(truncated_and_magic)
{
    struct img m; const char *why;
    make(&m);
    EXPECT_EQ(check(&m, 10, &why), -KEEL_EINVAL);
    EXPECT_EQ(check(&m, offsetof(struct img, ph) + 8, &why), -KEEL_EINVAL);
    m.eh.e_ident[1] = 'X';
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    EXPECT(strstr(why, "ELF") != NULL);
}

KTEST(header_fields)
{
    struct img m; const char *why;
    make(&m); m.eh.e_ident[4] = 1;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.eh.e_type = 3;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.eh.e_machine = 3;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.eh.e_phoff = ~0ull - 8;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.eh.e_phnum = 0xffff;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.eh.e_entry = BASE + 0x1000;   /* in the data segment */
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
}

KTEST(segments)
{
    struct img m; const char *why;
    make(&m); m.ph[0].p_filesz = 65;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[0].p_offset = ~0ull - 10;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[0].p_vaddr = 0; m.eh.e_entry = 0;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[1].p_vaddr = ~0ull - 0x1000;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[1].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[1].p_vaddr = BASE + 32;             /* overlaps text */
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[1].p_vaddr = BASE + 128;            /* shares a page: W+X */
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    EXPECT(strstr(why, "writable and executable") != NULL);
    make(&m); m.ph[1].p_memsz = 2 << 20;               /* larger than memory */
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.ph[1].p_type = ELF_PT_INTERP;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
}

KTEST(note)
{
    struct img m; const char *why;
    make(&m); m.note.n.abi_version = 99;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    EXPECT(strstr(why, "ABI") != NULL);
    make(&m); m.note.n.flags = 0;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.note.n.mem_bytes = 12345;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.note.n.stack_bytes = 1 << 20;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.note.namesz = 0xfffffff0;
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    make(&m); m.note.name[0] = 'X';
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
    EXPECT(strstr(why, "note") != NULL);
    make(&m); m.eh.e_phnum = 2;                        /* no PT_NOTE */
    EXPECT_EQ(check(&m, sizeof(m), &why), -KEEL_EINVAL);
}

/* Random damage must never crash the checker (run under -fsanitize). */
KTEST(fuzz)
{
    struct img m; const char *why;
    srand(1);
    for (int i = 0; i < 20000; i++) {
        make(&m);
        for (int k = 0; k < 4; k++)
            ((uint8_t *)&m)[rand() % sizeof(m)] = (uint8_t)rand();
        check(&m, sizeof(m) - (rand() % 2) * (rand() % sizeof(m)), &why);
    }
    EXPECT(1);
}

KTEST_MAIN(KTEST_CASE(good_image), KTEST_CASE(truncated_and_magic), KTEST_CASE(header_fields),
           KTEST_CASE(segments), KTEST_CASE(note), KTEST_CASE(fuzz))

/*
 * lib/image/elf_check.c, as dom0 checks a guest: every rule an image must
 * pass, and hostile images (truncated, overflowing, overlapping,
 * mislabelled, random) that must be refused with the right code and a
 * message naming the problem.  lib_image_rules_test.c holds the rules
 * checked in both roles (guest and dom0).
 */
#include "ktest.h"
#include "timage.h"
#include "../../lib/image/why.c"
#include "../../lib/image/elf_note.c"
#include "../../lib/image/elf_check.c"
#include "../../lib/image/layout.c"

static struct timage t;
static struct image_info info;
static char msg[IMAGE_MSG_MAX];

static int guest_check(const void *file, uint64_t size)
{
    return image_check(file, size, 0, KEEL_IMAGE_PRIVILEGED, &info, msg,
                       sizeof(msg));
}

static int check(void)
{
    timage_emit(&t);
    return guest_check(t.file, t.size);
}

#define EXPECT_MSG(s) do { if (!strstr(msg, s)) { \
    printf("    # message \"%s\" lacks \"%s\"\n", msg, s); \
    *ktest_failed = 1; } } while (0)

KTEST(valid_image)
{
    timage_init(&t);
    EXPECT_EQ(check(), IMG_OK);
    EXPECT_EQ(info.nsegs, 3);
    EXPECT_EQ(info.entry, 0x400010);
    EXPECT_EQ(info.load_bytes, 0x100 + 0x100 + 0x40);
    EXPECT_EQ(info.seg_end, 0x405000);
    EXPECT_EQ(info.note.mem_bytes, KEEL_DEFAULT_MEM_BYTES);
    EXPECT_EQ(info.seg[2].memsz, 0x3000);
}

KTEST(not_elf)
{
    const char *text = "#!/bin/sh\necho hello\n";
    uint8_t rnd[4096];

    EXPECT_EQ(guest_check(text, strlen(text)),
              IMG_ENOTELF);
    EXPECT(strcmp(msg, "not a Keel image (no ELF header)") == 0);
    srand(7);
    for (size_t i = 0; i < sizeof(rnd); i++)
        rnd[i] = (uint8_t)rand();
    EXPECT_EQ(guest_check(rnd, sizeof(rnd)),
              IMG_ENOTELF);
    EXPECT_EQ(guest_check(rnd, 0), IMG_ENOTELF);
    EXPECT_EQ(guest_check("\x7f" "EL", 3),
              IMG_ENOTELF);
}

KTEST(truncated_header)
{
    timage_init(&t);
    timage_emit(&t);
    EXPECT_EQ(guest_check(t.file, 40), IMG_ETRUNC);
    EXPECT_MSG("truncated");
    /* cut in the middle of program header 3 */
    EXPECT_EQ(guest_check(t.file, 64 + 3 * 56 + 10),
              IMG_ETRUNC);
    EXPECT(strcmp(msg, "truncated: program header 3 lies beyond the end of "
                  "the file") == 0);
    /* cut inside the data segment */
    EXPECT_EQ(guest_check(t.file, 0x3020), IMG_ETRUNC);
    EXPECT_MSG("segment 2");
}

KTEST(wrong_kind_of_elf)
{
    timage_init(&t);
    t.eh.e_machine = 183;
    EXPECT_EQ(check(), IMG_EFORMAT);
    EXPECT(strcmp(msg, "ELF is for machine 183, not x86-64") == 0);
    timage_init(&t);
    t.eh.e_ident[4] = 1;
    EXPECT_EQ(check(), IMG_EFORMAT);
    timage_init(&t);
    t.eh.e_ident[5] = 2;
    EXPECT_EQ(check(), IMG_EFORMAT);
    EXPECT_MSG("endian");
    timage_init(&t);
    t.eh.e_version = 2;
    EXPECT_EQ(check(), IMG_EFORMAT);
    timage_init(&t);
    t.eh.e_type = ELF_ET_DYN;
    EXPECT_EQ(check(), IMG_EFORMAT);
    EXPECT_MSG("ET_DYN");
    timage_init(&t);
    t.eh.e_phentsize = 32;
    EXPECT_EQ(check(), IMG_EFORMAT);
    timage_init(&t);
    t.eh.e_phnum = 0;
    EXPECT_EQ(check(), IMG_EFORMAT);
    timage_init(&t);
    t.eh.e_phnum = ELF_PN_XNUM;
    EXPECT_EQ(check(), IMG_EFORMAT);
}

KTEST(program_header_table_overflow)
{
    timage_init(&t);
    t.eh.e_phoff = UINT64_MAX - 60;        /* offset + size wraps */
    EXPECT_EQ(check(), IMG_ETRUNC);
    timage_init(&t);
    t.eh.e_phnum = 30;                     /* past the end of a short file */
    timage_emit(&t);
    EXPECT_EQ(guest_check(t.file, 64 + 20 * 56), IMG_ETRUNC);
    EXPECT_MSG("program header 20 lies beyond");
    timage_init(&t);
    t.eh.e_phnum = 0xfffe;                 /* 3.5 MiB of headers */
    EXPECT_EQ(check(), IMG_EFORMAT);
    EXPECT_MSG("bad program header table (65534 entries of 56 bytes");
}

KTEST(segment_offsets_overflow)
{
    timage_init(&t);
    t.ph[2].p_offset = UINT64_MAX - 0x10;
    t.ph[2].p_vaddr = 0x402000 + ((UINT64_MAX - 0x10) & 0xfff);
    EXPECT_EQ(check(), IMG_ETRUNC);
    timage_init(&t);
    t.ph[2].p_filesz = UINT64_MAX;
    t.ph[2].p_memsz = UINT64_MAX;
    EXPECT_EQ(check(), IMG_ETRUNC);
    timage_init(&t);
    t.ph[2].p_memsz = UINT64_MAX - 0x402000 + 0x1000;  /* end wraps */
    EXPECT_EQ(check(), IMG_ESEGMENT);
    timage_init(&t);
    t.ph[2].p_vaddr = UINT64_MAX - 0xfff;  /* start near the top */
    t.ph[2].p_offset = 0x3000;
    EXPECT_EQ(check(), IMG_ESEGMENT);
}

KTEST(segment_rules)
{
    timage_init(&t);
    t.ph[2].p_filesz = 0x2000;
    t.ph[2].p_memsz = 0x1000;
    EXPECT_EQ(check(), IMG_ESEGMENT);
    EXPECT_MSG("more file bytes");
    timage_init(&t);
    t.ph[1].p_vaddr = 0x401010;            /* 0x010 vs offset 0x000 */
    EXPECT_EQ(check(), IMG_ESEGMENT);
    EXPECT_MSG("not page aligned");
    timage_init(&t);
    t.ph[0].p_vaddr = 0x3ff000;            /* below KEEL_GUEST_BASE */
    EXPECT_EQ(check(), IMG_ESEGMENT);
    EXPECT(strcmp(msg, "segment 0 (0x3ff000, 256 bytes) lies outside the "
                  "guest's memory [0x400000, 0x10400000)") == 0);
    timage_init(&t);
    t.ph[2].p_memsz = KEEL_DEFAULT_MEM_BYTES;   /* past the end of memory */
    EXPECT_EQ(check(), IMG_ESEGMENT);
    timage_init(&t);
    t.ph[0].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    EXPECT_EQ(check(), IMG_EWX);
    EXPECT_MSG("writable and executable");
}

KTEST(overlapping_segments)
{
    timage_init(&t);
    t.ph[2].p_vaddr = 0x401000;            /* same page as rodata */
    EXPECT_EQ(check(), IMG_EOVERLAP);
    timage_init(&t);
    t.ph[2].p_vaddr = 0x400000;            /* on top of text */
    EXPECT_EQ(check(), IMG_EOVERLAP);
    EXPECT_MSG("segment 2 overlaps an earlier segment (they share a page "
               "at or after 0x400000)");
    timage_init(&t);
    t.ph[0].p_memsz = 0x1001;              /* text spills into rodata's page */
    EXPECT_EQ(check(), IMG_EOVERLAP);
    timage_init(&t);
    t.ph[1].p_memsz = 0;                   /* empty segments are ignored */
    t.ph[1].p_filesz = 0;
    EXPECT_EQ(check(), IMG_OK);
    EXPECT_EQ(info.nsegs, 2);
}

KTEST(too_many_segments)
{
    timage_init(&t);
    t.eh.e_phnum = 4 + IMAGE_MAX_SEGS;
    for (unsigned i = 4; i < 4 + IMAGE_MAX_SEGS; i++)
        timage_phdr(&t.ph[i], ELF_PT_LOAD, ELF_PF_R, 0x2000,
                    0x500000 + i * 0x1000, 0x10, 0x10);
    EXPECT_EQ(check(), IMG_ESEGMENT);
    EXPECT_MSG("more than 16");
}

KTEST(entry_point)
{
    timage_init(&t);
    t.eh.e_entry = 0x401010;               /* rodata */
    EXPECT_EQ(check(), IMG_EENTRY);
    timage_init(&t);
    t.eh.e_entry = 0x400100;               /* one past text */
    EXPECT_EQ(check(), IMG_EENTRY);
    timage_init(&t);
    t.eh.e_entry = 0;
    EXPECT_EQ(check(), IMG_EENTRY);
    EXPECT(strcmp(msg, "entry point 0x0 is not in an executable segment")
           == 0);
}

KTEST(keel_note)
{
    timage_init(&t);
    t.nnotes = 0;
    t.ph[3].p_filesz = 0;
    EXPECT_EQ(check(), IMG_ENOTE);
    EXPECT_MSG("no Keel note");
    timage_init(&t);
    t.nnotes = 2;
    EXPECT_EQ(check(), IMG_ENOTE);
    EXPECT_MSG("2 Keel notes");
    timage_init(&t);
    t.eh.e_phnum = 3;                      /* no PT_NOTE at all */
    EXPECT_EQ(check(), IMG_ENOTE);
    timage_init(&t);
    t.ph[3].p_offset = TIMG_SIZE - 8;      /* note segment past the end */
    EXPECT_EQ(check(), IMG_ETRUNC);
    timage_init(&t);
    t.ph[3].p_filesz = 30;                 /* cuts the descriptor */
    EXPECT_EQ(check(), IMG_ENOTE);
    EXPECT_MSG("malformed");
}

KTEST(note_fields_hostile)
{
    uint32_t huge = 0xfffffff0u;

    timage_init(&t);
    timage_emit(&t);
    memcpy(t.file + TIMG_NOTE_OFF, &huge, 4);          /* namesz */
    EXPECT_EQ(guest_check(t.file, t.size), IMG_ENOTE);
    timage_emit(&t);
    memcpy(t.file + TIMG_NOTE_OFF + 4, &huge, 4);      /* descsz */
    EXPECT_EQ(guest_check(t.file, t.size), IMG_ENOTE);
    timage_emit(&t);
    uint32_t small = 8;
    memcpy(t.file + TIMG_NOTE_OFF + 4, &small, 4);
    EXPECT_EQ(guest_check(t.file, t.size), IMG_ENOTE);
    EXPECT_MSG("Keel note has 8 bytes");
}

KTEST(abi_and_flags)
{
    timage_init(&t);
    t.note.abi_version = 2;
    EXPECT_EQ(check(), IMG_EABI);
    EXPECT(strcmp(msg, "image built for Keel ABI 2, this hypervisor speaks 1")
           == 0);
    timage_init(&t);
    t.note.flags = KEEL_IMAGE_PRIVILEGED;
    EXPECT_EQ(check(), IMG_EPRIV);
    EXPECT(strcmp(msg, "image is privileged (built for domain zero) and "
                  "cannot run as a guest") == 0);
    timage_init(&t);
    t.note.flags = 0x80;
    EXPECT_EQ(check(), IMG_ENOTE);
    EXPECT(strcmp(msg, "image has unknown flags 0x80") == 0);
}

KTEST(memory_sizes)
{
    uint64_t bad_mem[] = { 0, 0x400001, KEEL_GUEST_MAX_BYTES + 4096,
                           UINT64_MAX & ~0xfffull };
    for (unsigned i = 0; i < 4; i++) {
        timage_init(&t);
        t.note.mem_bytes = bad_mem[i];
        EXPECT_EQ(check(), IMG_EMEM);
    }
    uint64_t bad_stack[] = { 0, 0x1001, KEEL_DEFAULT_MEM_BYTES,
                             UINT64_MAX & ~0xfffull };
    for (unsigned i = 0; i < 4; i++) {
        timage_init(&t);
        t.note.stack_bytes = bad_stack[i];
        EXPECT_EQ(check(), IMG_EMEM);
    }
    /* segments 0x5000 + start info 0x1000 + guard + stack 0x2000 = 0x9000 */
    timage_init(&t);
    t.note.mem_bytes = 0x8000;
    t.note.stack_bytes = 0x2000;
    EXPECT_EQ(check(), IMG_EMEM);
    EXPECT_MSG("needs more");
    t.note.mem_bytes = 0x9000;
    EXPECT_EQ(check(), IMG_OK);
}

/* Random corruption of a valid image must never crash or read outside it
 * (run under -fsanitize=address,undefined to see the latter). */
KTEST(fuzz_mutations)
{
    static uint8_t copy[TIMG_SIZE];
    unsigned ok = 0;

    timage_init(&t);
    t.nsyms = 0;
    timage_emit(&t);
    srand(12345);
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, t.file, sizeof(copy));
        for (int k = rand() % 8 + 1; k > 0; k--) {
            unsigned at = (unsigned)rand() % 0x200;
            at = rand() % 4 ? at : (TIMG_NOTE_OFF + (unsigned)rand() % 44);
            copy[at] = (uint8_t)rand();
        }
        uint64_t size = rand() % 10 ? sizeof(copy) : (uint64_t)(rand() % 0x6000);
        ok += guest_check(copy, size) == IMG_OK;
        EXPECT(strlen(msg) < sizeof(msg));
    }
    EXPECT(ok < 20000);
}

/* Devices notes: optional, one per device library, bits OR'd, known bits
 * only (an image with a NIC and a disk has two). */
KTEST(devices_note)
{
    timage_init(&t);
    EXPECT_EQ(check(), IMG_OK);
    EXPECT_EQ(info.devices, 0);                 /* hello: none */
    t.ndev = 1;
    t.dev.devices = KEEL_NOTE_DEV_NET;
    EXPECT_EQ(check(), IMG_OK);
    EXPECT_EQ(info.devices, KEEL_NOTE_DEV_NET);
    t.ndev = 2;
    EXPECT_EQ(check(), IMG_OK);
    EXPECT_EQ(info.devices, KEEL_NOTE_DEV_NET);
    t.ndev = 1;
    t.dev.devices = 1u << 7;
    EXPECT_EQ(check(), IMG_ENOTE);
    EXPECT_MSG("unknown devices 0x80");
}

KTEST_MAIN(KTEST_CASE(valid_image), KTEST_CASE(not_elf),
           KTEST_CASE(truncated_header), KTEST_CASE(wrong_kind_of_elf),
           KTEST_CASE(program_header_table_overflow),
           KTEST_CASE(segment_offsets_overflow), KTEST_CASE(segment_rules),
           KTEST_CASE(overlapping_segments), KTEST_CASE(too_many_segments),
           KTEST_CASE(entry_point), KTEST_CASE(keel_note),
           KTEST_CASE(note_fields_hostile), KTEST_CASE(abi_and_flags),
           KTEST_CASE(memory_sizes), KTEST_CASE(fuzz_mutations),
           KTEST_CASE(devices_note))

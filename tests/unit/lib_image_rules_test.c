/*
 * One checker, one answer: every rule of lib/image/elf_check.c gives the
 * same verdict whether dom0 checks a guest (refusing KEEL_IMAGE_PRIVILEGED)
 * or the hypervisor checks dom0 (needing it).  Before lib/, the two had
 * checkers of their own; the rules marked below were each missed by one of
 * them, which let such an image through.  Also: the flags of each role, and
 * the formatter that words every reason.
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

enum role { GUEST, DOM0 };

static int check_as(enum role role)
{
    if (role == DOM0)
        t.note.flags |= KEEL_IMAGE_PRIVILEGED;
    timage_emit(&t);
    return role == DOM0 ?
        image_check(t.file, t.size, KEEL_IMAGE_PRIVILEGED, 0, &info, msg,
                    sizeof(msg)) :
        image_check(t.file, t.size, 0, KEEL_IMAGE_PRIVILEGED, &info, msg,
                    sizeof(msg));
}

/* One more program header of the given type after the note. */
static void extra_phdr(uint32_t type)
{
    timage_phdr(&t.ph[4], type, ELF_PF_R, 0x2000, 0x401000, 0x10, 0x10);
    t.eh.e_phnum = 5;
}

static void interp(void)   { extra_phdr(ELF_PT_INTERP); }
static void dynamic(void)  { extra_phdr(ELF_PT_DYNAMIC); }
static void tls(void)      { extra_phdr(ELF_PT_TLS); }
static void phdrs_65(void) { t.eh.e_phnum = 65; }   /* PT_NULL after 4 */

static void unsorted(void)          /* data's header before text's */
{
    struct elf64_phdr text = t.ph[0];
    t.ph[0] = t.ph[2];
    t.ph[2] = text;
}

static void rodata_in_text_page(void)   /* r-x and r--: no W+X page */
{
    t.ph[1].p_vaddr = 0x400100;
    t.ph[1].p_offset = 0x2100;
    t.ph[1].p_filesz = t.ph[1].p_memsz = 0x80;
}

static void data_in_text_page(void)     /* rw- and r-x: a W+X page */
{
    t.ph[2].p_vaddr = 0x400800;
    t.ph[2].p_offset = 0x3800;
    t.ph[2].p_filesz = t.ph[2].p_memsz = 0x40;
}

static void incongruent(void) { t.ph[1].p_vaddr = 0x401010; }
static void two_notes(void)   { t.nnotes = 2; }
static void unknown_flag(void) { t.note.flags |= 0x80; }
static void past_memory(void) { t.ph[2].p_memsz = KEEL_DEFAULT_MEM_BYTES; }

static void no_room_for_stack(void)
{
    t.note.mem_bytes = 0x8000;      /* segments 0x5000 + info + guard */
    t.note.stack_bytes = 0x2000;    /* + stack = 0x9000 */
}

static const struct rule {
    const char *name;
    void (*damage)(void);
    int code;
    const char *says;
} rules[] = {
    /* the guest checker (dom0/elf_check.c) let these through */
    { "PT_INTERP", interp, IMG_EFORMAT, "program header 4 is PT_INTERP" },
    { "PT_DYNAMIC", dynamic, IMG_EFORMAT, "program header 4 is PT_DYNAMIC" },
    { "PT_TLS", tls, IMG_EFORMAT, "program header 4 is PT_TLS" },
    { "65 program headers", phdrs_65, IMG_EFORMAT, "at most 64 entries" },
    { "segments out of order", unsorted, IMG_ESEGMENT, "address order" },
    /* the hypervisor's (hv/common/elf.c) let these through */
    { "segments share a page", rodata_in_text_page, IMG_EOVERLAP,
      "segment 1 overlaps an earlier segment" },
    { "offset and address not congruent", incongruent, IMG_ESEGMENT,
      "not page aligned (address 0x401010, file offset 0x2000)" },
    { "two Keel notes", two_notes, IMG_ENOTE, "2 Keel notes" },
    { "unknown note flag", unknown_flag, IMG_ENOTE, "unknown flags" },
    /* both refused these already, with other words (the hypervisor the
     * first one only after its checker, when it laid out dom0) */
    { "no room for start info, guard and stack", no_room_for_stack, IMG_EMEM,
      "needs more" },
    { "a W+X page", data_in_text_page, IMG_EOVERLAP,
      "segment 2 overlaps an earlier segment" },
    { "segment past the memory", past_memory, IMG_ESEGMENT,
      "lies outside the guest's memory" },
};

KTEST(every_rule_same_answer_in_both_roles)
{
    for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        for (enum role role = GUEST; role <= DOM0; role++) {
            timage_init(&t);
            rules[i].damage();
            int rc = check_as(role);
            if (rc != rules[i].code || !strstr(msg, rules[i].says)) {
                printf("    # %s, as %s: %d \"%s\"\n", rules[i].name,
                       role == DOM0 ? "dom0" : "guest", rc, msg);
                *ktest_failed = 1;
            }
        }
}

KTEST(valid_image_in_both_roles)
{
    for (enum role role = GUEST; role <= DOM0; role++) {
        timage_init(&t);
        EXPECT_EQ(check_as(role), IMG_OK);
        EXPECT_EQ(info.nsegs, 3);
        EXPECT_EQ(info.seg_end, 0x405000);
    }
}

KTEST(flags_of_each_role)
{
    timage_init(&t);                       /* a guest image as dom0 */
    timage_emit(&t);
    EXPECT_EQ(image_check(t.file, t.size, KEEL_IMAGE_PRIVILEGED, 0, &info,
                          msg, sizeof(msg)), IMG_EPRIV);
    EXPECT(strstr(msg, "not privileged") && strstr(msg, "mkimage --privileged")
           && strstr(msg, "KEEL_IMAGE_PRIVILEGED"));
    timage_init(&t);                       /* dom0's image as a guest */
    t.note.flags = KEEL_IMAGE_PRIVILEGED;
    EXPECT_EQ(check_as(GUEST), IMG_EPRIV);
    EXPECT(strstr(msg, "cannot run as a guest") != NULL);
    timage_init(&t);                       /* no role: any known flag */
    t.note.flags = KEEL_IMAGE_PRIVILEGED;
    timage_emit(&t);
    EXPECT_EQ(image_check(t.file, t.size, 0, 0, &info, msg, sizeof(msg)),
              IMG_OK);
}

KTEST(reasons_are_formatted_freestanding)
{
    char b[16];
    const uint64_t args[IMAGE_WHY_ARGS] = { 0, UINT64_MAX, 0x4b454c31, 7 };
    const uint64_t args_big[IMAGE_WHY_ARGS] = { UINT64_MAX };

    EXPECT_EQ(image_why(msg, sizeof(msg), IMG_EMEM, "%u %u 0x%x %x %q %u%",
                        args), IMG_EMEM);
    EXPECT(strcmp(msg, "0 18446744073709551615 0x4b454c31 7 %q 0%") == 0);
    image_why(b, sizeof(b), 0, "segment %u is long", args_big);
    EXPECT(strcmp(b, "segment 1844674") == 0);         /* cut, terminated */
    b[0] = 'x';
    image_why(b, 1, 0, "abc", args);
    EXPECT_EQ(b[0], '\0');
    b[0] = 'x';
    image_why(b, 0, 0, "abc", args);
    EXPECT_EQ(b[0], 'x');                              /* nothing written */
    image_why(msg, sizeof(msg), 0, "%u %u %u %u %u %u", args);
    EXPECT(strcmp(msg, "0 18446744073709551615 1262832689 7 0 %u") == 0);
}

/* Random damage, checked in both roles: never a crash, never a read
 * outside the file (run under -fsanitize=address,undefined to see it). */
KTEST(fuzz_both_roles)
{
    static uint8_t copy[TIMG_SIZE];

    srand(2024);
    for (enum role role = GUEST; role <= DOM0; role++) {
        timage_init(&t);
        check_as(role);
        for (int round = 0; round < 10000; round++) {
            memcpy(copy, t.file, sizeof(copy));
            for (int k = rand() % 6 + 1; k > 0; k--)
                copy[rand() % 0x200] = (uint8_t)rand();
            uint64_t size = rand() % 8 ? sizeof(copy) : (uint64_t)(rand() % 0x6000);
            image_check(copy, size, role == DOM0 ? KEEL_IMAGE_PRIVILEGED : 0,
                        role == DOM0 ? 0 : KEEL_IMAGE_PRIVILEGED, &info, msg,
                        sizeof(msg));
            EXPECT(strlen(msg) < sizeof(msg));
        }
    }
}

KTEST_MAIN(KTEST_CASE(every_rule_same_answer_in_both_roles),
           KTEST_CASE(valid_image_in_both_roles), KTEST_CASE(flags_of_each_role),
           KTEST_CASE(reasons_are_formatted_freestanding),
           KTEST_CASE(fuzz_both_roles))

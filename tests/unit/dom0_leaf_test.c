/*
 * dom0/leaf.c: finding the return address a frameless (or not yet framed)
 * function leaves on top of the stack, from the function's code bytes, and
 * accepting only values that follow a call instruction.
 */
#include "ktest.h"
#include "timage.h"
#include "../../lib/image/why.c"
#include "../../lib/image/elf_note.c"
#include "../../lib/image/elf_check.c"
#include "../../lib/image/layout.c"
#include "../../dom0/layout.c"
#include "../../dom0/leaf.c"

static struct timage t;
static struct image_info info;

#define TEXT(va) (t.file + 0x1000 + ((va) - 0x400000))

static void setup(void)
{
    static const uint8_t framed[] = { 0x55, 0x48, 0x89, 0xe5, 0x8b, 0x07 };
    static const uint8_t endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48,
                                     0x89, 0xe5 };
    static const uint8_t leaf[] = { 0x8b, 0x07, 0xc3 };
    static const uint8_t late_mov[] = { 0x55, 0x48, 0x63, 0xff, 0x48, 0x89,
                                        0xe5 };
    char msg[IMAGE_MSG_MAX];

    timage_init(&t);
    timage_emit(&t);
    memcpy(TEXT(0x400000), framed, sizeof(framed));
    memcpy(TEXT(0x400020), endbr, sizeof(endbr));
    memcpy(TEXT(0x400040), leaf, sizeof(leaf));
    memcpy(TEXT(0x400050), late_mov, sizeof(late_mov));
    memcpy(TEXT(0x400060), "\xe8\x01\x02\x03\x04", 5);      /* ret 0x400065 */
    memcpy(TEXT(0x400070), "\xff\xd0", 2);                  /* ret 0x400072 */
    memcpy(TEXT(0x400080), "\x41\xff\xd3", 3);              /* ret 0x400083 */
    memcpy(TEXT(0x400090), "\xff\x15\x10\x00\x00\x00", 6);  /* ret 0x400096 */
    memcpy(TEXT(0x4000a0), "\xff\x50\x08", 3);              /* ret 0x4000a3 */
    if (image_check(t.file, t.size, 0, KEEL_IMAGE_PRIVILEGED, &info, msg, sizeof(msg)) != IMG_OK)
        printf("    # setup: %s\n", msg);
}

static int slot_of(uint64_t fn, uint64_t rip, uint64_t *slot)
{
    *slot = 99;
    return leaf_return_slot(&info, t.file, fn, rip, slot);
}

KTEST(framed_function)
{
    uint64_t slot;

    setup();
    EXPECT_EQ(slot_of(0x400000, 0x400000, &slot), 1);   /* on the push */
    EXPECT_EQ(slot, 0);
    EXPECT_EQ(slot_of(0x400000, 0x400001, &slot), 1);   /* before the mov */
    EXPECT_EQ(slot, 8);
    EXPECT_EQ(slot_of(0x400000, 0x400004, &slot), 0);   /* frame is set */
}

KTEST(endbr64_first)
{
    uint64_t slot;

    setup();
    EXPECT_EQ(slot_of(0x400020, 0x400020, &slot), 1);
    EXPECT_EQ(slot, 0);
    EXPECT_EQ(slot_of(0x400020, 0x400024, &slot), 1);
    EXPECT_EQ(slot, 0);
    EXPECT_EQ(slot_of(0x400020, 0x400025, &slot), 1);
    EXPECT_EQ(slot, 8);
    EXPECT_EQ(slot_of(0x400020, 0x400028, &slot), 0);
}

KTEST(frameless_and_unknown)
{
    uint64_t slot;

    setup();
    EXPECT_EQ(slot_of(0x400040, 0x400040, &slot), 1);
    EXPECT_EQ(slot_of(0x400040, 0x400042, &slot), 1);
    EXPECT_EQ(slot, 0);
    /* push, then the mov later: after the push rbp is unknown; trust it */
    EXPECT_EQ(slot_of(0x400050, 0x400051, &slot), 0);
    EXPECT_EQ(slot_of(0x401000, 0x401004, &slot), 0);   /* not code */
    EXPECT_EQ(slot_of(0x4000fc, 0x4000fd, &slot), 0);   /* runs off text */
    EXPECT_EQ(slot_of(0x400040, 0x40003f, &slot), 0);
}

KTEST(return_addresses)
{
    setup();
    EXPECT(leaf_is_return_address(&info, t.file, 0x400065));
    EXPECT(leaf_is_return_address(&info, t.file, 0x400072));
    EXPECT(leaf_is_return_address(&info, t.file, 0x400083));
    EXPECT(leaf_is_return_address(&info, t.file, 0x400096));
    EXPECT(leaf_is_return_address(&info, t.file, 0x4000a3));
    EXPECT(!leaf_is_return_address(&info, t.file, 0x400044));
    EXPECT(!leaf_is_return_address(&info, t.file, 0x400003));  /* < 6 in */
    EXPECT(!leaf_is_return_address(&info, t.file, 0x401010));  /* rodata */
    EXPECT(!leaf_is_return_address(&info, t.file, 0x7fff00));  /* stack */
    EXPECT(!leaf_is_return_address(&info, t.file, 0));
    EXPECT(!leaf_is_return_address(&info, t.file, UINT64_MAX));
}

KTEST_MAIN(KTEST_CASE(framed_function), KTEST_CASE(endbr64_first),
           KTEST_CASE(frameless_and_unknown), KTEST_CASE(return_addresses))

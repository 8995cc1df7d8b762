/*
 * libos argument unpacking (sdk/libos/args.c): the builder's packed
 * strings must become argv exactly, and any layout that does not hold
 * exactly argc terminated strings must be refused, never read past.
 */
#include "ktest.h"
#include "../../sdk/libos/args.c"

KTEST(unpacks_strings_with_spaces)
{
    char buf[] = "hello\0a\0b c\0";
    char *argv[4] = { 0, 0, 0, (char *)1 };

    EXPECT_EQ(libos_unpack_args(buf, sizeof(buf) - 1, 3, argv), 0);
    EXPECT(strcmp(argv[0], "hello") == 0);
    EXPECT(strcmp(argv[1], "a") == 0);
    EXPECT(strcmp(argv[2], "b c") == 0);
    EXPECT(argv[3] == NULL);
}

KTEST(empty_strings_count)
{
    char buf[] = "\0\0x\0";
    char *argv[4];

    EXPECT_EQ(libos_unpack_args(buf, sizeof(buf) - 1, 3, argv), 0);
    EXPECT(argv[0][0] == '\0' && argv[1][0] == '\0');
    EXPECT(strcmp(argv[2], "x") == 0);
}

KTEST(no_arguments)
{
    char *argv[1] = { (char *)1 };

    EXPECT_EQ(libos_unpack_args(NULL, 0, 0, argv), 0);
    EXPECT(argv[0] == NULL);
}

KTEST(refuses_missing_terminator)
{
    char buf[] = { 'a', 'b', 'c' };   /* no NUL inside the buffer */
    char *argv[2];

    EXPECT_EQ(libos_unpack_args(buf, sizeof(buf), 1, argv), -KEEL_EINVAL);
}

KTEST(refuses_too_few_strings)
{
    char buf[] = "one\0two\0";
    char *argv[4];

    EXPECT_EQ(libos_unpack_args(buf, sizeof(buf) - 1, 3, argv), -KEEL_EINVAL);
}

KTEST(refuses_trailing_bytes)
{
    char buf[] = "one\0two\0junk";
    char *argv[3];

    EXPECT_EQ(libos_unpack_args(buf, sizeof(buf) - 1, 2, argv), -KEEL_EINVAL);
}

KTEST(refuses_arguments_without_bytes)
{
    char *argv[2];

    EXPECT_EQ(libos_unpack_args(NULL, 0, 1, argv), -KEEL_EINVAL);
}

KTEST_MAIN(KTEST_CASE(unpacks_strings_with_spaces), KTEST_CASE(empty_strings_count),
           KTEST_CASE(no_arguments), KTEST_CASE(refuses_missing_terminator),
           KTEST_CASE(refuses_too_few_strings), KTEST_CASE(refuses_trailing_bytes),
           KTEST_CASE(refuses_arguments_without_bytes))

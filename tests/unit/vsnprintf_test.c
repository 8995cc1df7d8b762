/* Host unit test of the hypervisor's vsnprintf (hv/lib/vsnprintf.c),
 * compared with the host C library on the same formats. */
#include <stdarg.h>
#include <stdint.h>
#include "ktest.h"
#define vsnprintf hv_vsnprintf
#define snprintf hv_snprintf
#include "../../hv/lib/vsnprintf.c"
#undef vsnprintf
#undef snprintf

static int mismatches;

static void check(const char *fmt, ...)
{
    char a[256], b[256];
    va_list ap, aq;

    va_start(ap, fmt);
    va_copy(aq, ap);
    int na = hv_vsnprintf(a, sizeof(a), fmt, ap);
    int nb = vsnprintf(b, sizeof(b), fmt, aq);
    va_end(aq);
    va_end(ap);
    if (na != nb || strcmp(a, b)) {
        printf("    # format \"%s\": got \"%s\" (%d), libc \"%s\" (%d)\n", fmt, a, na, b, nb);
        mismatches++;
    }
}

KTEST(integers_match_libc)
{
    mismatches = 0;
    check("%d %i %u", 0, -1, 4000000000u);
    check("%d %d", INT32_MIN, INT32_MAX);
    check("%ld %lu %lx", (long)INT64_MIN, (unsigned long)UINT64_MAX, 0xdeadbeefUL);
    check("%lld %llx %llu", -5LL, 0x123456789abcdefULL, 18446744073709551615ULL);
    check("%zu %zx %zd", (size_t)12345, (size_t)0xabc, (ssize_t)-3);
    check("%x %X %o %#x %#X %#o %#o", 255, 255, 8, 255, 255, 8, 0);
    check("[%5d] [%-5d] [%05d] [%-05d] [%+d] [% d]", 42, 42, 42, 42, 42, 42);
    check("[%08lx] [%016lx] [%#010x] [%04x]", 0xbeefUL, 0x1UL, 0xab, 0);
    check("[%.3d] [%.0d] [%5.3d] [%-8.3x] [%08.3d]", 7, 0, -7, 0x1f, 5);
    check("[%*d] [%-*d] [%.*d]", 6, 1, 6, 2, 4, 3);
    check("%hd %hu %hhd %hhu", 70000, 70000, 300, 300);
    check("%#x %#o", 0, 0);
    EXPECT_EQ(mismatches, 0);
}

KTEST(strings_chars_pointers_match_libc)
{
    mismatches = 0;
    check("[%s] [%10s] [%-10s] [%.2s] [%10.2s]", "abc", "abc", "abc", "abc", "abc");
    check("[%c] [%3c] [%-3c] %%", 'x', 'y', 'z');
    check("%p %p", (void *)0x1234, (void *)0xffff800000001000ul);
    check("plain text, no conversions");
    EXPECT_EQ(mismatches, 0);
}

KTEST(truncation_and_return_value)
{
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    EXPECT_EQ(hv_snprintf(buf, 5, "%s", "abcdefgh"), 8);
    EXPECT(!strcmp(buf, "abcd"));
    EXPECT_EQ(buf[5], 'Z');
    EXPECT_EQ(hv_snprintf(buf, 0, "%d", 12345), 5);
    EXPECT_EQ(buf[0], 'a');
    EXPECT_EQ(hv_snprintf(buf, 1, "%d", 12345), 5);
    EXPECT_EQ(buf[0], 0);
}

KTEST(odd_formats_do_not_crash)
{
    char buf[64];
    /* formats in variables: the compiler would rightly reject them */
    const char *null_str = getenv("KEEL_UNIT_TEST_UNSET_VARIABLE");
    const char *trailing = "100%", *unknown = "%q %d";
    EXPECT_EQ(hv_snprintf(buf, sizeof(buf), "%s", null_str), 6);
    EXPECT(!strcmp(buf, "(null)"));
    hv_snprintf(buf, sizeof(buf), trailing);
    EXPECT(!strcmp(buf, "100%"));
    hv_snprintf(buf, sizeof(buf), unknown, 5);
    EXPECT(!strcmp(buf, "%q 5"));
}

KTEST_MAIN(KTEST_CASE(integers_match_libc),
           KTEST_CASE(strings_chars_pointers_match_libc),
           KTEST_CASE(truncation_and_return_value),
           KTEST_CASE(odd_formats_do_not_crash))

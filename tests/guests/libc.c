/*
 * The C library at work: stdio, stdlib, string, time, errno, malloc, math.
 * Prints "key=value" lines; the test computes the same values on the host
 * (in Python) and compares.  Inputs come from a fixed LCG so both sides
 * agree without hard-coding results.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t lcg = 12345;
static uint32_t next(void)
{
    lcg = lcg * 1103515245u + 12345u;
    return lcg >> 8;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void check_stdlib(void)
{
    static uint32_t v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = next() % 100000;
    qsort(v, 1000, sizeof(v[0]), cmp_u32);
    unsigned long long weighted = 0;
    for (int i = 0; i < 1000; i++)
        weighted += (unsigned long long)v[i] * (unsigned)(i + 1);
    printf("qsort_min=%u qsort_max=%u qsort_weighted=%llu\n", v[0], v[999], weighted);
    errno = 0;
    long big = strtol("99999999999999999999", NULL, 10);
    printf("strtol_overflow=%d erange=%d\n", big == LONG_MAX, errno == ERANGE);
    printf("strtol_hex=%ld atoi=%d\n", strtol("-0x1f", NULL, 16), atoi("  42abc"));
}

static void check_stdio(void)
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%d|%5.2f|%-4s|%x|%e|%%", -17, 3.14159, "ab", 48879, 12345.678);
    printf("snprintf=%s n=%d\n", buf, n);
    int a = 0;
    char word[16] = "";
    double d = 0;
    int got = sscanf("  77 word 2.5", "%d %15s %lf", &a, word, &d);
    printf("sscanf=%d %d %s %.2f\n", got, a, word, d);
    errno = 0;
    FILE *f = fopen("/no/such/file", "r");
    printf("fopen_null=%d errno_set=%d\n", f == NULL, errno != 0);
}

static void check_string(void)
{
    char s[64] = "the quick brown fox";
    printf("strlen=%zu strstr=%s strchr=%s\n", strlen(s), strstr(s, "brown"), strchr(s, 'q'));
    memmove(s + 4, s, 9);
    printf("memmove=%s\n", s);
    char t[] = "a,b,,c";
    int count = 0;
    for (char *tok = strtok(t, ","); tok; tok = strtok(NULL, ","))
        count++;
    printf("strtok=%d memcmp=%d strerror_enoent=%s\n", count,
           memcmp("abc", "abd", 3) < 0, strerror(ENOENT));
}

static void check_time(void)
{
    time_t t = 1700000000;
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %A %j", &tm);
    printf("strftime=%s\n", buf);
    printf("mktime_roundtrip=%d\n", (long long)mktime(&tm) - (long long)t == 0);
}

static void check_malloc(void)
{
    enum { N = 500 };
    static unsigned char *p[N];
    static size_t size[N];
    for (int i = 0; i < N; i++) {
        size[i] = 1 + next() % 3000;
        p[i] = malloc(size[i]);
        memset(p[i], i & 0xff, size[i]);
    }
    for (int i = 0; i < N; i += 3) {
        p[i] = realloc(p[i], size[i] * 2);
        memset(p[i] + size[i], i & 0xff, size[i]);
        size[i] *= 2;
    }
    int bad = 0;
    for (int i = 0; i < N; i++) {
        for (size_t j = 0; j < size[i]; j++)
            bad += p[i][j] != (unsigned char)(i & 0xff);
        free(p[i]);
    }
    unsigned char *big = malloc(1 << 20);
    int big_ok = big != NULL;
    if (big) {
        memset(big, 0x5a, 1 << 20);
        big_ok = big[(1 << 20) - 1] == 0x5a;
    }
    free(big);
    int *z = calloc(1000, sizeof(int));
    int zero_ok = z != NULL;
    for (int i = 0; z && i < 1000; i++)
        zero_ok &= z[i] == 0;
    free(z);
    printf("malloc_bad=%d big_ok=%d calloc_ok=%d\n", bad, big_ok, zero_ok);
    errno = 0;
    void *huge = malloc((size_t)1 << 40);
    printf("huge_null=%d enomem=%d\n", huge == NULL, errno == ENOMEM);
}

int main(void)
{
    check_stdio();
    check_stdlib();
    check_string();
    check_time();
    check_malloc();
    volatile double two = 2.0;
    printf("sqrt2=%.17g pow=%.1f floor=%.1f\n", sqrt(two), pow(two, 10), floor(-2.5));
    printf("libc done\n");
    return 0;
}

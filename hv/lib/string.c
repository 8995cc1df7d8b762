/* Freestanding string and memory functions (the compiler also emits calls
 * to memcpy/memset/memmove/memcmp on its own). */
#include <hv/lib.h>

/* Bulk copies go 64 bytes per loop iteration through registers, the rest
 * eight bytes per iteration of rep movsq: under QEMU's TCG every
 * iteration of a rep-prefixed string instruction costs about the same, so
 * movsq is 8x faster than movsb, and the unrolled loop (one translated
 * block per 64 bytes) is faster again: 44 KiB in 8 us against movsq's
 * 10-18 us (docs/blk.md, "Where the time goes"): grant copies are this. */
static void copy_blocks(void **d, const void **s, size_t blocks)
{
    if (!blocks)
        return;
    __asm__ volatile(
        "1:\n\t"
        "movq (%1), %%r8\n\t"   "movq 8(%1), %%r9\n\t"
        "movq 16(%1), %%r10\n\t" "movq 24(%1), %%r11\n\t"
        "movq %%r8, (%0)\n\t"   "movq %%r9, 8(%0)\n\t"
        "movq %%r10, 16(%0)\n\t" "movq %%r11, 24(%0)\n\t"
        "movq 32(%1), %%r8\n\t"  "movq 40(%1), %%r9\n\t"
        "movq 48(%1), %%r10\n\t" "movq 56(%1), %%r11\n\t"
        "movq %%r8, 32(%0)\n\t"  "movq %%r9, 40(%0)\n\t"
        "movq %%r10, 48(%0)\n\t" "movq %%r11, 56(%0)\n\t"
        "addq $64, %1\n\t"
        "addq $64, %0\n\t"
        "decq %2\n\t"
        "jnz 1b"
        : "+r"(*d), "+r"(*s), "+r"(blocks) :: "r8", "r9", "r10", "r11", "memory", "cc");
}

void *memcpy(void *d, const void *s, size_t n)
{
    void *ret = d;
    size_t q = (n % 64) / 8, r = n % 8;

    copy_blocks(&d, &s, n / 64);
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) :: "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) :: "memory");
    return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    void *ret = d;
    uint64_t pattern = 0x0101010101010101ull * (unsigned char)c;
    size_t q = n / 8, r = n % 8;

    __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(pattern) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            break;
    }
    return 0;
}

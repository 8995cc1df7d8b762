/* The test images' runtime; see tlib.h. */
#include <stdarg.h>
#include "tlib.h"

__asm__(".section .text.start\n"
        ".globl _start\n"
        "_start:\n"
        "  mov %rsp, %rsi\n"          /* rsp at entry, for the ABI check */
        "  call test_main\n"
        "  ud2\n"
        ".previous\n");

void *memset(void *d, int c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((volatile uint8_t *)d)[i] = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((volatile uint8_t *)d)[i] = ((const uint8_t *)s)[i];
    return d;
}

size_t t_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int t_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

long domctl(struct keel_domctl *op, uint32_t cmd, uint32_t domid)
{
    op->cmd = cmd;
    op->abi_version = KEEL_ABI_VERSION;
    op->domid = domid;
    return hc(KEEL_HC_DOMCTL, (long)op, 0, 0);
}

void out(const char *s)
{
    hc(KEEL_HC_CONSOLE_WRITE, KEEL_CONSOLE_STDOUT, (long)s, (long)t_strlen(s));
}

void ctl(const char *s)
{
    hc(KEEL_HC_CONSOLE_WRITE, KEEL_CONSOLE_CONTROL, (long)s, (long)t_strlen(s));
}

static char *fmt_num(char *p, char *end, uint64_t v, unsigned base, int neg)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg && p < end)
        *p++ = '-';
    while (n && p < end)
        *p++ = tmp[--n];
    return p;
}

void outf(const char *fmt, ...)
{
    char buf[256], *p = buf, *end = buf + sizeof(buf) - 1;
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt && p < end; fmt++) {
        if (*fmt != '%') {
            *p++ = *fmt;
            continue;
        }
        int lng = fmt[1] == 'l';
        fmt += 1 + lng;
        if (*fmt == 's') {
            for (const char *s = va_arg(ap, const char *); *s && p < end; s++)
                *p++ = *s;
        } else if (*fmt == 'd') {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            p = fmt_num(p, end, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
        } else {
            uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            p = fmt_num(p, end, v, *fmt == 'x' ? 16 : 10, 0);
        }
    }
    va_end(ap);
    *p = 0;
    out(buf);
}

volatile struct keel_shared_info *shinfo(void)
{
    return (volatile struct keel_shared_info *)KEEL_SHARED_INFO_VA;
}

uint64_t now_ns(void)
{
    volatile struct keel_time_info *t = &shinfo()->time;
    uint32_t v;
    uint64_t delta, sys, lo, hi;
    do {
        v = t->version;
        __asm__ volatile("" ::: "memory");
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        delta = ((hi << 32) | lo) - t->tsc_timestamp;
        delta = t->tsc_shift >= 0 ? delta << t->tsc_shift : delta >> -t->tsc_shift;
        sys = t->system_time_ns + (uint64_t)(((unsigned __int128)delta * t->tsc_to_ns_mul) >> 32);
        __asm__ volatile("" ::: "memory");
    } while ((v & 1) || v != t->version);
    return sys;
}

void t_exit(int code)
{
    hc(KEEL_HC_SHUTDOWN, KEEL_SHUTDOWN_EXIT, code, 0);
    for (;;)
        ;
}

static int ktap_n, ktap_failed;
static const char *ktap_suite;

void ktap_begin(const char *suite)
{
    ktap_suite = suite;
    outf("KTAP version 1\n# Subtest: %s\n", suite);
}

void check(const char *what, int ok)
{
    ktap_n++;
    if (!ok)
        ktap_failed++;
    outf("%sok %d %s\n", ok ? "" : "not ", ktap_n, what);
}

void check_eq(const char *what, long got, long want)
{
    if (got != want)
        outf("    # got %ld, want %ld\n", got, want);
    check(what, got == want);
}

void ktap_end_poweroff(void)
{
    struct keel_domctl op;
    outf("1..%d\n# %s: %d passed, %d failed\n# RESULT: %s\n", ktap_n, ktap_suite,
         ktap_n - ktap_failed, ktap_failed, ktap_failed ? "FAIL" : "PASS");
    memset(&op, 0, sizeof(op));
    op.u.poweroff.status = ktap_failed ? 1 : 0;
    domctl(&op, KEEL_DOMCTL_POWEROFF, 0);
    for (;;)
        ;
}

int expect(long got, long want)
{
    if (got == want)
        return 0;
    outf("guest: got %ld want %ld\n", got, want);
    return 1;
}

long map_dom0(uint32_t ref, uint16_t flags, struct keel_grant_map *m)
{
    uint64_t end = now_ns() + 5000000000ull;
    long rc;

    do {
        memset(m, 0, sizeof(*m));
        m->ref = ref;
        m->flags = flags;
        rc = hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_MAP, (long)m, 0);
        if (rc != -KEEL_ENOENT)
            return rc;
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    } while (now_ns() < end);
    return rc;
}

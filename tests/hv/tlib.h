/*
 * The runtime of the hypervisor's own test images (tests/hv): raw
 * hypercalls, console output, a KTAP reporter and time from the shared-info
 * page.  Freestanding; no libos, so that the hypervisor is tested alone.
 */
#ifndef TLIB_H
#define TLIB_H

#include <stdint.h>
#include <stddef.h>
#include <keel/keel.h>

/* The Keel note of this image. */
#define TEST_NOTE(fl, mem, stack)                                              \
    __attribute__((section(".note.keel"), used, aligned(4)))                   \
    static const struct {                                                      \
        uint32_t namesz, descsz, type; char name[8];                           \
        uint32_t d[2]; uint64_t q[2];                                          \
    } __attribute__((packed)) keel_note = {                                    \
        5, sizeof(struct keel_image_note), KEEL_NOTE_IMAGE, "Keel",            \
        { KEEL_ABI_VERSION, (fl) }, { (mem), (stack) } }

/* test_main(start info, rsp at entry) is called by the entry stub */
void test_main(struct keel_start_info *si, uint64_t entry_rsp);

static inline long hc(long nr, long a0, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

long domctl(struct keel_domctl *op, uint32_t cmd, uint32_t domid);
size_t t_strlen(const char *s);
int t_strcmp(const char *a, const char *b);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void out(const char *s);
void outf(const char *fmt, ...);          /* %d %u %x %s %lu %lx %ld */
void ctl(const char *s);                  /* control stream */
uint64_t now_ns(void);
volatile struct keel_shared_info *shinfo(void);
void __attribute__((noreturn)) t_exit(int code);

/* KTAP: numbered checks, a plan at the end, one result line. */
void ktap_begin(const char *suite);
void check_eq(const char *what, long got, long want);
void check(const char *what, int ok);
/* guest side: 0 if got == want, else print both and return 1 (count failures) */
int expect(long got, long want);
/* guest side: GNTOP_MAP of dom0's ref with flags, retried for a few seconds
 * while it says -KEEL_ENOENT (dom0 grants once it has created us). */
long map_dom0(uint32_t ref, uint16_t flags, struct keel_grant_map *m);
void __attribute__((noreturn)) ktap_end_poweroff(void);

#define CHECK_EQ(expr, want) check_eq(#expr, (long)(expr), (long)(want))
#define CHECK(expr) check(#expr, !!(expr))

#endif

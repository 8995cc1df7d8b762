/* Freestanding helpers for the hypervisor: strings, formatting, logging,
 * locks.  Implemented in hv/lib/. */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A hypervisor log line (serial record from KEEL_DOMID_HV, stream 'l'). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set once a CPU has started to panic. */
extern volatile uint32_t hv_panicking;
/* Broken invariant inside the hypervisor: log, dump, power off with 125. */
__attribute__((noreturn)) void panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#define BUG_ON(c) do { if (__builtin_expect(!!(c), 0)) \
    panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); } while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Spectre v1: behind a bounds check on an index a guest chose, the CPU may
 * still speculate with the index out of bounds and leave a trace of what
 * it loaded in the cache.  index_nospec(i, n) is i when i < n and 0
 * otherwise, computed without a branch, so use its result, not i, to
 * index a table after the check. */
static inline uint64_t index_nospec(uint64_t i, uint64_t n)
{
    uint64_t mask;

    __asm__("cmp %2, %1\n\tsbb %0, %0" : "=r"(mask) : "r"(i), "r"(n) : "cc");
    return i & mask;
}
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))

/* Spinlocks.  The hypervisor runs with interrupts off, so plain locks are
 * enough; take them in the order documented where they are defined. */
typedef struct { volatile uint32_t locked; } spinlock_t;
#define SPINLOCK_INIT { 0 }
static inline void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            __asm__ volatile("pause");
}
static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif /* HV_LIB_H */

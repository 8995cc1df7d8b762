/*
 * Faults on purpose, one kind per argument, each in its own function
 * (crash_<kind>) called through run_case(), so that the crash report's
 * backtrace can be checked for both names.  Before faulting it prints the
 * address the report must name ("target=0x...": the faulting address for
 * page faults, else the function whose instruction faults).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NOINLINE __attribute__((noinline))
/* Ends each crash function: no sibling call may pop its frame early, so
 * that the frame-pointer chain runs crash_<kind> -> run_case -> main. */
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

static const char rodata[64] = "read-only";
static unsigned char data_code[64] = { 0xc3 };   /* `ret`, in a data page */
volatile int zero, thousand = 1000;

static void target(const void *p)
{
    printf("target=%p\n", p);
    fflush(stdout);
}

NOINLINE void crash_null(void)
{
    target((void *)0);
    printf("%d\n", *(volatile int *)0);
    KEEP_FRAME();
}

NOINLINE void crash_rodata(void)
{
    target(rodata);
    *(volatile char *)rodata = 'X';
    KEEP_FRAME();
}

NOINLINE void crash_nx(void)
{
    target(data_code);
    ((void (*)(void))(uintptr_t)data_code)();
    KEEP_FRAME();
}

NOINLINE void crash_ud2(void)
{
    target((void *)crash_ud2);
    __asm__ volatile("ud2");
    KEEP_FRAME();
}

NOINLINE void crash_div0(void)
{
    target((void *)crash_div0);
    printf("%d\n", thousand / zero);   /* 1 / x would become a compare */
    KEEP_FRAME();
}

NOINLINE void crash_hlt(void)
{
    target((void *)crash_hlt);
    __asm__ volatile("hlt");
    KEEP_FRAME();
}

NOINLINE void crash_cli(void)
{
    target((void *)crash_cli);
    __asm__ volatile("cli");
    KEEP_FRAME();
}

NOINLINE void crash_outb(void)
{
    target((void *)crash_outb);
    __asm__ volatile("outb %%al, $0x80" : : "a"(0));
    KEEP_FRAME();
}

NOINLINE void crash_abort(void)
{
    target((void *)crash_abort);
    abort();
    KEEP_FRAME();
}

/* A page mprotect made read-only reads fine, then a write kills the guest. */
NOINLINE void crash_mprotect(void)
{
    volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return;
    p[100] = 'k';
    if (mprotect((void *)p, 4096, PROT_READ) != 0) {
        perror("mprotect");
        return;
    }
    printf("read back %c\n", p[100]);
    target((const void *)(p + 100));
    p[100] = 'X';
    KEEP_FRAME();
}

static const struct { const char *name; void (*fn)(void); } cases[] = {
    { "null", crash_null }, { "rodata", crash_rodata }, { "nx", crash_nx },
    { "ud2", crash_ud2 }, { "div0", crash_div0 }, { "hlt", crash_hlt },
    { "cli", crash_cli }, { "outb", crash_outb }, { "abort", crash_abort },
    { "mprotect", crash_mprotect },
};

NOINLINE int run_case(const char *name)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!strcmp(cases[i].name, name)) {
            cases[i].fn();
            return 1;   /* survived: a failure */
        }
    }
    fprintf(stderr, "crash: unknown case %s\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: crash CASE\n");
        return 2;
    }
    int rc = run_case(argv[1]);
    printf("survived %s\n", argv[1]);
    return rc;
}

/*
 * Start of day: from crt0's _start to main() and back out through exit().
 *
 * Order matters:
 *  1. check that the start-info page is one (magic, ABI version), then
 *     read the clock from its shared-info page: the start of day's time
 *     stamp (libos_start_ns), taken before any other work;
 *  2. check the rest of the page before trusting any address in it, and the
 *     hypervisor's ABI version before relying on any hypercall semantics;
 *     then record the heap, so that malloc works for everything after
 *     (constructors included);
 *  3. unpack argv (malloc'd, strings copied: they must outlive start of
 *     day and be writable, and the start info is read-only);
 *  4. run constructors, then main, then exit() (atexit handlers, stdio
 *     flush, destructors) which ends in _exit -> shutdown hypercall.
 */
#include <stdlib.h>
#include <string.h>
#include <libos/console.h>
#include <libos/hypercall.h>
#include <libos/start.h>
#include "console_front.h"
#include "internal.h"

const struct keel_start_info *libos_si;
struct keel_shared_info *libos_shinfo;

extern char **environ;
extern int main(int argc, char **argv, char **envp);
extern void __libc_init_array(void);
extern void __libc_fini_array(void);

_Noreturn void libos_fatal(const char *msg)
{
    /* the hypercall: a fatal path must not wait for a console backend */
    libos_console_write_direct(KEEL_CONSOLE_STDERR, "libos: ", 7);
    libos_console_write_direct(KEEL_CONSOLE_STDERR, msg, strlen(msg));
    libos_console_write_direct(KEEL_CONSOLE_STDERR, "\n", 1);
    keel_hc_shutdown(KEEL_SHUTDOWN_CRASH, 0);
    __builtin_trap();
}

/* [va, va + bytes) inside the domain's memory, without wrapping. */
static int in_memory(const struct keel_start_info *si, uint64_t va, uint64_t bytes)
{
    uint64_t end = si->mem_base + si->mem_bytes;

    return va >= si->mem_base && va <= end && bytes <= end - va;
}

int libos_in_memory(const void *p, size_t bytes)
{
    return libos_si && in_memory(libos_si, (uint64_t)(uintptr_t)p, bytes);
}

static void check_magic(const struct keel_start_info *si)
{
    if (memcmp(si->magic, KEEL_START_MAGIC, sizeof(si->magic)) != 0)
        libos_fatal("start info has a bad magic: not started by a Keel builder");
    if (si->abi_version != KEEL_ABI_VERSION)
        libos_fatal("start info is for another Keel ABI version");
}

static void check_start_info(const struct keel_start_info *si)
{
    if (keel_hc_abi_version() != KEEL_ABI_VERSION)
        libos_fatal("the hypervisor speaks another Keel ABI version");
    if (si->heap_start > si->heap_end ||
        !in_memory(si, si->heap_start, si->heap_end - si->heap_start))
        libos_fatal("start info: heap outside the domain's memory");
    if (!in_memory(si, si->args_va, si->args_bytes))
        libos_fatal("start info: arguments outside the domain's memory");
}

/* argv, the environment and a copy of their strings in one block: the
 * strings in the start info are read-only, and a C program may write its
 * arguments.  The environment's vector follows argv's NULL; environ points
 * at it when there is one (else newlib's own empty one stays). */
static char **unpack_argv(const struct keel_start_info *si)
{
    uint64_t n = (uint64_t)si->argc + si->envc;
    size_t vec = ((size_t)n + 2) * sizeof(char *);
    char **argv;

    /* each string takes at least its NUL, and the bytes lie in our
     * memory (checked): this also bounds the malloc */
    if (n > si->args_bytes)
        libos_fatal("start info: more arguments than argument bytes");
    argv = malloc(vec + si->args_bytes);
    if (!argv)
        libos_fatal("no memory for argv");
    memcpy((char *)argv + vec, (const char *)(uintptr_t)si->args_va, si->args_bytes);
    if (libos_unpack_args((char *)argv + vec, si->args_bytes, (uint32_t)n, argv) != 0)
        libos_fatal("start info: malformed arguments");
    /* [args..., env..., NULL] -> [args..., NULL, env..., NULL] */
    memmove(argv + si->argc + 1, argv + si->argc, ((size_t)si->envc + 1) * sizeof(char *));
    argv[si->argc] = NULL;
    if (si->envc)
        environ = argv + si->argc + 1;
    return argv;
}

/* The heap's door to KEEL_HC_MEMORY_OP (heap.c is pure). */
static long heap_memory_op(uint32_t cmd, uintptr_t va, uint64_t npages)
{
    struct keel_memory_op op = { .gva = va, .npages = npages, .domid = KEEL_DOMID_SELF };

    return keel_hc_memory_op(cmd, &op);
}

/* newlib's locks are the libos's (newlib_lock.c).  Naming one of them
 * here links that object in the libos's first pass through the link
 * group, before libc.a's dummy lock.o could supply the same symbols. */
extern struct __lock __lock___sinit_recursive_mutex;
static void *const newlib_locks __attribute__((used)) = &__lock___sinit_recursive_mutex;

void libos_start(const struct keel_start_info *si)
{
    char **argv;

    check_magic(si);
    libos_shinfo = (struct keel_shared_info *)(uintptr_t)si->shared_info_va;
    libos_clock_init();       /* first: start of day is timed from here */
    check_start_info(si);
    libos_si = si;
    libos_heap_init(&libos_heap, si->heap_start, si->heap_end);
    if (si->heap_backed)
        libos_heap_on_demand(&libos_heap, si->heap_backed, heap_memory_op);
    libos_events_init();
    libos_console_init();     /* needs events; before any constructor prints */
    libos_console_fds_init();
    libos_stack_guard_init();

    argv = unpack_argv(si);
    atexit(__libc_fini_array);
    __libc_init_array();
    exit(main((int)si->argc, argv, environ));
}

const struct keel_start_info *libos_start_info(void)
{
    return libos_si;
}

struct keel_shared_info *libos_shared_info(void)
{
    return libos_shinfo;
}

/* The entry is packed (descriptor at byte 20): hand out an aligned copy. */
const struct keel_image_note *libos_image_note(void)
{
    static struct keel_image_note note;

    memcpy(&note, (const char *)&__keel_image_note +
           offsetof(struct libos_note_entry, desc), sizeof(note));
    return &note;
}

int libos_is_privileged(void)
{
    return libos_si && (libos_si->flags & KEEL_SIF_PRIVILEGED);
}

/*
 * Crash report formatting (see crash.h).  The signal mapping follows what
 * Linux delivers for the same exception, so `keel run` exits as a shell
 * would after the same bug in a process: 139 for a segfault, and so on.
 */
#include <inttypes.h>
#include <stdio.h>
#include "crash.h"

#define SIGILL  4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS  7
#define SIGFPE  8
#define SIGSEGV 11

/* x86 page-fault error code bits */
#define PF_PRESENT 1u
#define PF_WRITE   2u
#define PF_RSVD    8u
#define PF_FETCH   16u

int crash_status(const struct keel_crash_info *c)
{
    switch (c->vector) {
    case KEEL_CRASH_ABORT: return 128 + SIGABRT;
    case KEEL_CRASH_UD:    return 128 + SIGILL;
    case KEEL_CRASH_DE: case 16: case 19: return 128 + SIGFPE;
    case 1: case 3:        return 128 + SIGTRAP;
    case 17:               return 128 + SIGBUS;
    default:               return 128 + SIGSEGV;
    }
}

static const char *vector_name(uint32_t v)
{
    static const char *const names[20] = {
        "divide error", "debug trap", "NMI", "breakpoint", "overflow",
        "bound range exceeded", "invalid opcode", "device not available",
        "double fault", NULL, "invalid TSS", "segment not present",
        "stack fault", "general protection fault", "page fault", NULL,
        "x87 floating-point error", "alignment check", "machine check",
        "SIMD floating-point error",
    };
    return v < 20 ? names[v] : NULL;
}

void crash_describe(const struct keel_crash_info *c, char *buf, size_t n)
{
    const char *name = vector_name(c->vector);

    if (c->vector == KEEL_CRASH_ABORT) {
        snprintf(buf, n, "aborted (abort() or a failed assertion)");
    } else if (c->vector == KEEL_CRASH_PF) {
        uint64_t e = c->error_code;
        snprintf(buf, n, "page fault at 0x%" PRIx64 " (%s, %s%s)",
                 c->fault_addr, (e & PF_FETCH) ? "instruction fetch" :
                 (e & PF_WRITE) ? "write" : "read",
                 (e & PF_PRESENT) ? "not permitted" : "not present",
                 (e & PF_RSVD) ? ", reserved bit" : "");
    } else if (c->vector == KEEL_CRASH_GP && c->error_code) {
        snprintf(buf, n, "general protection fault (error code 0x%" PRIx64
                 ")", c->error_code);
    } else if (name) {
        snprintf(buf, n, "%s", name);
    } else {
        snprintf(buf, n, "exception %u", c->vector);
    }
}

int crash_is_stack_overflow(const struct keel_crash_info *c, uint64_t stack_lo)
{
    return c->vector == KEEL_CRASH_PF && !(c->error_code & PF_PRESENT) &&
           stack_lo >= 4096 && c->fault_addr >= stack_lo - 4096 &&
           c->fault_addr < stack_lo;
}

void crash_stack_note(const char *name, uint64_t stack_bytes, char *buf, size_t n)
{
    snprintf(buf, n, "%s: stack overflow: it used all of its %" PRIu64
             " KiB stack (mkimage --stack SIZE gives it more)", name,
             stack_bytes >> 10);
}

void crash_symbolize(const struct symtab *st, uint64_t addr, int is_ret,
                     char *buf, size_t n)
{
    const char *name;
    uint64_t off;

    if (addr == 0 || symbols_lookup(st, addr - (is_ret ? 1 : 0), &name,
                                    &off) != 0) {
        snprintf(buf, n, "%s", "");
        return;
    }
    snprintf(buf, n, "%s+0x%" PRIx64, name, off + (is_ret ? 1 : 0));
}

static void emit_regs(const struct keel_cpu_regs *r, crash_emit_fn emit,
                      void *ctx)
{
    char line[CRASH_LINE_MAX];

    snprintf(line, sizeof(line), "rax=%016" PRIx64 " rbx=%016" PRIx64
             " rcx=%016" PRIx64 " rdx=%016" PRIx64 " rsi=%016" PRIx64
             " rdi=%016" PRIx64, r->rax, r->rbx, r->rcx, r->rdx, r->rsi,
             r->rdi);
    emit(ctx, line);
    snprintf(line, sizeof(line), "rbp=%016" PRIx64 " rsp=%016" PRIx64
             " r8=%016" PRIx64 " r9=%016" PRIx64 " r10=%016" PRIx64
             " r11=%016" PRIx64, r->rbp, r->rsp, r->r8, r->r9, r->r10, r->r11);
    emit(ctx, line);
    snprintf(line, sizeof(line), "r12=%016" PRIx64 " r13=%016" PRIx64
             " r14=%016" PRIx64 " r15=%016" PRIx64 " rip=%016" PRIx64
             " rflags=%08" PRIx64, r->r12, r->r13, r->r14, r->r15, r->rip,
             r->rflags);
    emit(ctx, line);
}

void crash_report(const char *name, const struct keel_crash_info *c,
                  const struct symtab *st, const uint64_t *pcs, unsigned npcs,
                  crash_emit_fn emit, void *ctx)
{
    char what[96], sym[CRASH_LINE_MAX / 2], line[CRASH_LINE_MAX];

    crash_describe(c, what, sizeof(what));
    crash_symbolize(st, c->regs.rip, 0, sym, sizeof(sym));
    snprintf(line, sizeof(line), "%s: crashed: %s rip=0x%" PRIx64 "%s%s",
             name, what, c->regs.rip, sym[0] ? " in " : "", sym);
    emit(ctx, line);
    emit_regs(&c->regs, emit, ctx);
    for (unsigned i = 0; i < npcs; i++) {
        crash_symbolize(st, pcs[i], i > 0, sym, sizeof(sym));
        snprintf(line, sizeof(line), "#%u 0x%" PRIx64 "%s%s", i, pcs[i],
                 sym[0] ? " " : "", sym);
        emit(ctx, line);
    }
}

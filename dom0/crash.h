/*
 * Crash reports: turning a crashed guest's keel_crash_info into the status
 * keel/launch.h prescribes and into the lines the user sees, e.g.
 *
 *   hello: crashed: page fault at 0x0 (read, not present) rip=0x401234 in main+0x14
 *   rax=... (three lines of registers)
 *   #0 0x401234 main+0x14
 *   #1 0x401300 __libos_start+0x40
 *
 * Pure formatting: the backtrace (backtrace.h) and the symbol table
 * (symbols.h) are gathered by the caller, the lines go to a callback.
 */
#ifndef DOM0_CRASH_H
#define DOM0_CRASH_H

#include <stddef.h>
#include <stdint.h>
#include <keel/domctl.h>
#include "symbols.h"

#define CRASH_LINE_MAX 256

typedef void (*crash_emit_fn)(void *ctx, const char *line);

/* 128 + the signal a shell would show for this kind of crash. */
int crash_status(const struct keel_crash_info *c);

/* "page fault at 0x0 (read, not present)", "invalid opcode", ... */
void crash_describe(const struct keel_crash_info *c, char *buf, size_t n);

/* Did the guest die of a stack overflow: a not-present page fault on the
 * guard page, the page below its stack [stack_lo, ...)?  Then
 * crash_stack_note writes the line that says so. */
int crash_is_stack_overflow(const struct keel_crash_info *c, uint64_t stack_lo);
void crash_stack_note(const char *name, uint64_t stack_bytes, char *buf, size_t n);

/* "main+0x14", or "" when no symbol covers addr; for a return address
 * (caller frames) pass is_ret so the call site, not what follows it, is
 * looked up. */
void crash_symbolize(const struct symtab *st, uint64_t addr, int is_ret,
                     char *buf, size_t n);

/* Emit the whole report for guest `name`; pcs[0..npcs) from backtrace_walk. */
void crash_report(const char *name, const struct keel_crash_info *c,
                  const struct symtab *st, const uint64_t *pcs, unsigned npcs,
                  crash_emit_fn emit, void *ctx);

#endif /* DOM0_CRASH_H */

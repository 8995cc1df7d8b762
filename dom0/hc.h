/*
 * dom0's only door to the hypervisor and the libos.
 *
 * Every hypercall, clock read and start-of-day lookup the toolstack makes
 * goes through these few functions (hc.c), for two reasons: the modules
 * that use them (builder, foreign mappings, event loop) can be unit-tested
 * on the host against a fake hypervisor that defines the same functions,
 * and the libos interface can change without touching the toolstack.
 */
#ifndef DOM0_HC_H
#define DOM0_HC_H

#include <stddef.h>
#include <stdint.h>
#include <keel/domctl.h>
#include <keel/memory.h>
#include <keel/shared_info.h>
#include <keel/start_info.h>

/* KEEL_HC_DOMCTL; op->abi_version is filled in here.  >= 0 or -KEEL_E*. */
long hc_domctl(struct keel_domctl *op);

/* Privileged KEEL_EVTCHNOP_ALLOC_UNBOUND in owner's port space
 * (KEEL_DOMID_SELF: ours), offered to remote: the new port (> 0) or
 * -KEEL_E*. */
long hc_evtchn_alloc_in(uint32_t owner, uint32_t remote);

/* KEEL_HC_MEMORY_OP (keel/memory.h): back or give back pages of a guest
 * being built.  0 or -KEEL_E*. */
long hc_memory_op(uint32_t cmd, struct keel_memory_op *op);

/* Close one of our own ports: 0 or -KEEL_E*. */
long hc_evtchn_close(uint32_t port);

/* KEEL_HC_CONSOLE_WRITE on one stream; bytes written or -KEEL_E*. */
long hc_console_write(uint32_t stream, const void *buf, size_t len);

/* Block until a KEEL_PENDING_* bit of mask is pending (may return
 * spuriously); the bit is left set: take it with hc_pending_take(). */
void hc_wait(uint64_t mask);

/* Atomically clear the pending bits of mask; returns which were set. */
uint64_t hc_pending_take(uint64_t mask);

/* Monotonic nanoseconds since the hypervisor booted. */
uint64_t hc_now_ns(void);

/* dom0's own log (its stdout, shown by `keel run -v` as "dom0| ..."):
 * one line; the newline is added here. */
__attribute__((format(printf, 1, 2)))
void hc_log(const char *fmt, ...);

/* Several finished log lines ("...\n" each) as one write to dom0's log:
 * a console write costs a hypercall and, when the launcher sleeps, a
 * wake-up through the serial line (docs/boot-time.md). */
void hc_log_lines(const char *text, size_t len);

/* dom0's own start info (with the boot modules). */
const struct keel_start_info *hc_start_info(void);

#endif /* DOM0_HC_H */

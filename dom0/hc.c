/*
 * dom0's hypervisor and libos access (see hc.h), on top of the libos.
 *
 * The libos owns shared_info->pending and the vCPU timer (libos/time.h), so
 * waiting for KEEL_PENDING_DOMAIN goes through libos_wait() rather than a
 * bare KEEL_HC_SCHED_BLOCK.
 */
#include <stdarg.h>
#include <stdio.h>
#include <keel/abi.h>
#include <keel/event_channel.h>
#include <libos/console.h>
#include <libos/hypercall.h>
#include <libos/start.h>
#include <libos/time.h>
#include "hc.h"

long hc_domctl(struct keel_domctl *op)
{
    op->abi_version = KEEL_ABI_VERSION;
    return keel_hc_domctl(op);
}

long hc_evtchn_alloc_in(uint32_t owner, uint32_t remote)
{
    struct keel_evtchn_op op = { .remote_dom = remote, .dom = owner };

    return keel_hypercall2(KEEL_HC_EVTCHN_OP, KEEL_EVTCHNOP_ALLOC_UNBOUND,
                           (uint64_t)(uintptr_t)&op);
}

long hc_console_write(uint32_t stream, const void *buf, size_t len)
{
    return libos_console_write(stream, buf, len);
}

void hc_wait(uint64_t mask)
{
    libos_wait(mask, LIBOS_FOREVER);
}

uint64_t hc_pending_take(uint64_t mask)
{
    return libos_pending_take(mask);
}

uint64_t hc_now_ns(void)
{
    return libos_monotonic_ns();
}

const struct keel_start_info *hc_start_info(void)
{
    return libos_start_info();
}

void hc_log_lines(const char *text, size_t len)
{
    fflush(stdout);                  /* after what printf still holds */
    libos_console_write(KEEL_CONSOLE_STDOUT, text, len);
}

void hc_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    fputs("\n", stdout);
    va_end(ap);
}

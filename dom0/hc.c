/*
 * dom0's hypervisor and libos access (see hc.h): the libos's calls and
 * hypercall wrappers, forwarded.
 *
 * The libos owns shared_info->pending and the vCPU timer (libos/time.h), so
 * waiting for KEEL_PENDING_DOMAIN goes through libos_wait() rather than a
 * bare KEEL_HC_SCHED_BLOCK.
 */
#include <stdarg.h>
#include <stdio.h>
#include <keel/abi.h>
#include <libos/console.h>
#include <libos/event.h>
#include <libos/hypercall.h>
#include <libos/start.h>
#include <libos/time.h>
#include "hc.h"

long hc_domctl(struct keel_domctl *op)
{
    op->abi_version = KEEL_ABI_VERSION;
    return keel_hc_domctl(op);
}

long hc_memory_op(uint32_t cmd, struct keel_memory_op *op)
{
    return keel_hc_memory_op(cmd, op);
}

long hc_evtchn_alloc_in(uint32_t owner, uint32_t remote)
{
    return libos_evtchn_alloc_unbound_in((keel_domid_t)owner, (keel_domid_t)remote);
}

long hc_evtchn_close(uint32_t port)
{
    return libos_evtchn_close(port);
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

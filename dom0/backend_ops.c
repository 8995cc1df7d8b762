/*
 * Backends' operations over the real hypercalls (backend_ops.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <libos/event.h>
#include <libos/grant.h>
#include "backend_ops.h"
#include "hc.h"

long backend_copy(void *ctx, struct keel_grant_copy *seg, unsigned n)
{
    (void)ctx;
    return libos_grant_copy(seg, n);
}

void backend_notify(void *ctx, uint32_t port)
{
    (void)ctx;
    libos_evtchn_send((keel_evtchn_port_t)port);
}

void backend_log(void *ctx, const char *fmt, ...)
{
    char line[160];
    va_list ap;

    (void)ctx;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    hc_log("%s", line);
}

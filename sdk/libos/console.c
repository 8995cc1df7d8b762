/*
 * Console output (libos/console.h).  stdio reaches it through write()
 * (sys_io.c).  A guest with a console device writes into its ring
 * (console_ring.c); dom0, and a guest without one, use the hypercall.
 */
#include <string.h>
#include <libos/console.h>
#include <libos/hypercall.h>
#include "console_front.h"

long libos_console_write_direct(unsigned stream, const void *buf, size_t len)
{
    const char *p = buf;
    size_t left = len;

    /* The hypervisor takes at most KEEL_CONSOLE_WRITE_MAX bytes a call and
     * writes all of them or fails. */
    while (left > 0) {
        size_t n = left < KEEL_CONSOLE_WRITE_MAX ? left : KEEL_CONSOLE_WRITE_MAX;
        long r = keel_hc_console_write(stream, p, n);

        if (r < 0)
            return r;
        p += n;
        left -= n;
    }
    return (long)len;
}

long libos_console_write(unsigned stream, const void *buf, size_t len)
{
    if (libos_cf.up && stream == KEEL_CONSOLE_STDOUT)
        return libos_cf_write(&libos_cf.out, buf, len);
    if (libos_cf.up && stream == KEEL_CONSOLE_STDERR)
        return libos_cf_write(&libos_cf.err, buf, len);
    return libos_console_write_direct(stream, buf, len);
}

long libos_console_read(void *buf, size_t len)
{
    return libos_cf.up ? libos_cf_read(buf, len) : 0;
}

struct keel_console_page *libos_console_page(void)
{
    return libos_cf.up ? libos_cf.pg : NULL;
}

keel_evtchn_port_t libos_console_port(void)
{
    return libos_cf.up ? libos_cf.conn.port : 0;
}

long libos_console_puts(unsigned stream, const char *s)
{
    return libos_console_write(stream, s, strlen(s));
}

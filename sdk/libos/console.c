/*
 * Console output (libos/console.h): the one path from the domain to the
 * serial console.  stdio reaches it through _write (sys_io.c).
 */
#include <string.h>
#include <libos/console.h>
#include <libos/hypercall.h>

long libos_console_write(unsigned stream, const void *buf, size_t len)
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

long libos_console_puts(unsigned stream, const char *s)
{
    return libos_console_write(stream, s, strlen(s));
}

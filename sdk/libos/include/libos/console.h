/*
 * The console: the domain's stdout and stderr (and, for the privileged
 * domain, the control stream to the launcher).
 *
 * stdio needs none of this: printf and friends reach the console through
 * the libos's _write (fd 1 = stdout, fd 2 = stderr).  These functions are
 * for code that must not depend on stdio's buffers: crash paths, dom0's
 * control protocol, early start of day.
 *
 * Contract:
 *  - libos_console_write() writes all len bytes to stream (a
 *    KEEL_CONSOLE_* value of keel/console.h), splitting writes longer than
 *    KEEL_CONSOLE_WRITE_MAX into several hypercalls; each hypercall's bytes
 *    form one serial record, so a write of at most KEEL_CONSOLE_WRITE_MAX
 *    bytes is never interleaved with another domain's output.
 *  - It returns len, or -KEEL_Exxx from the first failing hypercall (bytes
 *    of earlier chunks are then already out).
 *  - It does not go through stdio: mixing it with buffered printf output
 *    on the same stream may reorder the two; fflush() first.
 */
#ifndef LIBOS_CONSOLE_H
#define LIBOS_CONSOLE_H

#include <stddef.h>
#include <keel/console.h>

long libos_console_write(unsigned stream, const void *buf, size_t len);

/* libos_console_write of a NUL-terminated string. */
long libos_console_puts(unsigned stream, const char *s);

#endif /* LIBOS_CONSOLE_H */

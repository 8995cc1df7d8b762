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
 *    KEEL_CONSOLE_* value of keel/console.h).  In a guest with a console
 *    device, stdout and stderr go into the console ring (blocking the
 *    calling thread while it is full; -KEEL_EPIPE once the backend closed
 *    it).  Otherwise each hypercall of at most KEEL_CONSOLE_WRITE_MAX bytes
 *    forms one serial record, never interleaved with another domain's.
 *  - It returns len, or -KEEL_Exxx from the first failing hypercall (bytes
 *    of earlier chunks are then already out).
 *  - It does not go through stdio: mixing it with buffered printf output
 *    on the same stream may reorder the two; fflush() first.
 */
#ifndef LIBOS_CONSOLE_H
#define LIBOS_CONSOLE_H

#include <stddef.h>
#include <keel/console.h>
#include <keel/event_channel.h>

long libos_console_write(unsigned stream, const void *buf, size_t len);

/* Always the hypercall, never the ring: for crash paths, which must not
 * wait for a backend.  May reorder with ring output. */
long libos_console_write_direct(unsigned stream, const void *buf, size_t len);

/* stdin (keel/console.h): blocks the calling thread until bytes arrive;
 * returns how many were read (<= len), 0 at end of input (always 0 without
 * a console device), -KEEL_EIO if the backend corrupted the ring. */
long libos_console_read(void *buf, size_t len);

/* The console's shared page and event port, NULL / 0 without a ring: for
 * diagnostics and tests that play a hostile frontend. */
struct keel_console_page *libos_console_page(void);
keel_evtchn_port_t libos_console_port(void);

/* libos_console_write of a NUL-terminated string. */
long libos_console_puts(unsigned stream, const char *s);

#endif /* LIBOS_CONSOLE_H */

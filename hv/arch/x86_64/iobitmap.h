/*
 * The TSS I/O permission bitmap a domain runs with (iobitmap.c, pure:
 * tests/unit/hv_iobitmap_test.c).  Bit p set: port p traps; clear: ring 3
 * may use it.  Each CPU's TSS holds one bitmap, followed by the 0xff byte
 * the CPU reads past its end; ioperm.c switches it between domains.
 */
#ifndef HV_X86_IOBITMAP_H
#define HV_X86_IOBITMAP_H

#include <stdint.h>
#include <hv/pci.h>

#define IO_BITMAP_BYTES 8192u     /* ports 0 .. 0xffff */

/* Close every port of bytes [lo, hi) again. */
void iobitmap_close(uint8_t *bm, unsigned lo, unsigned hi);
/* Open the ports of r[0 .. n) (a range is clipped at port 0xffff) in a
 * bitmap whose every port is closed; [*lo, *hi) is then the span of bytes
 * it changed (empty: 0, 0). */
void iobitmap_open(uint8_t *bm, const struct pci_port_range *r, unsigned n,
                   unsigned *lo, unsigned *hi);

#endif /* HV_X86_IOBITMAP_H */

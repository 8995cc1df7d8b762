/*
 * Building a domain's I/O permission bitmap (iobitmap.h).  Pure: no CPU
 * state, so that the host tests can check every bit it opens.
 *
 * A domain's ports are a few short ranges (the I/O BARs of the functions
 * it was lent: tens of ports each), so opening them port by port and
 * closing only the bytes that were opened costs a few dozen byte writes:
 * far less than copying a whole 8 KiB bitmap per switch.
 */
#include "iobitmap.h"

void iobitmap_close(uint8_t *bm, unsigned lo, unsigned hi)
{
    for (unsigned i = lo; i < hi && i < IO_BITMAP_BYTES; i++)
        bm[i] = 0xff;
}

void iobitmap_open(uint8_t *bm, const struct pci_port_range *r, unsigned n,
                   unsigned *lo, unsigned *hi)
{
    *lo = IO_BITMAP_BYTES;
    *hi = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t end = (uint32_t)r[i].base + r[i].len;
        if (end > 0x10000u)
            end = 0x10000u;
        for (uint32_t p = r[i].base; p < end; p++)
            bm[p / 8] &= (uint8_t)~(1u << (p % 8));
        if (r[i].base >= end)
            continue;
        if (r[i].base / 8 < *lo)
            *lo = r[i].base / 8;
        if ((end - 1) / 8 + 1 > *hi)
            *hi = (end - 1) / 8 + 1;
    }
    if (*lo >= *hi)
        *lo = *hi = 0;
}

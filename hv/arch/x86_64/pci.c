/*
 * PCI configuration space through mechanism #1 (ports 0xcf8/0xcfc), bus 0
 * only: enough to find the few QEMU devices the hypervisor itself uses
 * (keel/hostio.h).  Boot-time only, on the boot CPU, so no lock.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "x86.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

#define PCI_COMMAND     0x04
#define PCI_CMD_MEM     0x0002u
#define PCI_BAR0        0x10
#define PCI_BAR_IO      0x1u
#define PCI_BAR_TYPE    0x6u
#define PCI_BAR_64      0x4u
#define PCI_BAR_ADDR    (~0xfull)

static uint32_t cfg_addr(unsigned dev, unsigned fn, unsigned off)
{
    return 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc);
}

uint32_t pci_read32(unsigned dev, unsigned fn, unsigned off)
{
    outl(PCI_ADDR, cfg_addr(dev, fn, off));
    return inl(PCI_DATA);
}

void pci_write32(unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    outl(PCI_ADDR, cfg_addr(dev, fn, off));
    outl(PCI_DATA, v);
}

/* Finds vendor:device on bus 0; 0 and *dev, *fn set, or -1. */
int pci_find(uint16_t vendor, uint16_t device, unsigned *dev, unsigned *fn)
{
    for (unsigned d = 0; d < 32; d++)
        for (unsigned f = 0; f < 8; f++) {
            uint32_t id = pci_read32(d, f, 0);
            if ((id & 0xffff) == 0xffff) {
                if (f == 0)
                    break;      /* no device: no other functions */
                continue;
            }
            if ((id & 0xffff) == vendor && id >> 16 == device) {
                *dev = d;
                *fn = f;
                return 0;
            }
            /* single-function devices answer on every fn: stop at 0 */
            if (f == 0 && !(pci_read32(d, 0, 0x0c) & 0x00800000u))
                break;
        }
    return -1;
}

/*
 * A 64-bit memory BAR: its address and size (sized the usual way, with
 * memory decoding off meanwhile), then decoding on.  -1 if the BAR is not
 * a 64-bit memory BAR or has no address.
 */
int pci_bar64(unsigned dev, unsigned fn, unsigned bar, uint64_t *pa, uint64_t *size)
{
    unsigned off = PCI_BAR0 + 4 * bar;
    uint32_t cmd = pci_read32(dev, fn, PCI_COMMAND) & 0xffff;
    uint32_t lo = pci_read32(dev, fn, off), hi = pci_read32(dev, fn, off + 4);

    if ((lo & PCI_BAR_IO) || (lo & PCI_BAR_TYPE) != PCI_BAR_64)
        return -1;
    pci_write32(dev, fn, PCI_COMMAND, cmd & ~PCI_CMD_MEM);
    pci_write32(dev, fn, off, ~0u);
    pci_write32(dev, fn, off + 4, ~0u);
    uint64_t mask = pci_read32(dev, fn, off) |
                    (uint64_t)pci_read32(dev, fn, off + 4) << 32;
    pci_write32(dev, fn, off, lo);
    pci_write32(dev, fn, off + 4, hi);
    pci_write32(dev, fn, PCI_COMMAND, cmd | PCI_CMD_MEM);
    *pa = ((uint64_t)hi << 32 | lo) & PCI_BAR_ADDR;
    *size = ~(mask & PCI_BAR_ADDR) + 1;
    return *pa && *size ? 0 : -1;
}

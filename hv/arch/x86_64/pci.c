/*
 * PCI configuration space through mechanism #1 (ports 0xcf8/0xcfc): the
 * address port selects bus/device/function/register, the data port moves
 * 1, 2 or 4 bytes of it.  The pair is one access, so every access holds
 * cfg_lock (owners of lent functions reach it from any CPU, keel/pci.h);
 * the ports themselves are never in any domain's I/O bitmap.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/pci.h>
#include "x86.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

static spinlock_t cfg_lock = SPINLOCK_INIT;

static uint32_t cfg_addr(uint32_t bdf, unsigned off)
{
    return 0x80000000u | (bdf & 0xffffu) << 8 | (off & 0xfc);
}

/* off is a multiple of size (keel/pci.h), so the access stays in one dword */
uint32_t arch_pci_cfg_read(uint32_t bdf, unsigned off, unsigned size)
{
    uint32_t v;

    spin_lock(&cfg_lock);
    outl(PCI_ADDR, cfg_addr(bdf, off));
    if (size == 1)
        v = inb((uint16_t)(PCI_DATA + (off & 3)));
    else if (size == 2)
        v = inw((uint16_t)(PCI_DATA + (off & 2)));
    else
        v = inl(PCI_DATA);
    spin_unlock(&cfg_lock);
    return v;
}

void arch_pci_cfg_write(uint32_t bdf, unsigned off, unsigned size, uint32_t v)
{
    spin_lock(&cfg_lock);
    outl(PCI_ADDR, cfg_addr(bdf, off));
    if (size == 1)
        outb((uint16_t)(PCI_DATA + (off & 3)), (uint8_t)v);
    else if (size == 2)
        outw((uint16_t)(PCI_DATA + (off & 2)), (uint16_t)v);
    else
        outl(PCI_DATA, v);
    spin_unlock(&cfg_lock);
}

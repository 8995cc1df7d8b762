/*
 * MSI-X tables of lent functions (keel/pci.h "MSI-X").  The hypervisor
 * alone writes a table and the capability's control bits: through its own
 * uncached mapping of the table, made at boot (pci_scan.c), while the
 * owner's MAP_BAR maps the table's pages read-only (pci_mem.c) and its
 * configuration writes never reach the capability (pci_cfg.c).  So every
 * message the device can send is one the hypervisor wrote: a vector of an
 * interrupt slot, to the boot CPU.
 *
 * Ordering.  MSI-X is enabled with the function masked, after every entry
 * is masked, and an entry is unmasked only once its message is written:
 * no entry fires with a message nobody wrote (a reset leaves the entries
 * masked, but not necessarily the firmware).  An entry is masked, and the
 * mask read back so that it has reached the device, before its slot is
 * freed for someone else.
 *
 * The table answers only while the function decodes memory, which its
 * owner may have left off (legacy virtio needs only its ports): then it
 * is turned on for the moment of the access.  Under irq_lock (pci_irq.c),
 * which also covers msix_bound; the owner's own configuration writes
 * cannot interleave, as only the owner's single vCPU makes them and it is
 * the one here (or not running: DESTROY).
 */
#include <hv/pci.h>
#include <hv/lib.h>

#define CFG_COMMAND    0x04
#define CMD_MEMORY     0x2u
#define MSIX_CONTROL   2
#define MSIX_ENABLE    0x8000u
#define MSIX_FUNC_MASK 0x4000u

/* 32-bit words of a table entry */
#define ENTRY_ADDR_LO  0
#define ENTRY_ADDR_HI  1
#define ENTRY_DATA     2
#define ENTRY_CONTROL  3
#define ENTRY_MASKED   1u

static uint32_t memory_on(const struct pci_func *f)
{
    uint32_t cmd = arch_pci_cfg_read(f->info.bdf, CFG_COMMAND, 2);

    if (!(cmd & CMD_MEMORY))
        arch_pci_cfg_write(f->info.bdf, CFG_COMMAND, 2, cmd | CMD_MEMORY);
    return cmd;
}

static void memory_restore(const struct pci_func *f, uint32_t cmd)
{
    if (!(cmd & CMD_MEMORY))
        arch_pci_cfg_write(f->info.bdf, CFG_COMMAND, 2, cmd);
}

static void control(const struct pci_func *f, uint32_t bits)
{
    unsigned at = f->msix.cap + MSIX_CONTROL;
    uint32_t v = arch_pci_cfg_read(f->info.bdf, at, 2);

    arch_pci_cfg_write(f->info.bdf, at, 2, (v & ~(MSIX_ENABLE | MSIX_FUNC_MASK)) | bits);
}

static volatile uint32_t *entry(const struct pci_func *f, unsigned e)
{
    return f->msix_table + (size_t)e * (PCI_MSIX_ENTRY_SIZE / 4);
}

static void mask_all(const struct pci_func *f)
{
    for (unsigned e = 0; e < f->msix.entries; e++)
        entry(f, e)[ENTRY_CONTROL] = ENTRY_MASKED;
}

void pci_msix_entry_on(struct pci_func *f, unsigned e, uint64_t addr, uint32_t data)
{
    uint32_t cmd = memory_on(f);
    volatile uint32_t *x = entry(f, e);

    if (!f->msix_bound) {
        mask_all(f);
        control(f, MSIX_ENABLE | MSIX_FUNC_MASK);
    }
    x[ENTRY_CONTROL] = ENTRY_MASKED;
    x[ENTRY_ADDR_LO] = (uint32_t)addr;
    x[ENTRY_ADDR_HI] = (uint32_t)(addr >> 32);
    x[ENTRY_DATA] = data;
    x[ENTRY_CONTROL] = 0;
    control(f, MSIX_ENABLE);
    f->msix_bound++;
    memory_restore(f, cmd);
}

void pci_msix_entry_off(struct pci_func *f, unsigned e)
{
    uint32_t cmd = memory_on(f);
    volatile uint32_t *x = entry(f, e);

    x[ENTRY_CONTROL] = ENTRY_MASKED;
    (void)x[ENTRY_CONTROL];             /* the mask reached the device */
    if (f->msix_bound && !--f->msix_bound)
        control(f, 0);
    memory_restore(f, cmd);
}

void pci_msix_off(const struct pci_func *f)
{
    if (f->msix.cap)
        control(f, 0);
}

/*
 * The boot scan (pci_init): every function reachable through the
 * configuration mechanism, bus 0 and the buses behind its bridges, each
 * with its ids, class, interrupt pin and line, BARs (sized with decoding
 * off), guarded capabilities and MSI-X table (mapped for the hypervisor
 * if it may be lent), and the decision whether it may ever be
 * lent.  A function that may be lent is left quiesced until ASSIGN.  The table never changes shape afterwards: a LIST index names one
 * function for the machine's life.
 *
 * Kept (never lent, keel/pci.h): bridges of every kind (class 0x06 or a
 * header other than type 0: they route the machine's memory and
 * interrupts), the ivshmem device of keel run's host I/O path, and any
 * function with a BAR that could reach what is not the device's: a broken
 * BAR, ports below KEEL_PCI_IO_MIN (the legacy devices and the
 * hypervisor's: serial, PCI configuration, PIC, PIT, RTC), device memory
 * that is RAM, firmware or APIC space or not whole pages (a page is the
 * unit of a mapping), or any BAR that overlaps another function's.
 */
#include <hv/pci.h>
#include <hv/mm.h>
#include <hv/lib.h>
#include <keel/hostio.h>

#define CFG_COMMAND    0x04
#define CFG_CLASS      0x08
#define CFG_HEADER     0x0e
#define CFG_BAR0       0x10
#define CFG_SECONDARY  0x19
#define CFG_SUBSYS     0x2c
#define CFG_IRQ        0x3c
#define HEADER_MULTI   0x80u
#define CLASS_BRIDGE   0x06u
#define BAR_KIND(t)    ((t) & 0xfu)

static unsigned ignored;
static uint16_t boot_command[PCI_MAX_FUNCS];   /* as the firmware left it */

static uint32_t rd(uint32_t bdf, unsigned off, unsigned size)
{
    return arch_pci_cfg_read(bdf, off, size);
}

/* A BAR register's value and what reads back after writing all ones. */
static void probe(uint32_t bdf, unsigned off, uint32_t *v, uint32_t *mask)
{
    *v = rd(bdf, off, 4);
    arch_pci_cfg_write(bdf, off, 4, ~0u);
    *mask = rd(bdf, off, 4);
    arch_pci_cfg_write(bdf, off, 4, *v);
}

/* Quiesced (keel/pci.h: no decoding, no bus mastering, INTx disabled), so
 * that no BAR answers at all-ones while it is sized; settle() says what
 * the command register says next. */
static void size_bars(struct pci_func *f)
{
    uint32_t bdf = f->info.bdf, cmd = rd(bdf, CFG_COMMAND, 2);

    boot_command[f - pci_funcs] = (uint16_t)cmd;
    arch_pci_cfg_write(bdf, CFG_COMMAND, 2, pci_cmd_quiesced(cmd));
    for (unsigned i = 0; i < KEEL_PCI_BARS;) {
        uint32_t lo, mlo, hi = 0, mhi = 0;
        probe(bdf, CFG_BAR0 + 4 * i, &lo, &mlo);
        if ((lo & 7u) == 4u && i + 1 < KEEL_PCI_BARS)
            probe(bdf, CFG_BAR0 + 4 * (i + 1), &hi, &mhi);
        unsigned used = pci_bar_decode(lo, mlo, hi, mhi, &f->info.bar[i]);
        if (used == 2 && i + 1 == KEEL_PCI_BARS)
            f->info.bar[i].type |= PCI_BAR_BROKEN;   /* no upper half */
        i += used;
    }
}

static void find_guards(struct pci_func *f)
{
    uint8_t cfg[PCI_CFG_SIZE];

    for (unsigned off = 0; off < PCI_CFG_SIZE; off += 4) {
        uint32_t v = rd(f->info.bdf, off, 4);
        memcpy(cfg + off, &v, 4);
    }
    pci_cfg_guards(cfg, &f->guard);
    pci_msix_locate(cfg, f->info.bar, &f->msix);
}

/* A bridge makes the buses behind it reachable (forward only: no loops). */
static void add_function(uint32_t bdf, uint32_t id, uint8_t header, uint64_t reach[4])
{
    struct pci_func *f;
    struct keel_pci_info *in;

    if (pci_nfuncs == PCI_MAX_FUNCS) {
        ignored++;
        return;
    }
    f = &pci_funcs[pci_nfuncs++];
    memset(f, 0, sizeof(*f));
    in = &f->info;
    in->bdf = (uint16_t)bdf;
    in->vendor = (uint16_t)id;
    in->device = (uint16_t)(id >> 16);
    uint32_t cls = rd(bdf, CFG_CLASS, 4);
    in->revision = (uint8_t)cls;
    in->class_code = cls >> 8;
    in->header_type = header & 0x7f;
    if (KEEL_PCI_FN(bdf) == 0 && (header & HEADER_MULTI))
        in->flags |= KEEL_PCI_F_MULTIFN;
    if (in->header_type == 1) {
        unsigned sec = rd(bdf, CFG_SECONDARY, 1);
        if (sec > KEEL_PCI_BUS(bdf))
            reach[sec / 64] |= 1ull << (sec % 64);
    }
    if (in->header_type != 0 || in->class_code >> 16 == CLASS_BRIDGE)
        return;
    uint32_t ss = rd(bdf, CFG_SUBSYS, 4), irq = rd(bdf, CFG_IRQ, 2);
    in->subsys_vendor = (uint16_t)ss;
    in->subsys_device = (uint16_t)(ss >> 16);
    in->irq_line = (uint8_t)irq;
    in->irq_pin = (irq >> 8) <= 4 ? (uint8_t)(irq >> 8) : 0;
    size_bars(f);
    find_guards(f);
}

static void scan_bus(unsigned bus, uint64_t reach[4])
{
    for (unsigned dev = 0; dev < 32; dev++)
        for (unsigned fn = 0; fn < 8; fn++) {
            uint32_t bdf = KEEL_PCI_BDF(bus, dev, fn), id = rd(bdf, 0, 4);
            if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
                if (fn == 0)
                    break;          /* no device: no other functions */
                continue;
            }
            uint8_t header = (uint8_t)rd(bdf, CFG_HEADER, 1);
            add_function(bdf, id, header, reach);
            if (fn == 0 && !(header & HEADER_MULTI))
                break;              /* single-function devices may echo fn 0 */
        }
}

static const char *bar_refused(const struct keel_pci_bar *b)
{
    unsigned kind = BAR_KIND(b->type);

    if (b->type & PCI_BAR_BROKEN)
        return "a BAR that makes no sense";
    if (kind == KEEL_PCI_BAR_IO && (b->base < KEEL_PCI_IO_MIN || b->base + b->size > 0x10000))
        return "ports below 0x1000";
    if ((kind == KEEL_PCI_BAR_MEM32 || kind == KEEL_PCI_BAR_MEM64) &&
        ((b->base | b->size) % PAGE_SIZE || !arch_mmio_lendable(b->base, b->size)))
        return "device memory over RAM, firmware or APICs, or not whole pages";
    return NULL;
}

static bool bars_overlap(const struct keel_pci_bar *a, const struct keel_pci_bar *b)
{
    if (!a->size || !b->size ||
        (BAR_KIND(a->type) == KEEL_PCI_BAR_IO) != (BAR_KIND(b->type) == KEEL_PCI_BAR_IO))
        return false;
    return a->base >= b->base ? a->base - b->base < b->size : b->base - a->base < a->size;
}

static bool overlaps_another(const struct pci_func *f)
{
    for (unsigned j = 0; j < pci_nfuncs; j++)
        for (unsigned a = 0; a < KEEL_PCI_BARS && &pci_funcs[j] != f; a++)
            for (unsigned b = 0; b < KEEL_PCI_BARS; b++)
                if (bars_overlap(&f->info.bar[a], &pci_funcs[j].info.bar[b]))
                    return true;
    return false;
}

static const char *why_kept(const struct pci_func *f)
{
    const struct keel_pci_info *in = &f->info;
    const char *why;

    if (in->header_type != 0 || in->class_code >> 16 == CLASS_BRIDGE)
        return "a bridge";
    if (in->vendor == KEEL_HOSTIO_PCI_VENDOR && in->device == KEEL_HOSTIO_PCI_DEVICE)
        return "keel run's host I/O";
    for (unsigned i = 0; i < KEEL_PCI_BARS; i++)
        if ((why = bar_refused(&in->bar[i])))
            return why;
    return overlaps_another(f) ? "a BAR over another function's" : NULL;
}

/* A function that may be lent stays quiesced, as ASSIGN hands it over
 * anyway: nobody's until then, it needs no decoding nor bus mastering, and
 * each change of its decoding costs an emulator like QEMU milliseconds of
 * remapping (docs/devices.md).  A kept one gets back what the firmware
 * gave it (bridges were never sized, nor touched). */
static void settle(const struct pci_func *f, bool kept)
{
    bool sized = f->info.header_type == 0 && f->info.class_code >> 16 != CLASS_BRIDGE;

    if (kept && sized)
        arch_pci_cfg_write(f->info.bdf, CFG_COMMAND, 2, boot_command[f - pci_funcs]);
}

/* Now, at boot: mapping changes the hypervisor's shared page tables.  The
 * BAR never moves (the owner cannot write it), so neither does the table. */
static void map_msix_table(struct pci_func *f)
{
    const struct keel_pci_bar *b = &f->info.bar[f->msix.bar];

    f->msix_table = arch_mmio_map(b->base + f->msix.offset,
                                  (uint64_t)f->msix.entries * PCI_MSIX_ENTRY_SIZE);
    pci_msix_off(f);
}

static void decide(struct pci_func *f)
{
    struct keel_pci_info *in = &f->info;
    const char *why = why_kept(f);

    settle(f, why != NULL);
    if (why)
        in->flags |= KEEL_PCI_F_KEPT;
    else if (in->irq_pin)
        arch_pci_irq_prepare(in->irq_line);
    if (!why && f->msix.cap)
        map_msix_table(f);
    printk("pci: %02x:%02x.%u %04x:%04x class %06x irq %u pin %u msix %u: %s%s",
           KEEL_PCI_BUS(in->bdf), KEEL_PCI_DEV(in->bdf), KEEL_PCI_FN(in->bdf),
           in->vendor, in->device, in->class_code, in->irq_line, in->irq_pin,
           f->msix_table ? f->msix.entries : 0,
           why ? "kept, " : "may be lent", why ? why : "");
}

void pci_init(void)
{
    uint64_t reach[4] = { 1 };          /* bus 0 */

    for (unsigned bus = 0; bus < 256; bus++)
        if (reach[bus / 64] >> (bus % 64) & 1)
            scan_bus(bus, reach);
    for (unsigned i = 0; i < pci_nfuncs; i++)
        decide(&pci_funcs[i]);
    if (ignored)
        printk("pci: %u function(s) beyond the first %u ignored (never lent)",
               ignored, PCI_MAX_FUNCS);
}

/*
 * Lent PCI functions inside the hypervisor.  The contract is keel/pci.h,
 * the design docs/devices.md.
 *
 *   pci_cfg.c   pure: BAR decoding, the capability walk and the
 *               configuration write filter (tests/unit/hv_pci_cfg_test.c)
 *   pci.c       the function table: boot scan, what the hypervisor keeps,
 *               assign, release, quiesce, the owner's ports
 *   pci_mem.c   BAR mappings, DMA pages, TRANSLATE
 *   pci_irq.c   interrupt slots (INTx lines, MSI-X vectors): bind,
 *               deliver, acknowledge, mask
 *   pci_msix.c  MSI-X tables: the entries and the capability's control
 *   pci_op.c    the hypercall: decode, check (in one place), one worker
 *
 * Locking.  pci_lock (pci.c) covers the function table and every owner's
 * struct pci_dom; irq_lock (pci_irq.c) the interrupt slots.  Lock order:
 * pci_lock -> evtchn locks -> irq_lock -> the arch's IOAPIC and
 * configuration locks.  The interrupt path takes irq_lock alone, then, with
 * a domain reference and no lock held, an evtchn lock.
 *
 * Who changes what an owner holds (its functions, ports, BAR mappings, DMA
 * pages): its own vCPU (RELEASE, MAP_BAR, ..., ASSIGN to itself), the
 * privileged domain while the owner has never run (ASSIGN), and DESTROY
 * once the owner's vCPU has left every CPU.  A domain has one vCPU, so the
 * owner never runs on another CPU meanwhile: its I/O bitmap and TLB there
 * are reloaded before it runs again (the stamp below, CR3 reloads).
 */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <stdint.h>
#include <stdbool.h>
#include <keel/pci.h>

struct domain;
struct vcpu;
struct hc_args;

/* ---- pci_cfg.c (pure) ---- */
#define PCI_CFG_SIZE   256u
#define PCI_GUARDS_MAX 8u

/* Configuration bytes the owner may never change: the capabilities that
 * would retarget the function's DMA or interrupts or reset it. */
struct pci_cfg_guard {
    unsigned n;
    struct { uint8_t start, len; } r[PCI_GUARDS_MAX];
};

/* or-ed into keel_pci_bar.type by pci_bar_decode: the BAR answers
 * nonsense (a size that is not a power of two, a misaligned base, a
 * reserved type) and its function is never lent */
#define PCI_BAR_BROKEN 0x100u

/* Where a function's MSI-X table is.  cap 0: no MSI-X the hypervisor can
 * lend (no capability, or a table not inside a memory BAR MAP_BAR maps). */
#define PCI_MSIX_ENTRY_SIZE 16u
struct pci_msix_loc {
    uint8_t cap;            /* the capability's offset */
    uint8_t bar;            /* the BAR that holds the table */
    uint16_t entries;
    uint32_t offset;        /* of the table in that BAR */
};

/* BAR from its value and what reads back after writing all ones (lo,
 * mask_lo), and for a 64-bit BAR the next register's (hi, mask_hi; else
 * ignored).  Returns the registers it used: 2 for a 64-bit BAR, else 1. */
unsigned pci_bar_decode(uint32_t lo, uint32_t mask_lo, uint32_t hi, uint32_t mask_hi,
                        struct keel_pci_bar *b);
/* The command register of a quiesced function: no I/O or memory decoding,
 * no bus mastering, INTx disabled; the other bits as they were. */
uint32_t pci_cmd_quiesced(uint32_t cmd);
/* The guarded capabilities of a type-0 function's configuration space. */
void pci_cfg_guards(const uint8_t cfg[PCI_CFG_SIZE], struct pci_cfg_guard *g);
/* The MSI-X table of a type-0 function whose BARs are decoded. */
void pci_msix_locate(const uint8_t cfg[PCI_CFG_SIZE], const struct keel_pci_bar bar[KEEL_PCI_BARS],
                     struct pci_msix_loc *m);
/* Page at byte `off` (page-aligned) of BAR `bar` holds part of the table:
 * MAP_BAR maps it read-only. */
bool pci_msix_table_page(const struct pci_msix_loc *m, unsigned bar, uint64_t off);
/* size 1, 2 or 4, offset a multiple of size, inside the 256 bytes. */
bool pci_cfg_access_ok(uint32_t offset, uint32_t size);
/* Whether the owner may write val over cur (the size bytes at offset now);
 * offset and size already pass pci_cfg_access_ok. */
bool pci_cfg_write_ok(const struct pci_cfg_guard *g, unsigned offset,
                      unsigned size, uint32_t cur, uint32_t val);

/* ---- pci.c ---- */
#define PCI_MAX_FUNCS       KEEL_PCI_MAX_FUNCS  /* more are ignored (and said at boot) */
#define PCI_DOM_PORT_RANGES 16u     /* I/O BARs one domain may own */

struct pci_port_range {
    uint16_t base, len;
};

/* What an owner holds: part of every struct domain (made at CREATE, so
 * lending allocates no record; it fits the struct's heap class). */
struct pci_dom {
    uint64_t io_stamp;      /* new whenever ports changes; unique, never 0 */
    unsigned nports;
    struct pci_port_range ports[PCI_DOM_PORT_RANGES];
    unsigned nfuncs;        /* functions owned now */
    uint32_t mmio_tables;   /* PTs its BAR window took, kept until DESTROY */
    uint32_t dma_pages;     /* DMA pages, kept until DESTROY */
};

struct pci_func {
    struct keel_pci_info info;   /* as found at boot; owner etc. kept here */
    struct pci_cfg_guard guard;
    struct pci_msix_loc msix;    /* found at boot */
    volatile uint32_t *msix_table;   /* the hypervisor's mapping, made at
                                        boot; NULL: no MSI-X to lend */
    struct domain *owner;        /* NULL: not lent */
    uint8_t mapped;              /* BARs mapped (bit i: BAR i) */
    uint16_t msix_bound;         /* MSI-X entries bound (under irq_lock) */
};

/* Boot CPU, before anything else touches PCI, after the ACPI tables are
 * read: scan, size the BARs, decide what is kept. */
void pci_init(void);
/* The hypervisor's own devices (kept): the first function with these ids,
 * or NULL; and turning its memory decoding on. */
const struct pci_func *pci_func_by_id(uint16_t vendor, uint16_t device);
void pci_memory_decode_on(const struct pci_func *f);
/* DESTROY, once d's vCPU has left every CPU and its ports are closed:
 * quiesce and take back everything d was lent.  Before its memory goes. */
void pci_domain_release(struct domain *d);
/* d owns a function now: it may DMA (hv/common/pci.c says why this holds
 * while d's own call runs). */
bool pci_owns_a_function(const struct domain *d);
/* The rest is for pci_*.c.  The table: filled by pci_scan.c at boot,
 * never reshaped; owners and mappings change under pci_lock. */
extern struct pci_func pci_funcs[PCI_MAX_FUNCS];
extern unsigned pci_nfuncs;
void pci_table_lock(void);
void pci_table_unlock(void);
struct pci_func *pci_func_find(uint32_t bdf);
unsigned pci_func_index(const struct pci_func *f);
long pci_list(uint32_t index, struct keel_pci_info *out);
long pci_assign(struct domain *caller, struct pci_func *f, uint32_t domid);
long pci_release(struct domain *d, struct pci_func *f);
uint32_t pci_cfg_read(const struct pci_func *f, unsigned off, unsigned size);
long pci_cfg_write(struct pci_func *f, unsigned off, unsigned size, uint32_t val);
/* A function the hypervisor keeps raises f's INTx line too. */
bool pci_line_shared_with_kept(const struct pci_func *f);

/* ---- pci_mem.c ---- */
/* Page tables that mapping every memory BAR of f would add to d's BAR
 * window, and whether d's mmio_pages hold `more` beside those it took. */
uint32_t pci_func_tables_missing(const struct domain *d, const struct pci_func *f);
bool pci_mmio_room(const struct domain *d, uint32_t more);
long pci_map_bar(struct domain *d, struct pci_func *f, uint32_t bar,
                 uint64_t *va, uint64_t *npages);
long pci_unmap_bar(struct domain *d, struct pci_func *f, uint32_t bar);
long pci_dma_alloc(struct domain *d, uint64_t npages, uint64_t *va, uint64_t *maddr);
long pci_translate(struct domain *d, uint64_t va, uint64_t *maddr, uint64_t *contig);

/* ---- pci_irq.c ---- */
/* Interrupt slots, each an event channel's pirq: INTx lines first, then
 * MSI-X vectors (the arch gives slot s vector VEC_PCI_FIRST + s). */
#define PCI_IRQ_SLOTS (KEEL_PCI_IRQ_LINES + KEEL_PCI_MSIX_VECTORS)
long pci_irq_bind(struct domain *d, struct pci_func *f);
long pci_msix_bind(struct domain *d, struct pci_func *f, uint32_t entry);
/* cmd: KEEL_PCIOP_IRQ_ACK, _MASK or _UNMASK */
long pci_irq_control(struct domain *d, const struct pci_func *f, uint32_t cmd);
/* Closes the function's interrupt ports, if it has any (RELEASE). */
void pci_irq_unbind_func(struct domain *d, const struct pci_func *f);
/* The event channel code closed PIRQ port `slot` of d: free the line.
 * Under d's evtchn lock. */
void pci_irq_port_closed(struct domain *d, unsigned slot);

/* ---- pci_msix.c, under irq_lock (but pci_msix_off) ---- */
/* Entry e sends (addr, data), unmasked; the first entry bound masks every
 * other one and enables MSI-X. */
void pci_msix_entry_on(struct pci_func *f, unsigned e, uint64_t addr, uint32_t data);
/* Entry e masked; the last one bound disables MSI-X. */
void pci_msix_entry_off(struct pci_func *f, unsigned e);
/* MSI-X disabled, whatever is bound (quiesce: nothing is). */
void pci_msix_off(const struct pci_func *f);

/* ---- pci_op.c ---- */
long hc_pci_op(struct vcpu *v, const struct hc_args *args);

/* ---- arch ---- */
/* Configuration space of bdf (mechanism #1: any bus, 256 bytes). */
uint32_t arch_pci_cfg_read(uint32_t bdf, unsigned off, unsigned size);
void arch_pci_cfg_write(uint32_t bdf, unsigned off, unsigned size, uint32_t v);
/* [base, base + size) may be lent as device memory: not RAM nor the
 * firmware's low megabyte nor the IOAPIC/HPET/LAPIC range. */
bool arch_mmio_lendable(uint64_t base, uint64_t size);
/* d's ports changed (pci_dom.io_stamp): reload this CPU's I/O bitmap if
 * d's vCPU is the one whose state is live here. */
void arch_io_ports_changed(struct domain *d);
/* Boot: make ISA IRQ `line`'s IOAPIC ready for arch_pci_irq_route. */
void arch_pci_irq_prepare(unsigned line);
/* Interrupt slot `slot` (< KEEL_PCI_IRQ_LINES): route ISA IRQ `line`, as
 * the MADT says, to the slot's vector on the boot CPU, masked.  0, or
 * -KEEL_ENODEV (no route), -KEEL_EBUSY (its pin is the hypervisor's or
 * another slot's). */
int arch_pci_irq_route(unsigned slot, unsigned line);
void arch_pci_irq_mask(unsigned slot, bool masked);
void arch_pci_irq_unroute(unsigned slot);
/* The MSI message for interrupt slot `slot` (an MSI-X one): its vector,
 * fixed delivery to the boot CPU, edge.  0, or -KEEL_ENODEV (the boot
 * CPU cannot be named in a message). */
int arch_pci_msi_message(unsigned slot, uint64_t *addr, uint32_t *data);
/* Boot: the hypervisor's own uncached mapping of device memory. */
volatile void *arch_mmio_map(uint64_t pa, uint64_t len);
/* from arch: the slot's interrupt came (EOI sent; an INTx slot's pin is
 * masked) */
__attribute__((noreturn)) void hv_pci_interrupt(unsigned slot);

#endif /* HV_PCI_H */

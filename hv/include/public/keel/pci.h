/*
 * Lent PCI devices: KEEL_HC_PCI_OP(uint32_t cmd, struct keel_pci_op *op).
 *
 * The hypervisor drives no device for a guest; it lends whole PCI functions
 * to one domain at a time (docs/devices.md).  The privileged domain lists
 * the functions the hypervisor found at boot and ASSIGNs one to itself or
 * to a guest it is building; from then on that domain, the OWNER, and only
 * it, reaches the function:
 *
 *   - its configuration space through CFG_READ / CFG_WRITE (some writes are
 *     refused, see "Configuration writes");
 *   - the ports of its I/O BARs with plain in/out instructions in ring 3.
 *     The hypervisor opens exactly those ports in the owner's I/O
 *     permission bitmap; every other port (and cli/sti: IOPL stays 0) is a
 *     #GP, which crashes the domain like any fault;
 *   - its memory BARs through MAP_BAR: mapped uncached, read-write, never
 *     executable, at an address the hypervisor chooses in the owner's
 *     KEEL_PCI_MMIO_VA window;
 *   - its interrupts as event channel ports: INTx (BIND_IRQ) or MSI-X
 *     table entries (BIND_MSIX);
 *   - DMA: the machine addresses of its own pages (TRANSLATE), of pages
 *     other domains grant it (keel/grant_table.h, MAP with
 *     KEEL_GRANT_MAP_DEVICE: the grant stays pinned, so the frame stays
 *     the granter's page, until UNMAP) and physically contiguous memory
 *     with known addresses (DMA_ALLOC).
 *
 * THERE IS NO IOMMU.  A device that may master the bus reads and writes any
 * machine address, so lending a device means trusting the owner's driver
 * with the whole machine.  The checks below keep a hostile *non-owner*
 * away from the device, and keep a buggy owner from reaching other devices
 * through the hypervisor; they cannot keep an owner from programming its
 * device to DMA anywhere.
 *
 * Functions the hypervisor keeps are never lent (-KEEL_EACCES): host and
 * other bridges (class 0x06: the host bridge, the ISA bridge, PCI-PCI
 * bridges), the ivshmem device of keel run's host I/O path (1af4:1110), and
 * any function a BAR of which could not be lent safely (ports below
 * KEEL_PCI_IO_MIN, memory BARs that overlap RAM, the IOAPIC/LAPIC range,
 * another function's BAR, or are not whole pages).  The PCI configuration
 * ports, the serial line, the IOAPIC and the LAPIC are never reachable.
 *
 * Commands.  Fields a command neither reads (i) nor writes (o) must be 0
 * (-KEEL_EINVAL); `info` is output only and ignored on input.  bdf is
 * KEEL_PCI_BDF(bus, device, function).
 *
 *   LIST(index) -> 0, o: info        privileged; index 0, 1, ... until
 *        -KEEL_ENOENT.  Every function found at boot, the kept ones too
 *        (KEEL_PCI_F_KEPT, BARs not shown).  The index is stable for the
 *        machine's life.
 *   ASSIGN(bdf, domid) -> 0          privileged.  domid: KEEL_DOMID_SELF
 *        (or the caller's id), or a guest that is paused and has never run
 *        (-KEEL_EBUSY otherwise; -KEEL_ESRCH: no such domain; -KEEL_EPERM:
 *        another privileged domain).  The function must exist
 *        (-KEEL_ENODEV), not be kept (-KEEL_EACCES) nor assigned already
 *        (-KEEL_EBUSY).  -KEEL_ENOSPC: the target's mmio_pages leave no
 *        room for its memory BARs (see "What lending costs"), or it would
 *        own more than 16 I/O BARs.  It is handed over quiesced: I/O and
 *        memory decoding and bus mastering off, INTx disabled (command
 *        register); the owner turns on what it uses with CFG_WRITE.
 *   RELEASE(bdf) -> 0                owner.  Closes the interrupt's port,
 *        unmaps the BARs, closes the ports, quiesces the function.
 *        Destroying the owner does the same.  Nobody else can take a lent
 *        function back: to do so, destroy its owner.
 *   CFG_READ(bdf, offset, size) -> 0, o: value      owner.
 *   CFG_WRITE(bdf, offset, size, value) -> 0        owner.
 *        size 1, 2 or 4, offset a multiple of size below 256 (-KEEL_EINVAL).
 *   MAP_BAR(bdf, index) -> 0, o: va, npages         owner.  index < 6 must
 *        be a memory BAR (-KEEL_EINVAL otherwise) of at most
 *        KEEL_PCI_BAR_MAP_MAX bytes (-KEEL_E2BIG); -KEEL_EEXIST if mapped.
 *        The whole BAR is mapped at va = KEEL_PCI_MMIO_VA +
 *        (LIST index * 8 + BAR index) * KEEL_PCI_BAR_MAP_MAX.
 *        -KEEL_ENOSPC beyond the owner's mmio_pages (never for a function
 *        ASSIGN gave it: ASSIGN checked).  The pages that hold the function's
 *        MSI-X table are mapped read-only (see "MSI-X").
 *   UNMAP_BAR(bdf, index) -> 0                      owner; -KEEL_ENOENT if
 *        not mapped.
 *   BIND_IRQ(bdf) -> port            owner.  A new event channel port in
 *        the owner's space, state KEEL_EVTCHNSTAT_PIRQ, bound to the
 *        function's INTx line (the ISA IRQ in its Interrupt Line register,
 *        routed as the ACPI MADT says; PCI's level trigger).  -KEEL_ENODEV:
 *        no interrupt pin, or no route; -KEEL_EEXIST: bound already;
 *        -KEEL_EBUSY: the line is shared with another bound function, with
 *        a function the hypervisor keeps, or with the hypervisor's own
 *        devices (timer, cascade, COM1); -KEEL_ENOSPC: the hypervisor's
 *        KEEL_PCI_IRQ_LINES are all in use.  Closing the port
 *        (KEEL_EVTCHNOP_CLOSE) unbinds the line.
 *        -KEEL_EBUSY too while an MSI-X entry of the function is bound.
 *   IRQ_ACK(bdf) -> 0                owner.  See "Interrupts".
 *   IRQ_MASK(bdf), IRQ_UNMASK(bdf) -> 0             owner.
 *        -KEEL_ENOENT for these three when the INTx interrupt is not bound
 *        (they never act on MSI-X entries).
 *   BIND_MSIX(bdf, index) -> port    owner.  A new event channel port in
 *        the owner's space, state KEEL_EVTCHNSTAT_PIRQ, bound to entry
 *        `index` of the function's MSI-X table (see "MSI-X").
 *        -KEEL_ENODEV: the function has no MSI-X capability the hypervisor
 *        can use (none, or its table is not inside a memory BAR it could
 *        lend); -KEEL_EINVAL: index is not below the table's size;
 *        -KEEL_EEXIST: that entry is bound already; -KEEL_EBUSY: the
 *        function's INTx is bound (BIND_IRQ): one or the other;
 *        -KEEL_ENOSPC: the owner has bound as many entries as its share,
 *        limits.msix_vectors (keel/domctl.h: 0 for a guest unless its
 *        toolstack gave it one, the whole pool for the privileged
 *        domain), the machine's KEEL_PCI_MSIX_VECTORS are all in use, or
 *        the owner has no event channel port left.  Closing the port
 *        (KEEL_EVTCHNOP_CLOSE, RELEASE, the owner's DESTROY) masks the
 *        entry and gives the vector back, to the pool and to the share.
 *   DMA_ALLOC(npages) -> 0, o: va, maddr            any domain that owns a
 *        function (-KEEL_EPERM otherwise).  npages (1 ..
 *        KEEL_PCI_DMA_CHUNK_MAX, -KEEL_EINVAL) zeroed, machine-contiguous
 *        pages starting at maddr, mapped read-write (never executable) at
 *        va in the KEEL_PCI_DMA_VA window, for the domain's life.  At most
 *        the domain's limits.dma_pages over its life (-KEEL_ENOSPC, also
 *        with the default 0); -KEEL_ENOMEM when the machine has no free
 *        contiguous run that long (the pages are reserved for the domain,
 *        but not as one run: ask for smaller chunks, nothing was taken).
 *   TRANSLATE(va) -> 0, o: maddr, contig            any domain that owns a
 *        function.  maddr is the machine address of va (any byte of a page
 *        of the caller's own memory: its pages at KEEL_GUEST_BASE and its
 *        DMA pages; -KEEL_EACCES for any other page, such as the shared-info
 *        page, granted pages, shared module pages and BAR mappings;
 *        -KEEL_EFAULT when nothing is mapped there).  contig is how many
 *        bytes from va on are machine-contiguous and the caller's own, at
 *        most KEEL_PCI_CONTIG_MAX.  A page keeps its machine address for
 *        the domain's life.
 *
 * Who may call: LIST and ASSIGN are privileged only (-KEEL_EPERM).  Every
 * command with a bdf first checks it: above 0xffff -KEEL_EINVAL, no such
 * function -KEEL_ENODEV, then (but ASSIGN) the caller must own it
 * (-KEEL_EACCES, whoever the caller is).  DMA_ALLOC and TRANSLATE need no
 * bdf but an owned function (-KEEL_EPERM).  -KEEL_EFAULT: op not readable,
 * or (commands with o: fields) not writable.  -KEEL_ENOSYS: unknown cmd.
 *
 * Configuration writes.  The owner may write what a driver needs and
 * nothing that would move the function, retarget its interrupts or
 * reach other hardware.  A write is refused whole (-KEEL_EACCES, nothing
 * written) when it would change any bit but these:
 *   0x04 command   I/O space, memory space, bus master (bits 0-2) and INTx
 *                  disable (bit 10);
 *   0x06 status    any (its error bits are write-1-to-clear);
 *   0x0c, 0x0d     cache line size, latency timer;
 *   0x40 .. 0xff   anything outside the power management, MSI, PCI Express
 *                  and MSI-X capabilities.
 * So BARs cannot be moved nor sized (LIST gives their sizes), the
 * expansion ROM cannot be enabled, the Interrupt Line stays as the firmware
 * set it, the function cannot be put into D3 or reset (which would lose
 * its BARs), and MSI and MSI-X cannot be enabled nor masked: the
 * hypervisor alone writes the MSI-X capability (BIND_MSIX), and MSI is
 * not delivered at all.  Writing back the value just read is always
 * allowed.
 *
 * What lending costs.  Everything the hypervisor allocates for an owner
 * comes out of the reserve CREATE took for its limits (keel/domctl.h,
 * struct keel_domain_limits: dma_pages, mmio_pages), so it never fails for
 * want of memory and never takes another domain's:
 *   - DMA_ALLOC: the pages and the page tables of the KEEL_PCI_DMA_VA
 *     window, up to dma_pages pages (0 unless the toolstack set it);
 *   - MAP_BAR: the page tables of the BAR's place, one per 2 MiB of it
 *     (KEEL_PCI_MMIO_STEP pages of mmio_pages), made at its first MAP_BAR
 *     and kept until the owner is destroyed (UNMAP_BAR and RELEASE keep
 *     them; mapping the BAR again, even after a new ASSIGN, takes
 *     nothing);
 *   - BIND_IRQ, BIND_MSIX: one event channel port of its evtchn_ports;
 *     BIND_MSIX also one of the machine's KEEL_PCI_MSIX_VECTORS, at most
 *     its msix_vectors of them at once (a share, not a reserve: the
 *     toolstack keeps the shares within the pool, so that no owner can
 *     take the vectors of another);
 *   - the record of its ports and functions is part of every domain;
 *   - a grant pinned for its device (KEEL_GRANT_MAP_DEVICE): one handle
 *     of its grant_maps, no page table; the frame stays the granter's.
 * ASSIGN is -KEEL_ENOSPC unless the target's mmio_pages hold, beside the
 * tables its BAR window has already, every memory BAR of every function it
 * would own (keel_pci_mmio_pages of each, less what is there already), so
 * MAP_BAR never meets the limit for a function ASSIGN gave.  A guest
 * created with the default limits can be lent only functions without
 * memory BARs, and cannot DMA_ALLOC.  DMA pages and BAR tables come back
 * when the owner is destroyed.
 *
 * Interrupts.  When the line is asserted the hypervisor masks it at the
 * IOAPIC and marks the port pending; the line stays masked until the owner
 * has made its device drop the line (for legacy virtio: read the ISR
 * register) and calls IRQ_ACK.  If the device still asserts the line the
 * interrupt comes again at once.  IRQ_MASK keeps the line masked whatever
 * happens, IRQ_UNMASK lifts that (an interrupt that came before IRQ_ACK
 * still needs IRQ_ACK).  A line starts unmasked, not in service.  Event
 * masking in the shared-info page only delays the upcall, as for any port.
 *
 * MSI-X.  The hypervisor owns the function's MSI-X table and capability:
 *   - the pages of the memory BAR that hold the table are mapped READ-ONLY
 *     by MAP_BAR (a write there is a page fault, which crashes the owner;
 *     the PCI specification keeps other registers out of the table's 4 KiB
 *     pages, and the pending-bit array may share them: it is read-only
 *     anyway); the rest of the BAR is read-write as before;
 *   - BIND_MSIX writes the entry's message itself (a vector of its own,
 *     delivered to the boot CPU), unmasks it, and at the first entry bound
 *     masks every other entry and enables MSI-X; closing the last entry's
 *     port disables MSI-X again (the function interrupts through INTx
 *     then, if at all).  The owner cannot write the capability
 *     ("Configuration writes"), so it can never make the device send a
 *     message of its choosing through the table;
 *   - an MSI-X message is an edge: there is nothing to acknowledge and the
 *     entry is never masked while bound (IRQ_ACK and IRQ_MASK are for INTx
 *     only); mask the port in the shared-info page to hold the upcall.  A
 *     message the device sent just before its port was closed can reach
 *     the next port bound to the same vector: like any event, an MSI-X
 *     event may be spurious, and a driver checks its rings.
 * While MSI-X is enabled a legacy virtio function moves its device
 * configuration from offset 20 to 24 of its I/O BAR, and routes each
 * queue and configuration change to the entry its vector registers name
 * (0xffff: no interrupt at all): bind before reading the configuration,
 * set the vectors after each device reset.  The hypervisor reads and
 * writes the table with the function's memory decoding on (it turns it on
 * for that moment if the owner left it off).
 */
#ifndef KEEL_PUBLIC_PCI_H
#define KEEL_PUBLIC_PCI_H

#include "abi.h"

#define KEEL_PCI_BDF(bus, dev, fn) (((bus) << 8) | ((dev) << 3) | (fn))
#define KEEL_PCI_BUS(bdf)          (((bdf) >> 8) & 0xff)
#define KEEL_PCI_DEV(bdf)          (((bdf) >> 3) & 0x1f)
#define KEEL_PCI_FN(bdf)           ((bdf) & 7)

/* commands */
#define KEEL_PCIOP_LIST        1
#define KEEL_PCIOP_ASSIGN      2
#define KEEL_PCIOP_RELEASE     3
#define KEEL_PCIOP_CFG_READ    4
#define KEEL_PCIOP_CFG_WRITE   5
#define KEEL_PCIOP_MAP_BAR     6
#define KEEL_PCIOP_UNMAP_BAR   7
#define KEEL_PCIOP_BIND_IRQ    8
#define KEEL_PCIOP_IRQ_ACK     9
#define KEEL_PCIOP_IRQ_MASK   10
#define KEEL_PCIOP_IRQ_UNMASK 11
#define KEEL_PCIOP_DMA_ALLOC  12
#define KEEL_PCIOP_TRANSLATE  13
#define KEEL_PCIOP_BIND_MSIX  14

/* limits */
#define KEEL_PCI_BARS          6
#define KEEL_PCI_IO_MIN        0x1000u          /* lower ports: never lent */
#define KEEL_PCI_BAR_MAP_MAX   (16ull << 20)    /* bytes one MAP_BAR maps */
#define KEEL_PCI_MAX_FUNCS     64u              /* LIST indices are below it */
#define KEEL_PCI_MMIO_STEP     512u             /* mmio_pages per 2 MiB of a BAR */
#define KEEL_PCI_MMIO_MAX_PAGES 16384u          /* largest limits.mmio_pages */
#define KEEL_PCI_DMA_CHUNK_MAX 512u             /* pages per DMA_ALLOC (2 MiB) */
#define KEEL_PCI_DMA_MAX_PAGES 4096u            /* largest limits.dma_pages (16 MiB) */
#define KEEL_PCI_CONTIG_MAX    (2ull << 20)     /* TRANSLATE looks this far */
#define KEEL_PCI_IRQ_LINES     16u              /* bound INTx lines, machine-wide */
#define KEEL_PCI_MSIX_VECTORS  32u              /* bound MSI-X entries, machine-wide;
                                                   largest limits.msix_vectors */

/* info.flags */
#define KEEL_PCI_F_KEPT        1u   /* the hypervisor's: never lent */
#define KEEL_PCI_F_ASSIGNED    2u   /* lent to info.owner */
#define KEEL_PCI_F_MULTIFN     4u   /* function 0 of a multi-function device */

/* bar[i].type; a 64-bit BAR is bar[i] (KEEL_PCI_BAR_MEM64), and bar[i + 1]
 * is its upper half (KEEL_PCI_BAR_NONE, size 0) */
#define KEEL_PCI_BAR_NONE      0
#define KEEL_PCI_BAR_IO        1
#define KEEL_PCI_BAR_MEM32     2
#define KEEL_PCI_BAR_MEM64     3
#define KEEL_PCI_BAR_PREFETCH  0x10u   /* or-ed into a memory type */

struct keel_pci_bar {
    uint64_t base;            /* port or machine address */
    uint64_t size;            /* bytes (ports); 0: unused */
    uint32_t type;            /* KEEL_PCI_BAR_* */
    uint32_t pad;
};

struct keel_pci_info {
    uint16_t bdf;
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_device;   /* virtio legacy: the device type */
    uint8_t  revision;
    uint8_t  header_type;     /* without the multi-function bit */
    uint32_t class_code;      /* class << 16 | subclass << 8 | prog-if */
    uint16_t command;         /* the command register now */
    uint8_t  irq_pin;         /* 0 none, 1..4 INTA..INTD */
    uint8_t  irq_line;        /* ISA IRQ the firmware routed it to; 0xff none */
    uint32_t flags;           /* KEEL_PCI_F_* */
    uint16_t owner;           /* KEEL_PCI_F_ASSIGNED: its domain */
    uint16_t pad;
    struct keel_pci_bar bar[KEEL_PCI_BARS];
};

/* Field use per command: see the table above. */
struct keel_pci_op {
    uint32_t bdf;             /* i: every command but LIST, DMA_ALLOC, TRANSLATE */
    uint32_t domid;           /* i: ASSIGN */
    uint32_t index;           /* i: LIST (function), MAP_BAR UNMAP_BAR (BAR),
                                    BIND_MSIX (table entry) */
    uint32_t offset;          /* i: CFG_READ CFG_WRITE */
    uint32_t size;            /* i: CFG_READ CFG_WRITE */
    uint32_t value;           /* i: CFG_WRITE; o: CFG_READ */
    uint64_t va;              /* i: TRANSLATE; o: MAP_BAR DMA_ALLOC */
    uint64_t npages;          /* i: DMA_ALLOC; o: MAP_BAR */
    uint64_t maddr;           /* o: DMA_ALLOC TRANSLATE */
    uint64_t contig;          /* o: TRANSLATE */
    struct keel_pci_info info;   /* o: LIST */
};

/* The mmio_pages (keel/domctl.h) that mapping BAR b takes: its size
 * rounded up to 2 MiB, in pages; 0 for a BAR MAP_BAR does not map (I/O,
 * unused, or over KEEL_PCI_BAR_MAP_MAX). */
static inline uint32_t keel_pci_bar_mmio_pages(const struct keel_pci_bar *b)
{
    const uint64_t step = KEEL_PCI_MMIO_STEP * 4096ull;
    uint32_t kind = b->type & 0xfu;

    if ((kind != KEEL_PCI_BAR_MEM32 && kind != KEEL_PCI_BAR_MEM64) || b->size == 0 ||
        b->size > KEEL_PCI_BAR_MAP_MAX)
        return 0;
    return (uint32_t)((b->size + step - 1) / step) * KEEL_PCI_MMIO_STEP;
}

/* The mmio_pages a domain needs to map every memory BAR of the function
 * LIST described as info at once: what ASSIGN asks of it. */
static inline uint32_t keel_pci_mmio_pages(const struct keel_pci_info *info)
{
    uint32_t n = 0;

    for (unsigned i = 0; i < KEEL_PCI_BARS; i++)
        n += keel_pci_bar_mmio_pages(&info->bar[i]);
    return n;
}

#endif /* KEEL_PUBLIC_PCI_H */

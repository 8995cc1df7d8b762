/*
 * Domain control: KEEL_HC_DOMCTL(struct keel_domctl *op).
 *
 * For the privileged domain only; every other caller gets -KEEL_EPERM before
 * anything in *op is looked at.  op->abi_version must equal KEEL_ABI_VERSION
 * (-KEEL_EINVAL otherwise).  The hypervisor copies *op in, acts, and copies
 * it back out (so OUT fields are returned in place).  Every id, address and
 * count is checked; a bad one yields an error and changes nothing.
 *
 * Domain life cycle:
 *
 *   CREATE -> paused -- UNPAUSE --> running <-> blocked
 *                 ^---- PAUSE -------'  |
 *   running --shutdown hypercall--> SHUTDOWN (exit code kept)
 *   running --fault in ring 3----> CRASHED  (crash record kept)
 *   any state -- DESTROY --> gone, every frame returned
 *
 * On SHUTDOWN and CRASHED the hypervisor raises KEEL_VIRQ_DOM_EXC (bind it:
 * keel/event_channel.h) and, for older privileged domains, sets
 * KEEL_PENDING_DOMAIN in the privileged domain's shared info and wakes it.
 * Neither says which domain: GET_INFO tells.
 */
#ifndef KEEL_PUBLIC_DOMCTL_H
#define KEEL_PUBLIC_DOMCTL_H

#include "abi.h"
#include "pci.h"

#define KEEL_DOMCTL_CREATE         1  /* IN mem_pages, flags, limits; OUT domid */
#define KEEL_DOMCTL_DESTROY        2  /* IN domid */
#define KEEL_DOMCTL_PAUSE          3  /* IN domid */
#define KEEL_DOMCTL_UNPAUSE        4  /* IN domid (needs a vCPU context) */
#define KEEL_DOMCTL_MAP_FOREIGN    5  /* IN domid, gva, npages; OUT va */
#define KEEL_DOMCTL_UNMAP_FOREIGN  6  /* IN va, npages (caller's window) */
#define KEEL_DOMCTL_SET_RIGHTS     7  /* IN domid, gva, npages, rights (never run) */
#define KEEL_DOMCTL_SET_VCPU       8  /* IN domid, context (paused, never run) */
#define KEEL_DOMCTL_GET_INFO       9  /* IN domid; OUT info */
#define KEEL_DOMCTL_PHYSINFO      10  /* OUT physinfo */
#define KEEL_DOMCTL_POWEROFF      11  /* IN status: ends the machine */
#define KEEL_DOMCTL_SET_AFFINITY  12  /* IN domid (SELF allowed), affinity.cpu */
#define KEEL_DOMCTL_NEXT_ENDED    13  /* OUT domid */
#define KEEL_DOMCTL_MAP_MODULE    14  /* IN domid, gva, npages, module, offset, rights */
#define KEEL_DOMCTL_CPU_INFO      15  /* IN cpu_info.cpu; OUT cpu_info */
#define KEEL_DOMCTL_SET_STACK     16  /* IN domid, set_stack.gva, npages (never run) */

/* CREATE: a paused domain with mem_pages pages of memory and the given
 * limits (struct keel_domain_limits, below; all 0 for the defaults).
 * Besides the domain's memory and the fixed structures CREATE makes at once
 * (page tables of that memory, shared info, vCPU), it reserves
 * keel_domain_hv_frames(&limits) frames for everything the hypervisor will
 * ever allocate for the domain later: every such allocation comes out of
 * that reserve, so none fails for lack of memory while the domain keeps to
 * its limits, and no domain can take memory reserved for another.
 * -KEEL_ENOMEM when the free frames that no domain has reserved
 * (physinfo.free_frames - physinfo.reserved_frames) cannot hold the domain's
 * memory, about mem_pages / 256 + 16 frames for CREATE's own structures,
 * and the reserve; -KEEL_EINVAL for a limit above its maximum, a
 * foreign_pages that is not 0, an mmio_pages that is not a multiple of
 * KEEL_PCI_MMIO_STEP, or flags other than KEEL_CREATE_ON_DEMAND or pads
 * (limits.pad too) that are not 0.
 *
 * flags KEEL_CREATE_ON_DEMAND: mem_pages is the range of the domain's
 * memory and the most frames it may hold, but CREATE backs none of it
 * (and asks the machine for none of it): the toolstack backs what the
 * domain needs to start with MEMORY_OP (domid = the new domain, before it
 * first runs), and the domain asks for the rest itself (keel/memory.h). */
#define KEEL_CREATE_ON_DEMAND  1u

/* MAP_MODULE: the guest's pages [gva, gva + npages pages) become boot
 * module `module`'s pages [offset, offset + npages) (offset in pages from
 * the module's start, as dom0 sees it at KEEL_DOM0_MODULE_VA): every guest
 * of one image shares the frames of its read-only segments instead of a
 * copy each.  The guest's own frames there are freed at once.
 *
 * Only for a guest that is paused and has never run (-KEEL_EBUSY
 * otherwise, and while dom0 holds a foreign mapping of it).  rights is
 * KEEL_RIGHT_R, optionally with KEEL_RIGHT_X; KEEL_RIGHT_W is refused
 * (-KEEL_EACCES); R missing or other bits set: -KEEL_EINVAL.  gva must
 * be page aligned with the range inside the guest's memory, offset +
 * npages inside the module's whole pages (never its last partial page:
 * what follows the module's bytes there is not the module's), the module
 * an existing boot module, npages > 0 (-KEEL_EINVAL), and every page of the
 * range the guest's own (never shared before; -KEEL_EEXIST otherwise).
 * All or nothing: on an error no page has changed.
 *
 * A shared page stays shared until DESTROY, which never frees its frame.
 * It is never writable by anyone: SET_RIGHTS with KEEL_RIGHT_W on it fails
 * (-KEEL_EACCES, nothing changed; R, R+X and 0 are fine), MAP_FOREIGN of
 * a range holding one fails (-KEEL_EINVAL), a guest cannot grant it
 * (MAP/COPY of such a grant: -KEEL_EINVAL), and the hypervisor never
 * writes it (a hypercall output buffer there: -KEEL_EFAULT). */

/* SET_STACK: the guest's pages [gva, gva + npages pages) are its stack,
 * backed on first touch: a page of the range that has no frame gets a
 * zeroed one (rw- NX, the guest's own, counted in mem_frames like
 * MEMORY_OP INCREASE) when the guest's own code or a hypercall it makes
 * first reads or writes it, so a guest holds frames only for the stack it
 * has used.  The toolstack backs the top pages it wants ready at once and
 * keeps an unbacked page below gva outside the range: the guard page, on
 * which an overflowing guest dies alone (a page fault), as does a guest
 * whose touch cannot be backed (its maximum reached, or the machine out of
 * frames that no domain's reserve holds: the same rule as INCREASE).
 * Pages the guest gave back (DECREASE) are backed again when touched; a
 * page PROTECT lowered stays as it is.  One range per domain; a second
 * call replaces it.  Only for a guest that is paused and has never run
 * (-KEEL_EBUSY otherwise); gva page aligned, npages > 0 and the range
 * inside the guest's memory, pad 0 (-KEEL_EINVAL).  A domain without a
 * range (dom0, and every guest by default) has its memory backed only by
 * CREATE and MEMORY_OP. */

/* NEXT_ENDED: the next domain, in order, that shut down or crashed since
 * the previous call; the input domid is ignored.  -KEEL_ENOENT: none left.
 * -KEEL_ENOSPC (once): more ended than the hypervisor could remember, some
 * were dropped: ask every domain with GET_INFO instead.  An id is a hint:
 * the domain may have been destroyed (or the id reused) since, so check it
 * with GET_INFO.  Drain it after each KEEL_VIRQ_DOM_EXC. */

/* SET_AFFINITY: the domain's vCPU runs only on physical CPU affinity.cpu
 * (< physinfo.nr_cpus, else -KEEL_EINVAL), or anywhere with KEEL_CPU_ANY
 * (the default).  Takes effect at the vCPU's next pass through the
 * scheduler (at once for the caller itself: it moves before it returns to
 * ring 3).  Any domain, the caller included; meant for measurements and
 * for placing backends next to their frontends. */
#define KEEL_CPU_ANY  0xffffffffu

/* CPU_INFO: what physical CPU cpu_info.cpu (< physinfo.nr_cpus, else
 * -KEEL_EINVAL; pad must be 0, else -KEEL_EINVAL) has taken since boot:
 * timer_irqs, its hardware timer's interrupts (guest timers and slice
 * ends; the silent re-arm of a deadline beyond the timer's reach is not
 * counted), and kicks, the scheduler's wake-up IPIs it received.  The
 * counts only grow: read twice and subtract.  Meant for measurements,
 * such as how often one guest interrupts the others' CPUs. */
struct keel_cpu_info {
    uint32_t cpu;
    uint32_t pad;
    uint64_t timer_irqs;
    uint64_t kicks;
};

/* SET_RIGHTS: the guest's pages [gva, gva + npages pages) get these
 * rights, keeping their frames.  Only for a guest that has never been
 * unpaused (-KEEL_EBUSY otherwise): a page's rights also bound what its
 * guest may grant (keel/grant_table.h), so they are fixed once it runs.
 *
 * page rights for SET_RIGHTS; 0 = not mapped (guard page).
 * KEEL_RIGHT_W together with KEEL_RIGHT_X is refused (-KEEL_EINVAL). */
#define KEEL_RIGHT_R  1u
#define KEEL_RIGHT_W  2u
#define KEEL_RIGHT_X  4u

/* domain states (info.state) */
#define KEEL_DOMSTATE_PAUSED    1
#define KEEL_DOMSTATE_RUNNING   2   /* runnable, running or blocked */
#define KEEL_DOMSTATE_SHUTDOWN  3   /* exited: info.exit_code */
#define KEEL_DOMSTATE_CRASHED   4   /* faulted: info.crash */

/* crash vectors: 0..31 are x86 exception vectors */
#define KEEL_CRASH_DE     0
#define KEEL_CRASH_UD     6
#define KEEL_CRASH_GP    13
#define KEEL_CRASH_PF    14
#define KEEL_CRASH_ABORT 0x100   /* guest called shutdown(KEEL_SHUTDOWN_CRASH) */

struct keel_cpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct keel_vcpu_context {
    uint64_t rip, rsp, rdi, rsi, rdx;
};

struct keel_crash_info {
    uint32_t vector;          /* KEEL_CRASH_* */
    uint32_t pad;
    uint64_t error_code;      /* as pushed by the CPU (0 if none) */
    uint64_t fault_addr;      /* CR2 for page faults, else 0 */
    struct keel_cpu_regs regs;
};

/*
 * Per-domain limits, set by the toolstack at CREATE (0: the default) and
 * fixed for the domain's life.  Together they bound everything a domain can
 * make the hypervisor allocate for it; reaching one is an error to that
 * domain alone (-KEEL_ENOSPC), never harm to another.
 *
 *   grant_entries  the largest grant table SETUP accepts (nr_entries; more
 *                  is -KEEL_ENOSPC).  Default 512 (one page of entries, the
 *                  libos's table), at most KEEL_GRANT_MAX_ENTRIES.
 *   grant_maps     grant maps it holds at once: handles 0 .. grant_maps - 1
 *                  (one more MAP is -KEEL_ENOSPC).  Default 128, at most
 *                  KEEL_GRANT_MAX_MAPS.  A backend mapping one page of each
 *                  of N frontends needs N.
 *   evtchn_ports   its event-channel ports are 1 .. evtchn_ports (one more
 *                  is -KEEL_ENOSPC, whoever allocates it: the domain, or the
 *                  toolstack with ALLOC_UNBOUND's dom).  Default 255, at
 *                  most KEEL_EVTCHN_PORTS - 1.
 *   foreign_pages  a privileged domain's foreign window, in pages (at most
 *                  KEEL_DOM0_FOREIGN_PAGES; MAP_FOREIGN beyond it is
 *                  -KEEL_ENOSPC).  0 for every domain CREATE makes.
 *   dma_pages      pages KEEL_PCIOP_DMA_ALLOC may give it over its life
 *                  (keel/pci.h; one more is -KEEL_ENOSPC).  Default 0: no
 *                  DMA_ALLOC.  At most KEEL_PCI_DMA_MAX_PAGES.
 *   mmio_pages     its window for lent BARs (KEEL_PCIOP_MAP_BAR), in pages,
 *                  a multiple of KEEL_PCI_MMIO_STEP (512: 2 MiB, what one
 *                  page table maps).  Each memory BAR it maps takes its size
 *                  rounded up to 2 MiB of it, from its first MAP_BAR until
 *                  DESTROY (the BAR's page tables stay: mapping it again
 *                  takes nothing more).  Default 0: ASSIGN refuses it any
 *                  function with a memory BAR (-KEEL_ENOSPC).  At most
 *                  KEEL_PCI_MMIO_MAX_PAGES.  keel_pci_mmio_pages(&info) of
 *                  each function it will be lent is what it needs.
 *                  The toolstack sets these two for a domain it will lend a
 *                  device to (dom0's are in docs/devices.md); a guest that
 *                  is never lent one reserves nothing for them.
 *   msix_vectors   its share of the machine's KEEL_PCI_MSIX_VECTORS: the
 *                  MSI-X entries it may have bound at once (BIND_MSIX,
 *                  keel/pci.h; one more is -KEEL_ENOSPC).  Default 0 for a
 *                  guest: no BIND_MSIX (a driver domain's toolstack gives
 *                  it the vectors of the functions it will lend it); the
 *                  whole pool for the privileged domain.  At most
 *                  KEEL_PCI_MSIX_VECTORS.  Shares bound, they do not
 *                  reserve: a toolstack that keeps the sum of its driver
 *                  domains' shares within the pool (less what the
 *                  privileged domain binds) lets each bind its whole share.
 *   pad            0 (-KEEL_EINVAL otherwise).
 *
 * Who pays: the structures of a grant reference in use (a map or a copy)
 * are the granter's, bounded by its grant_entries; a map's handle and the
 * page tables of the window it is mapped in are the mapper's, bounded by
 * its grant_maps; a port is the domain's whose port space holds it; DMA
 * pages, the page tables that map them and those of the BAR window are
 * the owner's, bounded by its dma_pages and mmio_pages; an MSI-X vector is
 * the binder's, bounded by its msix_vectors.
 */
struct keel_domain_limits {
    uint32_t grant_entries;
    uint32_t grant_maps;
    uint32_t evtchn_ports;
    uint32_t foreign_pages;
    uint32_t dma_pages;
    uint32_t mmio_pages;
    uint32_t msix_vectors;
    uint32_t pad;
};

#define KEEL_DEFAULT_GRANT_ENTRIES 512u
#define KEEL_DEFAULT_GRANT_MAPS    128u
#define KEEL_DEFAULT_EVTCHN_PORTS  255u

/* What the hypervisor keeps per frame of a domain's reserve: records of
 * its grant references in use, its map handles, its ports; and what one
 * page-table page maps (a window's tables are made as it fills). */
#define KEEL_HV_GRANT_RECORDS_PER_FRAME 170u
#define KEEL_HV_MAPS_PER_FRAME          128u
#define KEEL_HV_PORTS_PER_FRAME         256u
#define KEEL_HV_PAGES_PER_TABLE         512u
/* A domain with more maps than this also has a frame for the directory
 * of its map handles' frames. */
#define KEEL_HV_MAPTRACK_DIR_MIN        (2u * KEEL_HV_MAPS_PER_FRAME)

static inline uint64_t keel_limit_or(uint32_t v, uint32_t dflt)
{
    return v ? v : dflt;
}

static inline uint64_t keel_frames_for(uint64_t n, uint64_t per_frame)
{
    return (n + per_frame - 1) / per_frame;
}

/* The page tables of a window of n pages that starts on a 512 GiB
 * boundary: PTs, page directories, one PDPT. */
static inline uint64_t keel_window_tables(uint64_t n)
{
    const uint64_t per = KEEL_HV_PAGES_PER_TABLE;

    return n ? keel_frames_for(n, per) + keel_frames_for(n, per * per) + 1 : 0;
}

/* The page tables of the BAR window for mmio_pages (keel/pci.h): one PT
 * per KEEL_PCI_MMIO_STEP pages, a page directory above each at most but
 * never more than the window's 8 GiB need (a 16 MiB place for each of 8
 * BARs of KEEL_PCI_MAX_FUNCS functions), one PDPT. */
static inline uint64_t keel_mmio_tables(uint64_t mmio_pages)
{
    const uint64_t pds = (uint64_t)KEEL_PCI_MAX_FUNCS * 8 * KEEL_PCI_BAR_MAP_MAX >> 30;
    uint64_t pts = mmio_pages / KEEL_PCI_MMIO_STEP;

    return pts ? pts + (pts < pds ? pts : pds) + 1 : 0;
}

/* The frames CREATE reserves for a domain with limits l: at most what the
 * hypervisor ever allocates for it after CREATE (keel/domctl.h, CREATE). */
static inline uint64_t keel_domain_hv_frames(const struct keel_domain_limits *l)
{
    uint64_t entries = keel_limit_or(l->grant_entries, KEEL_DEFAULT_GRANT_ENTRIES);
    uint64_t maps = keel_limit_or(l->grant_maps, KEEL_DEFAULT_GRANT_MAPS);
    uint64_t ports = keel_limit_or(l->evtchn_ports, KEEL_DEFAULT_EVTCHN_PORTS);

    return keel_frames_for(entries, KEEL_HV_GRANT_RECORDS_PER_FRAME) +
           keel_frames_for(maps, KEEL_HV_MAPS_PER_FRAME) + keel_window_tables(maps) +
           (maps > KEEL_HV_MAPTRACK_DIR_MIN) +
           ports / KEEL_HV_PORTS_PER_FRAME + 1 +     /* ports 0 .. ports */
           keel_window_tables(l->foreign_pages) +
           l->dma_pages + keel_window_tables(l->dma_pages) +
           keel_mmio_tables(l->mmio_pages);
}

struct keel_domain_info {
    uint32_t state;           /* KEEL_DOMSTATE_* */
    int32_t  exit_code;       /* valid in SHUTDOWN */
    uint64_t mem_pages;
    uint64_t cpu_time_ns;     /* time its vCPU has run */
    struct keel_crash_info crash;  /* valid in CRASHED */
    struct keel_domain_limits limits;  /* as set at CREATE, defaults filled in */
    uint64_t hv_frames;       /* frames the hypervisor took for it since CREATE
                                 (DMA pages and their page tables included, and
                                 the page tables MEMORY_OP INCREASE made) */
    uint64_t hv_frames_max;   /* its reserve, keel_domain_hv_frames(&limits),
                                 plus those page tables (keel/memory.h) */
    uint64_t mem_frames;      /* frames backing its memory now (<= mem_pages;
                                 MEMORY_OP changes it, keel/memory.h) */
};

struct keel_physinfo {
    uint64_t total_frames;
    uint64_t free_frames;     /* reserved ones included */
    uint32_t nr_cpus;
    uint32_t nr_domains;
    uint64_t tsc_khz;
    uint64_t reserved_frames; /* free, but held in the domains' reserves */
};

struct keel_domctl {
    uint32_t cmd;
    uint32_t abi_version;
    uint32_t domid;
    uint32_t pad;
    union {
        struct {
            uint64_t mem_pages;
            uint32_t flags;
            uint32_t pad;
            struct keel_domain_limits limits;
        } create;
        struct { uint64_t gva; uint64_t npages; uint64_t va; } map_foreign;
        struct { uint64_t va; uint64_t npages; } unmap_foreign;
        struct { uint64_t gva; uint64_t npages; uint32_t rights; uint32_t pad; } set_rights;
        struct keel_vcpu_context vcpu;
        struct keel_domain_info info;
        struct keel_physinfo physinfo;
        struct { int32_t status; uint32_t pad; } poweroff;
        struct { uint32_t cpu; uint32_t pad; } affinity;
        struct keel_cpu_info cpu_info;
        struct { uint64_t gva; uint64_t npages; uint64_t pad; } set_stack;
        struct {
            uint64_t gva;     /* first guest page */
            uint64_t npages;
            uint64_t offset;  /* in pages, from the module's start */
            uint32_t module;  /* boot module index (keel/launch.h) */
            uint32_t rights;  /* KEEL_RIGHT_R [| KEEL_RIGHT_X] */
        } map_module;
        uint8_t raw[256];
    } u;
};

#ifdef __cplusplus
static_assert(sizeof(struct keel_domain_info) == 248, "domain info layout");
#else
_Static_assert(sizeof(struct keel_domain_info) == 248, "domain info layout");
_Static_assert(sizeof(struct keel_domctl) == 272, "domctl layout");
#endif

#endif /* KEEL_PUBLIC_DOMCTL_H */

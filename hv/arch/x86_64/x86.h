/*
 * Private to hv/arch/x86_64: registers, MSRs, port I/O, selectors, and the
 * arch-only per-CPU data.  Nothing outside this folder includes it.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <stdint.h>
#include <stdbool.h>
#include <hv/arch.h>
#include <keel/pci.h>
#include "iobitmap.h"

/* GDT layout.  User selectors are ordered for STAR (sysret would load
 * CS = base + 16, SS = base + 8) even though we only leave through iretq;
 * the 32-bit user code slot stays null so a guest can never reach
 * compatibility mode with a far jump. */
#define GDT_KCODE   0x08
#define GDT_KDATA   0x10
#define GDT_UCODE32 0x18          /* null on purpose */
#define GDT_UDATA   0x20
#define GDT_UCODE   0x28
#define GDT_TSS     0x30          /* 16-byte system descriptor */
#define GDT_ENTRIES 8
#define SEL_UCODE   (GDT_UCODE | 3)
#define SEL_UDATA   (GDT_UDATA | 3)

/* interrupt vectors */
#define VEC_LEGACY_FIRST 0x20     /* masked 8259 remapped here, ignored */
#define VEC_LEGACY_LAST  0x2f
#define VEC_CONSOLE      0x40     /* COM1 receive, via the IOAPIC */
#define VEC_PCI_FIRST    0x50     /* lent functions' INTx, then MSI-X: one per slot */
#define VEC_PCI_LAST     (VEC_PCI_FIRST + KEEL_PCI_IRQ_LINES + KEEL_PCI_MSIX_VECTORS - 1)
#define VEC_TIMER        0xf0
#define VEC_KICK         0xf1
#define VEC_SPURIOUS     0xff
#define VEC_SYSCALL      0x100    /* pseudo-vector in struct cpu_regs */

/* IST slots in the TSS (1-based as the IDT encodes them) */
#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3
#define IST_DB  4
#define IST_COUNT 4

#define HV_STACK_SIZE  (16 * 1024)
/* every CPU's stacks (kmap_stack), inside the image's PML4 slot so that
 * the shared upper half needs no new slot after boot */
#define HV_STACK_AREA_BASE 0xffffffffc0000000ull
#define HV_STACK_AREA_END  (HV_STACK_AREA_BASE + 0x1000000ull)
#define IST_STACK_SIZE (8 * 1024)

/* rflags */
#define RFLAGS_IF   (1ull << 9)
#define RFLAGS_FIXED 0x2ull
/* flags a guest may hold: CF PF AF ZF SF TF DF OF AC ID */
#define RFLAGS_USER_MASK 0x240dd5ull

/* MSRs */
#define MSR_EFER           0xc0000080u
#define MSR_STAR           0xc0000081u
#define MSR_LSTAR          0xc0000082u
#define MSR_CSTAR          0xc0000083u
#define MSR_FMASK          0xc0000084u
#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_APIC_BASE      0x0000001bu
#define MSR_SYSENTER_CS    0x00000174u
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port));
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}
static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory");
}
static inline uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
static inline uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
#define RFLAGS_AC   (1ull << 18)
static inline uint64_t read_rflags(void)
{
    uint64_t v;
    __asm__ volatile("pushfq; pop %0" : "=r"(v));
    return v;
}
#define DR6_RESET 0xffff0ff0ull
static inline void write_dr6(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr6" :: "r"(v));
}
static inline void write_dr7(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr7" :: "r"(v));
}

static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}
static inline bool is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* Arch-private per-CPU data; the public struct percpu comes first so
 * %gs:0 (percpu.self) also locates this. */
struct tss {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3, iomap_base;
} __attribute__((packed));

/* tss.iomap_base for "no bitmap": past the TSS limit, every port traps */
#define IOMAP_NONE     (sizeof(struct tss) + IO_BITMAP_BYTES + 1)

struct percpu_arch {
    struct percpu pc;
    uint64_t gdt[GDT_ENTRIES];
    struct tss tss;
    /* The TSS's I/O permission bitmap (ioperm.c), right after it, then the
     * all-ones byte the CPU reads past its end: inside the TSS limit. */
    uint8_t io_bitmap[IO_BITMAP_BYTES + 1];
    uint64_t io_stamp;           /* whose ports io_bitmap opens (pci_dom) */
    unsigned io_lo, io_hi;       /* the bytes of io_bitmap that may be open */
    uint64_t stack_base;         /* HV_STACK_SIZE, in the stack area */
    uint64_t ist_base[IST_COUNT]; /* IST_STACK_SIZE each, own guard pages */
    uint64_t timer_deadline_ns;  /* what arch_timer_program last asked */
    volatile uint32_t alive;     /* AP bring-up handshake */
};

static inline struct percpu_arch *this_cpu_arch(void)
{
    return (struct percpu_arch *)this_cpu();
}

/* ---- internal interfaces between the files of this folder ------------- */
/* boot/multiboot.c */
struct phys_range;
extern char hv_boot_cmdline[256];
void multiboot_parse(uint32_t magic, uint64_t mbi_pa);
unsigned multiboot_ram(struct phys_range *out, unsigned max);
unsigned multiboot_reserved(struct phys_range *out, unsigned max);
void multiboot_fix_modules(void);
/* kpaging.c */
extern uint64_t hv_kernel_pml4;   /* physical */
void kpaging_init(void);
void *kmap_firmware(uint64_t pa, uint64_t len);   /* cached, read-write */
void *kmap_mmio(uint64_t pa, uint64_t len);       /* uncached */
void *kmap_stack(uint64_t pa, uint64_t bytes);    /* above a guard page */
bool kpaging_is_stack_guard(uint64_t va);         /* unmapped, in the stack area */
void kpaging_identity_low(bool on);               /* for the AP trampoline */
/* cpu.c */
extern uint8_t hv_smap_enabled;   /* entry.S: clac only where SMAP exists */
struct percpu_arch *percpu_alloc(unsigned id, unsigned apic_id);
void cpu_init_features(void);
void cpu_load_tables(struct percpu_arch *c);
void idt_init(void);
/* spec_ctrl.c */
void spec_ctrl_init(void);
void spec_ctrl_domain_switch(void);
extern uint8_t hv_verw_on_exit;   /* entry.S */
/* fpu.c */
void fpu_init_cpu(void);
void fpu_save(void *area);
void fpu_restore(const void *area);
/* segments.c: a vCPU's data selectors and FS/GS bases (see there) */
void seg_init(struct arch_vcpu *a);
void seg_save(struct arch_vcpu *a);
void seg_load(const struct arch_vcpu *a);
/* ioperm.c: the I/O bitmap of the domain whose state is live here */
void io_switch_in(struct vcpu *v);
void io_load(struct percpu_arch *c, const struct domain *d);   /* selftest */
/* selftest_io.c */
bool selftest_io_bitmap(void);
/* serial.c */
#define COM1 0x3f8
#define COM1_IRQ 4
void serial_init(void);
void serial_write_raw(const char *s, size_t n);
/* hostio.c: the shared-memory console path (keel/hostio.h) */
void hostio_init(void);
bool hostio_write(const void *buf, size_t n);   /* false: not active */
/* After publishing output (console lock held): ring the launcher if it
 * sleeps (keel/hostio.h, out_waiting). */
void hostio_out_kick(void);
/* serial.c: the output doorbell byte, only if the UART is idle (no wait) */
void serial_doorbell(void);
/* hostio_check.c: NULL if the header is valid for a BAR of `bar` bytes */
struct keel_hostio_header;
const char *hostio_layout_error(const struct keel_hostio_header *h, uint64_t bar);
/* hostio_check.c: after publishing out.prod, true once per launcher wait */
bool hostio_out_take_waiting(struct keel_hostio_header *h);
/* time.c, lapic.c, rtc.c */
void time_init(void);
void time_delay_us(uint64_t us);
void lapic_init_bsp(uint64_t phys);
void lapic_init_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
void lapic_timer_expired(void);
bool lapic_timer_early(void);
void rtc_read_boot(void);
/* acpi.c */
struct isa_route;
unsigned acpi_find_cpus(uint32_t *apic_ids, unsigned max, uint64_t *lapic_pa);
const char *acpi_isa_route(unsigned irq, struct isa_route *r);
/* ioapic.c: every pin of a chip is masked the first time it is used */
int ioapic_prepare(uint64_t pa);
int ioapic_route(const struct isa_route *r, uint8_t vector, uint32_t apic_id,
                 bool masked);
void ioapic_mask(const struct isa_route *r, bool masked);
/* intx.c: the lent functions' interrupt vectors */
__noreturn void pci_vector_interrupt(unsigned slot);
/* console_irq.c */
void console_irq_init(bool wanted);
__noreturn void console_irq_interrupt(void);
/* smp.c */
void smp_boot_aps(const uint32_t *apic_ids, unsigned n);
/* trap.c */
void trap_dump(const struct cpu_regs *r);
void trap_report(void);          /* at power-off: rare events worth a line */
/* entry.S */
extern char isr_table[];
void syscall_entry(void);
__noreturn void arch_resume_user(const struct cpu_regs *r, uint64_t stack_top);
__noreturn void arch_idle_loop(uint64_t stack_top, uint64_t poll_until_tsc);
/* selftest.c */
void arch_selftest(void);
void arch_selftest_stack_overflow(void);

#endif /* HV_X86_H */

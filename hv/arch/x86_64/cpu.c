/*
 * Per-CPU descriptor tables and control registers: GDT + TSS (one each per
 * CPU, since a TSS descriptor is marked busy when loaded), the shared IDT,
 * the syscall MSRs and the CR0/CR4/EFER feature bits every CPU runs with.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include "x86.h"

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, rsvd;
} __attribute__((packed));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static struct idt_gate idt[256] __aligned(16);

unsigned hv_nr_cpus;
uint8_t hv_smap_enabled;
struct percpu *hv_cpus[HV_MAX_CPUS];

struct percpu *this_cpu(void)
{
    struct percpu *p;

    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

static void set_gate(unsigned vec, uint64_t handler, unsigned ist, unsigned dpl)
{
    struct idt_gate *g = &idt[vec];

    g->off_lo = (uint16_t)handler;
    g->off_mid = (uint16_t)(handler >> 16);
    g->off_hi = (uint32_t)(handler >> 32);
    g->sel = GDT_KCODE;
    g->ist = (uint8_t)ist;
    g->type = (uint8_t)(0x8e | (dpl << 5));   /* present, 64-bit interrupt gate */
    g->rsvd = 0;
}

/* Every vector gets a stub; guests can raise only #BP (int3) themselves,
 * every other `int n` from ring 3 is a #GP because the gate's DPL is 0. */
void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, (uint64_t)isr_table + 16 * v, 0, 0);
    set_gate(3, (uint64_t)isr_table + 16 * 3, 0, 3);
    idt[8].ist = IST_DF;
    idt[2].ist = IST_NMI;
    idt[18].ist = IST_MC;
    idt[1].ist = IST_DB;        /* entry.S says why */
}

static uint64_t tss_desc_lo(uint64_t base, uint32_t limit)
{
    return (limit & 0xffffull) | ((base & 0xffffffull) << 16) |
           (0x89ull << 40) | ((uint64_t)(limit >> 16 & 0xf) << 48) |
           ((base >> 24 & 0xff) << 56);
}

static void gdt_fill(struct percpu_arch *c)
{
    uint64_t tss = (uint64_t)&c->tss;

    c->gdt[0] = 0;
    c->gdt[GDT_KCODE / 8] = 0x00af9a000000ffffull;   /* 64-bit, DPL 0 */
    c->gdt[GDT_KDATA / 8] = 0x00cf92000000ffffull;
    c->gdt[GDT_UCODE32 / 8] = 0;                      /* see x86.h */
    c->gdt[GDT_UDATA / 8] = 0x00cff2000000ffffull;   /* DPL 3 */
    c->gdt[GDT_UCODE / 8] = 0x00affa000000ffffull;   /* 64-bit, DPL 3 */
    /* the limit covers the I/O bitmap and its closing byte (ioperm.c) */
    c->gdt[GDT_TSS / 8] = tss_desc_lo(tss, sizeof(struct tss) + IO_BITMAP_BYTES);
    c->gdt[GDT_TSS / 8 + 1] = tss >> 32;
}

static uint64_t alloc_stack(uint64_t bytes)
{
    uint64_t pa = frames_alloc_range(bytes / PAGE_SIZE);

    if (!pa)
        panic("no memory for CPU stacks");
    return (uint64_t)kmap_stack(pa, bytes);
}

struct percpu_arch *percpu_alloc(unsigned id, unsigned apic_id)
{
    struct percpu_arch *c = kzalloc(sizeof(*c));

    if (!c || id >= HV_MAX_CPUS)
        panic("cannot set up CPU %u", id);
    c->pc.self = &c->pc;
    c->pc.id = id;
    c->pc.apic_id = apic_id;
    c->stack_base = alloc_stack(HV_STACK_SIZE);
    c->pc.hv_stack_top = c->stack_base + HV_STACK_SIZE;
    c->tss.rsp[0] = c->pc.hv_stack_top;
    for (unsigned i = 0; i < ARRAY_SIZE(c->ist_base); i++) {
        c->ist_base[i] = alloc_stack(IST_STACK_SIZE);
        c->tss.ist[i] = c->ist_base[i] + IST_STACK_SIZE;
    }
    memset(c->io_bitmap, 0xff, sizeof(c->io_bitmap));   /* every port closed */
    c->tss.iomap_base = IOMAP_NONE;         /* until a domain with ports runs */
    gdt_fill(c);
    hv_cpus[id] = &c->pc;
    return c;
}

static void load_segments(struct percpu_arch *c)
{
    struct desc_ptr gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };
    struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

    __asm__ volatile("lgdt %0" :: "m"(gdtr));
    __asm__ volatile("lidt %0" :: "m"(idtr));
    __asm__ volatile(
        "pushq %0\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss\n\t"
        "mov %2, %%fs\n\tmov %2, %%gs"
        :: "i"(GDT_KCODE), "r"(GDT_KDATA), "r"(0) : "rax", "memory");
    __asm__ volatile("ltr %w0" :: "r"(GDT_TSS));
}

/* Load this CPU's tables and per-CPU base, and the syscall MSRs. */
void cpu_load_tables(struct percpu_arch *c)
{
    load_segments(c);
    /* after the selector loads above, which zero the bases */
    wrmsr(MSR_GS_BASE, (uint64_t)&c->pc);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_STAR, ((uint64_t)(GDT_UCODE32 | 3) << 48) | ((uint64_t)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, 0);     /* no compatibility-mode code segment exists */
    wrmsr(MSR_SYSENTER_CS, 0);   /* sysenter from ring 3 is then a #GP */
    /* TF, IF, DF, NT, AC cleared on entry */
    wrmsr(MSR_FMASK, (1u << 8) | (1u << 9) | (1u << 10) | (1u << 14) | (1u << 18));
}

/* CR0/CR4/EFER: NX, SMEP, SMAP, UMIP, global pages, syscall; FPU bits are
 * set by fpu_init_cpu.  TSD and FSGSBASE stay clear. */
void cpu_init_features(void)
{
    uint32_t r[4];
    uint64_t cr4 = read_cr4();

    cpuid(7, 0, r);
    cr4 |= 1ull << 7;                       /* PGE */
    if (r[1] & (1u << 7))
        cr4 |= 1ull << 20;                  /* SMEP */
    if (r[1] & (1u << 20)) {
        cr4 |= 1ull << 21;                  /* SMAP */
        hv_smap_enabled = 1;
    }
    if (r[2] & (1u << 2))
        cr4 |= 1ull << 11;                  /* UMIP: no sgdt/sidt for guests */
    /* TSD, PCE, FSGSBASE, PKE stay clear: rdpmc, wr{fs,gs}base and wrpkru
     * fault in ring 3, so no guest holds counter, base or key state that
     * we would have to switch (docs/isolation.md) */
    cr4 &= ~((1ull << 2) | (1ull << 8) | (1ull << 16) | (1ull << 22));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
    write_dr7(0x400);                       /* no breakpoint armed, ever */
    uint64_t cr0 = read_cr0() | (1ull << 16);   /* WP: honour r/o even in ring 0 */
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0));
}

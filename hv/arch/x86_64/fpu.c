/*
 * FPU/SSE/AVX state of vCPUs, switched eagerly: the registers always hold
 * the state of the vCPU current on this CPU (the hypervisor itself is built
 * without SSE and never touches them), and it is saved to the vCPU's area
 * when another vCPU or the idle loop takes the CPU.
 *
 * XSAVE/XRSTOR with XCR0 = x87|SSE(|AVX) when the CPU has XSAVE, else
 * FXSAVE/FXRSTOR (SSE state only).  The area of a new vCPU holds the reset
 * state (FCW 0x37f, MXCSR 0x1f80, all registers zero).
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/sched.h>
#include <keel/domctl.h>
#include "x86.h"

#define XCR0_X87 1ull
#define XCR0_SSE 2ull
#define XCR0_AVX 4ull

static bool use_xsave;
/* AMD CPUs without CPUID 0x80000008 EBX[2] (XSaveErPtr) save and restore
 * the x87 last-instruction and last-operand pointers only while an x87
 * exception is pending, so the next vCPU would read the previous one's
 * (fnstenv, fxsave).  Before each restore we execute an x87 load of our
 * own, which leaves pointers that tell nothing about any guest. */
static bool x87_pointers_leak;
static const uint32_t x87_scrub_value;
static uint64_t xcr0;
static uint32_t area_size = 512;

static void xsetbv(uint32_t idx, uint64_t v)
{
    __asm__ volatile("xsetbv" :: "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static bool cpu_is_amd(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);        /* "AuthenticAMD": ebx, edx, ecx */
    return r[1] == 0x68747541u && r[3] == 0x69746e65u && r[2] == 0x444d4163u;
}

static bool amd_saves_error_pointers(void)
{
    uint32_t r[4];

    cpuid(0x80000000u, 0, r);
    if (r[0] < 0x80000008u)
        return false;
    cpuid(0x80000008u, 0, r);
    return r[1] & (1u << 2);
}

/* Per CPU: CR0.MP/NE on, EM/TS off; CR4.OSFXSR/OSXMMEXCPT(/OSXSAVE). */
void fpu_init_cpu(void)
{
    uint32_t r[4];
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();

    cr0 = (cr0 | (1ull << 1) | (1ull << 5)) & ~((1ull << 2) | (1ull << 3));
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0));
    cpuid(1, 0, r);
    cr4 |= (1ull << 9) | (1ull << 10);
    use_xsave = r[2] & (1u << 26);
    if (use_xsave)
        cr4 |= 1ull << 18;
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
    if (use_xsave) {
        xcr0 = XCR0_X87 | XCR0_SSE | ((r[2] & (1u << 28)) ? XCR0_AVX : 0);
        xsetbv(0, xcr0);
        cpuid(0xd, 0, r);
        area_size = r[1];          /* bytes for the features now enabled */
    }
    __asm__ volatile("fninit");
    x87_pointers_leak = cpu_is_amd() && !amd_saves_error_pointers();
}

uint64_t fpu_xcr0(void) { return xcr0; }

void fpu_save(void *area)
{
    if (use_xsave)
        __asm__ volatile("xsave64 (%0)" :: "r"(area), "a"((uint32_t)xcr0),
                         "d"((uint32_t)(xcr0 >> 32)) : "memory");
    else
        __asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
    if (x87_pointers_leak)
        __asm__ volatile("fnclex\n\tffree %%st(7)\n\tfildl %0"
                         :: "m"(x87_scrub_value));
    if (use_xsave)
        __asm__ volatile("xrstor64 (%0)" :: "r"(area), "a"((uint32_t)xcr0),
                         "d"((uint32_t)(xcr0 >> 32)) : "memory");
    else
        __asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory");
}

int arch_vcpu_alloc(struct arch_vcpu *a)
{
    if (!a->fpu)
        a->fpu = kzalloc(ALIGN_UP(area_size, 64));
    return a->fpu ? 0 : -KEEL_ENOMEM;
}

int arch_vcpu_init(struct arch_vcpu *a, const struct keel_vcpu_context *ctx)
{
    uint8_t *area;

    if (arch_vcpu_alloc(a))
        return -KEEL_ENOMEM;
    area = a->fpu;
    memset(area, 0, ALIGN_UP(area_size, 64));
    *(uint16_t *)(area + 0) = 0x37f;          /* FCW */
    *(uint32_t *)(area + 24) = 0x1f80;        /* MXCSR */
    if (use_xsave)
        *(uint64_t *)(area + 512) = XCR0_X87 | XCR0_SSE;   /* XSTATE_BV */
    memset(&a->regs, 0, sizeof(a->regs));
    a->regs.rip = ctx->rip;
    a->regs.rsp = ctx->rsp;
    a->regs.rdi = ctx->rdi;
    a->regs.rsi = ctx->rsi;
    a->regs.rdx = ctx->rdx;
    a->regs.cs = SEL_UCODE;
    a->regs.ss = SEL_UDATA;
    a->regs.rflags = RFLAGS_IF | RFLAGS_FIXED;
    seg_init(a);
    a->running = 0;
    return 0;
}

void arch_vcpu_free(struct arch_vcpu *a)
{
    BUG_ON(a->running);
    kfree(a->fpu);
    a->fpu = NULL;
}

void arch_vcpu_get_regs(const struct arch_vcpu *a, struct keel_cpu_regs *out)
{
    const struct cpu_regs *r = &a->regs;

    *out = (struct keel_cpu_regs){
        .rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
        .rsi = r->rsi, .rdi = r->rdi, .rbp = r->rbp, .rsp = r->rsp,
        .r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
        .r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
        .rip = r->rip, .rflags = r->rflags,
    };
}

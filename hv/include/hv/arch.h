/*
 * The line between hv/arch/x86_64 (machine mechanics) and hv/common (domains,
 * scheduling, hypercalls).  Arch code implements everything declared here;
 * common code implements the hv_* entry points at the bottom, which arch
 * code calls.
 *
 * Execution model.  The hypervisor is not preemptible: it runs with
 * interrupts disabled everywhere except in the idle loop.  Each CPU has one
 * hypervisor stack; nothing in ring 0 ever blocks.  A guest's state lives in
 * its struct vcpu (saved registers + FPU area), so every entry from ring 3
 * ends in schedule_and_return() -> arch_switch_to(), which resumes some vCPU
 * (maybe the same) or idles.  A hypercall that "blocks" just marks its vCPU
 * blocked and lets the scheduler pick another; the result register is
 * written before that.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <keel/domctl.h>
#include <keel/launch.h>

#define __noreturn __attribute__((noreturn))
#define __aligned(x) __attribute__((aligned(x)))

/* Higher-half layout of every address space (PML4 slots 256..511 are the
 * hypervisor's, shared by all domains, supervisor-only). */
#define HV_DIRECT_MAP_BASE 0xffff800000000000ull  /* all RAM, phys + base */
#define HV_IMAGE_BASE      0xffffffff80000000ull  /* the hv image, phys + base */

/* Saved register frame.  entry.S builds it on the CPU's hypervisor stack for
 * every entry (interrupt, exception, syscall) and copies it into the current
 * vCPU when the entry came from ring 3.  Order is fixed by entry.S. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;  /* the iretq frame */
};

/* Data segment selectors and the FS/GS bases (hv/arch/x86_64/segments.c):
 * a guest changes them with plain `mov`s, so they are switched with the
 * FPU state, not saved in every frame. */
struct user_segments {
    uint16_t ds, es, fs, gs;
    uint64_t fs_base, gs_base;
};

struct arch_vcpu {
    struct cpu_regs regs;      /* valid whenever the vCPU is not running */
    void *fpu;                 /* XSAVE area, 64-byte aligned, owned */
    struct user_segments seg;  /* valid whenever `running` is 0 */
    /* 1 from the moment arch_switch_to() loads this vCPU on a CPU until its
     * FPU and segment state have been saved back after it left that CPU.  The scheduler
     * must not resume a vCPU elsewhere while this is 1 (spin until 0). */
    volatile uint32_t running;
};

struct vcpu;                   /* hv/include/hv/sched.h */
struct domain;                 /* hv/include/hv/domain.h */

/* ---- per-CPU data ---------------------------------------------------- */
#define HV_MAX_CPUS 64

struct percpu {
    struct percpu *self;       /* %gs:0 */
    uint64_t hv_stack_top;     /* %gs:8, used by the syscall entry */
    uint64_t user_rsp_scratch; /* %gs:16 */
    unsigned id;               /* 0 = boot CPU */
    unsigned apic_id;
    struct vcpu *current;      /* vCPU running (or last run) here; NULL = idle */
    struct vcpu *state_owner;  /* whose FPU and segment state is live here */
    uint64_t slice_end_ns;     /* for the scheduler */
    bool need_resched;
};

struct percpu *this_cpu(void);
extern unsigned hv_nr_cpus;
extern struct percpu *hv_cpus[HV_MAX_CPUS];

/* ---- CPU control ----------------------------------------------------- */
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Resume `next` in ring 3 on this CPU (NULL: run the idle loop).  Saves the
 * FPU and segment state of the vCPU that last ran here if it is not `next`,
 * loads next's address space, FPU and segment state, sets this_cpu()->current = next.  Always
 * reloads CR3 when the vCPU on this CPU changes (so stale TLB entries of an
 * address space that ran elsewhere can never be used). */
__noreturn void arch_switch_to(struct vcpu *next);

/* The vCPU's FPU area, allocated once (at CREATE, so that nothing a
 * domain's set-up does later can fail for lack of memory); 0 or
 * -KEEL_ENOMEM. */
int arch_vcpu_alloc(struct arch_vcpu *a);
/* Prepare a new vCPU: ring-3 selectors, rflags = IF, registers from ctx,
 * FPU area (allocated if it was not) in reset state.  Returns 0 or
 * -KEEL_ENOMEM. */
int arch_vcpu_init(struct arch_vcpu *a, const struct keel_vcpu_context *ctx);
void arch_vcpu_free(struct arch_vcpu *a);
/* The vCPU's FPU and segment state is saved if live on this CPU (running
 * drops to 0), and if v is this CPU's current vCPU its address space is
 * unloaded (CR3 back to the hypervisor's own tables) so that it can be
 * destroyed; this_cpu()->current itself is left as it is.  Call on the CPU
 * a dying vCPU last ran on, before freeing it or its address space. */
void arch_vcpu_release(struct vcpu *v);
void arch_vcpu_get_regs(const struct arch_vcpu *a, struct keel_cpu_regs *out);

/* IPI: make CPU `cpu` enter the scheduler soon (from idle or from a guest). */
void arch_kick_cpu(unsigned cpu);

/* ---- time ------------------------------------------------------------ */
uint64_t hv_now_ns(void);                 /* monotonic ns since boot */
/* shared-info time parameters (see keel/shared_info.h) */
void arch_time_params(uint64_t *tsc_base, uint32_t *mul, int8_t *shift);
uint64_t arch_tsc_khz(void);
uint64_t arch_boot_wallclock_sec(void);   /* RTC at boot, seconds since 1970 */
/* Per-CPU one-shot timer: interrupt (-> hv_timer_interrupt) at or soon
 * after deadline (monotonic ns); 0 disarms. */
void arch_timer_program(uint64_t deadline_ns);

/* ---- console and machine --------------------------------------------- */
/* Emit one framed serial record (keel/console.h); splits payloads over
 * 0xffff bytes; records from different CPUs never interleave. */
void console_record(uint16_t domid, char stream, const void *buf, size_t len);
__noreturn void arch_poweroff(int status);   /* record 'x', then exit QEMU */
/* One byte the UART has received, or -1 if none (polled, never waits). */
int serial_getc(void);
/* The shared-memory host I/O path (keel/hostio.h), when the launcher
 * provided one: console input comes from it instead of the UART. */
bool hostio_active(void);
size_t hostio_read(void *buf, size_t n);   /* bytes copied, 0 if none */
/* About to wait for input: set the header's in_waiting, then look once
 * more.  true: `in` is still empty (the launcher will ring the doorbell);
 * false: input came meanwhile, read it. */
bool hostio_in_wait(void);
/* The console input interrupt (console_irq.c explains the protocol).
 * false: the machine has none, and input can only be polled. */
bool arch_console_irq(void);
/* One interrupt (-> hv_console_interrupt) as soon as the UART holds data,
 * now or later; call only after finding every input source empty. */
void arch_console_rx_arm(void);
/* Throw away what the UART holds (host I/O mode: doorbell bytes). */
void arch_console_rx_discard(void);

/* ---- boot modules (from multiboot) ------------------------------------ */
#define HV_MAX_MODULES KEEL_LAUNCH_MAX_MODULES
struct boot_module {
    uint64_t phys;             /* page aligned (arch copies it if it was not) */
    uint64_t bytes;
    char name[64];             /* basename of the first word of its string */
    char cmdline[256];         /* the whole multiboot module string */
};
extern struct boot_module hv_boot_modules[HV_MAX_MODULES];
extern unsigned hv_nr_boot_modules;

/* ---- implemented by hv/common, called by arch ------------------------- */
__noreturn void hv_main(void);            /* BSP, after arch init & APs up */
__noreturn void hv_ap_main(void);         /* each AP after its init */
/* Entry from ring 3; the frame is already saved in v->arch.regs.  Each of
 * these ends by calling schedule_and_return() (never returns). */
__noreturn void hv_hypercall(struct vcpu *v);
__noreturn void hv_guest_exception(struct vcpu *v, unsigned vector,
                                   uint64_t error_code, uint64_t cr2);
/* Timer or kick interrupt, from ring 3 (regs saved in current) or idle. */
__noreturn void hv_timer_interrupt(void);
__noreturn void hv_kick_interrupt(void);
/* Console input may be there (raises VIRQ_CONSOLE to domain 0). */
__noreturn void hv_console_interrupt(void);
__noreturn void schedule_and_return(void);

#endif /* HV_ARCH_H */

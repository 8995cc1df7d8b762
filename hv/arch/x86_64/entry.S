/*
 * Every way into the hypervisor: interrupt/exception stubs and the syscall
 * entry.  All of them build a struct cpu_regs (see hv/arch.h) on the CPU's
 * hypervisor stack and call C with a pointer to it:
 *
 *   interrupts/exceptions -> trap_entry(regs)   (may return: then iretq)
 *   syscall               -> syscall_dispatch(regs)  (never returns)
 *
 * GS discipline: GS_BASE holds the per-CPU pointer whenever we run in
 * ring 0.  An entry from ring 3 (saved CS has RPL 3, always so for
 * syscall) does swapgs first thing; the only exit to ring 3 is
 * arch_resume_user, which does swapgs right before iretq.  A guest cannot
 * change the base we rely on: FSGSBASE is off and loading a selector only
 * touches the user half of the pair.
 *
 * The IST entries (#DF, NMI, #MC) may arrive anywhere, even between the
 * swapgs and the iretq of the exit path, so their C side does not use %gs.
 * #DB has an IST stack too: a guest's single step held back by MOV SS /
 * POP SS is delivered on the first instruction of an entry path, in ring
 * 0, before the swapgs and, for syscall, on the guest's stack pointer
 * (CVE-2018-8897).  trap.c takes such a #DB without touching %gs; a
 * guest's ordinary #DB (from ring 3) leaves its IST stack at once for this
 * CPU's own stack, below.
 *
 * RFLAGS.AC: with SMAP it decides whether ring 0 may touch user pages, and
 * a guest may set it.  syscall clears it through FMASK; every other entry
 * clears it first thing (interrupt and exception delivery keep it), when
 * the CPU has SMAP (clac is #UD without).  iretq restores the interrupted
 * context's own flags.
 */
#define VEC_SYSCALL 0x100
#define SEL_UCODE 0x2b
#define SEL_UDATA 0x23
#define REGS_SIZE (22 * 8)
#define REGS_VECTOR (15 * 8)      /* offsets in struct cpu_regs */
#define REGS_CS (18 * 8)
#define VEC_DB 1

 /* MDS: clear the CPU's buffers on the way out to a guest (spec_ctrl.c) */
.macro VERW_IF_NEEDED
    testb $1, hv_verw_on_exit(%rip)
    jz 9f
    verw hv_verw_selector(%rip)
9:
.endm

.macro CLAC_IF_SMAP
    testb $1, hv_smap_enabled(%rip)
    jz 9f
    clac
9:
.endm

.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .text
/* One 16-byte-aligned stub per vector: push a zero error code unless the
 * CPU pushes one, push the vector, go to the common path. */
    .align 16
    .globl isr_table
isr_table:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || \
        (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || \
        (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

isr_common:
    cld
    CLAC_IF_SMAP
    testb $3, 24(%rsp)          /* saved CS: vector, error, rip, cs */
    jz 1f
    swapgs
    /* both ways: no load through %gs until the branch above is resolved,
     * or a mispredicted one could read with the other base (CVE-2019-1125) */
1:  lfence
    PUSH_GPRS
    xor %ebp, %ebp              /* backtraces stop at the entry */
    mov %rsp, %rdi
    cmpq $VEC_DB, REGS_VECTOR(%rsp)
    jne 3f
    testb $3, REGS_CS(%rsp)
    jz 3f
    /* A guest's #DB: its handling ends in the scheduler and never returns,
     * so run it on this CPU's stack (empty: we came from ring 3), leaving
     * the small IST stack free. */
    mov %gs:8, %rsp             /* percpu.hv_stack_top */
    call trap_entry
    ud2
3:  call trap_entry
    /* trap_entry returned: resume whatever was interrupted, unchanged. */
    POP_GPRS
    add $16, %rsp
    testb $3, 8(%rsp)
    jz 2f
    VERW_IF_NEEDED
    swapgs
2:  iretq

/* syscall: rcx = user rip, r11 = user rflags, rsp still the user's.
 * FMASK has cleared IF, DF, AC, TF. */
    .globl syscall_entry
    .align 16
syscall_entry:
    swapgs
    mov %rsp, %gs:16            /* percpu.user_rsp_scratch */
    mov %gs:8, %rsp             /* percpu.hv_stack_top */
    pushq $SEL_UDATA            /* ss */
    pushq %gs:16                /* rsp */
    push %r11                   /* rflags */
    pushq $SEL_UCODE            /* cs */
    push %rcx                   /* rip */
    pushq $0                    /* error code */
    pushq $VEC_SYSCALL
    PUSH_GPRS
    xor %ebp, %ebp
    mov %rsp, %rdi
    call syscall_dispatch
    ud2

/* arch_resume_user(const struct cpu_regs *r, uint64_t stack_top):
 * copy the (already sanitized) frame to the top of this CPU's stack,
 * discarding everything on it, and iretq to ring 3. */
    .globl arch_resume_user
arch_resume_user:
    mov %rsi, %rsp
    sub $REGS_SIZE, %rsp
    mov %rdi, %rsi
    mov %rsp, %rdi
    mov $22, %ecx
    cld
    rep movsq
    POP_GPRS
    add $16, %rsp
    VERW_IF_NEEDED
    swapgs
    iretq

/* arch_idle_loop(uint64_t stack_top, uint64_t poll_until_tsc): drop the
 * stack, do the idle CPU's background work a batch at a time
 * (sched_idle_work: zeroing free frames for the zero pool; it stops when
 * this CPU is kicked or its timer is due) with interrupts off, opening
 * them for one instruction between batches; then spin with interrupts on
 * until the TSC passes poll_until_tsc, then halt.  A batch runs with interrupts off because an interrupt never
 * comes back: a batch abandoned half done would lose its frames.  The spin
 * is there for wake-ups that come soon (an event round trip): under
 * emulation a halted CPU is a sleeping host thread, and waking one costs
 * far more than the short spin.  Interrupt handlers never return here:
 * they end in arch_switch_to, and each new entry starts again at
 * stack_top, so the stack never grows. */
    .globl arch_idle_loop
arch_idle_loop:
    mov %rdi, %rsp
    xor %ebp, %ebp
    mov %rsi, %rbx              /* callee-saved across the C call */
3:  call sched_idle_work
    test %al, %al
    jz 4f
    sti                         /* interrupts are taken after the nop */
    nop
    cli
    jmp 3b
4:  mov %rbx, %r8
    sti
2:  pause
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    cmp %r8, %rax
    jb 2b
1:  sti
    hlt
    cli
    jmp 1b

/*
 * AP start-up code.  smp.c copies it to TRAMP_BASE (below 1 MiB), fills the
 * parameter block at its end, and sends INIT-SIPI-SIPI: the AP starts here
 * in real mode with CS = TRAMP_BASE >> 4, IP = 0.  It goes to 32-bit
 * protected mode, then to long mode on the hypervisor's own page tables
 * (which identity-map the first 2 MiB during bring-up), and jumps to
 * ap_entry64 in the higher half on the stack smp.c gave it.
 *
 * Everything here is addressed relative to TRAMP_BASE, since the code runs
 * from a copy.
 */
#define TRAMP_BASE 0x8000
#define REL(x) ((x) - trampoline_start)
#define ABS(x) (TRAMP_BASE + REL(x))

    .section .trampoline, "a"
    .code16
    .globl trampoline_start
trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl REL(tramp_gdtr)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $ABS(tramp32)

    .code32
tramp32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $((1 << 5) | (1 << 7)), %eax          /* PAE, PGE */
    mov %eax, %cr4
    mov ABS(tramp_cr3), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx                    /* EFER: LME, NXE, SCE */
    rdmsr
    or $((1 << 8) | (1 << 11) | 1), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax        /* PG, WP */
    mov %eax, %cr0
    ljmp $0x18, $ABS(tramp64)

    .code64
tramp64:
    mov ABS(tramp_stack), %rsp
    mov ABS(tramp_percpu), %rdi
    mov ABS(tramp_entry), %rax
    jmp *%rax

    .align 16
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
    .quad 0x00af9a000000ffff    /* 0x18: 64-bit code */
tramp_gdtr:
    .word tramp_gdtr - tramp_gdt - 1
    .long ABS(tramp_gdt)

    /* parameter block, filled by smp.c (struct tramp_params) */
    .align 8
    .globl trampoline_params
trampoline_params:
tramp_cr3:    .quad 0
tramp_stack:  .quad 0
tramp_percpu: .quad 0
tramp_entry:  .quad 0
    .globl trampoline_end
trampoline_end:

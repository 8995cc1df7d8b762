/*
 * Multiboot v1 entry.  The loader jumps to _start32 in 32-bit protected
 * mode with paging off, eax = magic and ebx = multiboot info (physical).
 * We build throw-away page tables that map the first GiB twice (identity,
 * so this code keeps running when paging comes on, and at HV_IMAGE_BASE,
 * where the C code is linked), enter long mode and jump to the higher half.
 * The real page tables are built in C (kpaging.c).
 */
#define HV_IMAGE_BASE 0xffffffff80000000
#define PHYS(x) ((x) - HV_IMAGE_BASE)
#define MB_MAGIC 0x1badb002
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))   /* align, mem map, addresses */

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header             /* header_addr (physical: .boot is low) */
    .long 0x100000              /* load_addr */
    .long _load_end_phys        /* load_end_addr */
    .long _bss_end_phys         /* bss_end_addr */
    .long _start32              /* entry_addr */

    .section .boot.text, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    mov $PHYS(boot_stack_top), %esp
    mov %eax, %edi              /* magic, kept for C */
    mov %ebx, %esi              /* mbi */

    /* long mode available? */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode

    /* pml4[0] and pml4[511] -> pdpt; pdpt[0] and pdpt[510] -> pd; pd maps
     * 1 GiB with 2 MiB pages. */
    mov $PHYS(boot_pdpt), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4)
    mov %eax, PHYS(boot_pml4) + 511 * 8
    mov $PHYS(boot_pd), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pdpt)
    mov %eax, PHYS(boot_pdpt) + 510 * 8
    mov $PHYS(boot_pd), %ebx
    mov $0x83, %eax             /* present, writable, 2 MiB */
    mov $512, %ecx
1:  mov %eax, (%ebx)
    add $0x200000, %eax
    add $8, %ebx
    loop 1b

    mov %cr4, %eax
    or $(1 << 5), %eax          /* PAE */
    mov %eax, %cr4
    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER: long mode, NX */
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax   /* PG, WP, PE */
    mov %eax, %cr0

    lgdt boot_gdtr
    ljmp $0x08, $start64_low

no_long_mode:
    mov $no_lm_msg, %esi
    mov $0x3f8, %dx
2:  lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:  hlt
    jmp 3b

    .code64
start64_low:
    mov %edi, %edi              /* upper halves are undefined after the */
    mov %esi, %esi              /* mode switch: zero-extend explicitly */
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $start64_high, %rax
    jmp *%rax

    .section .boot.data, "a"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 64-bit code */
    .quad 0x00cf92000000ffff    /* data */
boot_gdtr:
    .word boot_gdtr - boot_gdt - 1
    .long boot_gdt
no_lm_msg:
    .asciz "keel: this CPU has no long mode\r\n"

    .text
start64_high:
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    /* edi = magic, esi = mbi physical (zero-extended by the 32-bit movs) */
    call arch_boot_main
4:  hlt
    jmp 4b

    .bss
    .align 4096
    .globl boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
    .align 16
boot_stack: .skip 16384
boot_stack_top:

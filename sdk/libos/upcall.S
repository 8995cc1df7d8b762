/*
 * libos_upcall_entry: where the hypervisor enters this domain when an event
 * is pending (contract: keel/event_channel.h).
 *
 * On entry rsp = S, with S[0] = interrupted rflags, S[8] = interrupted rip;
 * the interrupted rsp is S + 144 and [S + 16, S + 144) is its red zone.
 * upcall_mask is 1.  Every other register holds the interrupted value.
 *
 * We save all general registers and the whole FPU/SSE/AVX state (XSAVE
 * into a 64-byte aligned stack area, or FXSAVE where the OS has not
 * enabled XSAVE), run the C dispatcher, restore, clear upcall_mask, re-check
 * upcall_pending, and return with `popfq; ret $128`, which leaves rsp at
 * exactly S + 144.
 *
 * The exit window.  Between clearing the mask and the final `ret` another
 * upcall may be entered on top of us.  Everything is restored by then, so
 * the nested entry folds itself into ours instead of growing the stack:
 *   interrupted at upcall_ret (after popfq): our rip is at S' + 144, our
 *     rflags are what it interrupted; rebuild [rflags, rip] at S' + 136 and
 *     start over there;
 *   interrupted anywhere else in [upcall_window, upcall_window_end): our
 *     frame is intact at S' + 144: start over there.
 */
#define MASK_ABS    0x200041        /* vcpu_info[0].upcall_mask */
#define PENDING_ABS 0x200040        /* vcpu_info[0].upcall_pending */

	.text
	.globl	libos_upcall_entry
	.type	libos_upcall_entry, @function
libos_upcall_entry:
	cmpq	$upcall_ret, 8(%rsp)
	je	2f
	cmpq	$upcall_window, 8(%rsp)
	jb	1f
	cmpq	$upcall_window_end, 8(%rsp)
	jae	1f
	add	$144, %rsp
	jmp	libos_upcall_entry
2:	push	%rax
	mov	8(%rsp), %rax			/* our rflags */
	mov	%rax, 8+136(%rsp)
	pop	%rax
	lea	136(%rsp), %rsp
	jmp	libos_upcall_entry

1:	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rbx			/* callee-saved: survives the call */
	sub	libos_upcall_fpu_bytes(%rip), %rsp
	and	$-64, %rsp
	cld
	cmpb	$0, libos_upcall_xsave(%rip)
	je	3f
	xor	%eax, %eax			/* XSAVE leaves the header's */
	mov	$8, %ecx			/* upper 56 bytes alone, and */
	lea	512(%rsp), %rdi			/* XRSTOR wants them zero */
	rep stosq
	mov	$-1, %eax
	mov	$-1, %edx
	xsave64	(%rsp)
	call	libos_evtchn_dispatch
	mov	$-1, %eax
	mov	$-1, %edx
	xrstor64 (%rsp)
	jmp	4f
3:	fxsave64 (%rsp)
	call	libos_evtchn_dispatch
	fxrstor64 (%rsp)
4:	mov	%rbx, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	movb	$0, MASK_ABS
upcall_window:
	cmpb	$0, PENDING_ABS
	jne	5f
	popfq
upcall_ret:
	ret	$128
5:	movb	$1, MASK_ABS
upcall_window_end:
	jmp	libos_upcall_entry
	.size	libos_upcall_entry, . - libos_upcall_entry

	.section .note.GNU-stack, "", @progbits

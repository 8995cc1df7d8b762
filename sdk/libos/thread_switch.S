/*
 * libos_ctx_switch(uint64_t *save_rsp, uint64_t load_rsp): the cooperative
 * switch between threads.  Only what the System V ABI makes callee-saved
 * needs saving, because the switch is an ordinary call: rbx, rbp, r12-r15,
 * the x87 control word and MXCSR's control bits.  A new thread's stack is
 * laid out (thread.c) as if it had called this and will `ret` into its
 * start function.
 */
	.text
	.globl	libos_ctx_switch
	.type	libos_ctx_switch, @function
libos_ctx_switch:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	libos_ctx_switch, . - libos_ctx_switch

	.section .note.GNU-stack, "", @progbits

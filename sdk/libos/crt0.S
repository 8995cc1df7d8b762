/*
 * _start: the first instruction of every Keel image.
 *
 * The builder enters here with rdi = struct keel_start_info *, rsp = top of
 * the stack with rsp % 16 == 0 (keel/start_info.h), every other register 0.
 * rsp is therefore already aligned as the System V ABI wants it at a call.
 *
 * rbp is cleared so that the frame-pointer chain that dom0 walks for crash
 * backtraces ends here, and the CFI marks the return address undefined so
 * that debuggers stop here as well.
 */
	.section .text.keel_start, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	call	libos_start		/* (struct keel_start_info *), no return */
	ud2
	.cfi_endproc
	.size	_start, . - _start

/*
 * newlib's __libc_init_array/__libc_fini_array call _init/_fini (the
 * pre-init_array scheme).  Keel images use .init_array only, so they are
 * empty.
 */
	.text
	.globl	_init
	.type	_init, @function
_init:
	ret
	.size	_init, . - _init

	.globl	_fini
	.type	_fini, @function
_fini:
	ret
	.size	_fini, . - _fini

	.section .note.GNU-stack, "", @progbits

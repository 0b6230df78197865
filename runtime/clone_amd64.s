#include "textflag.h"

// func cloneVM(flags, stack uintptr, a *childArgs, entry uintptr) (pid uintptr, errno uintptr)
//
// clone(2) with the child on its own stack: the child calls pid1Main(a)
// (entry 0) or programMain(a) (entry 1) there, and exits with 127 should
// that ever return. The entries are called through a register so that the
// linker's nosplit check does not see pid1Main → cloneVM → pid1Main as
// recursion (the child starts a fresh stack).
TEXT ·cloneVM(SB),NOSPLIT,$0-48
	MOVQ	flags+0(FP), DI
	MOVQ	stack+8(FP), SI
	MOVQ	a+16(FP), R13
	MOVQ	entry+24(FP), R12
	MOVQ	$0, DX	// parent_tid
	MOVQ	$0, R10	// child_tid
	MOVQ	$0, R8	// tls
	MOVL	$56, AX	// SYS_clone
	SYSCALL
	CMPQ	AX, $0
	JEQ	child
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	MOVQ	$-1, pid+32(FP)
	NEGQ	AX
	MOVQ	AX, errno+40(FP)
	RET
ok:
	MOVQ	AX, pid+32(FP)
	MOVQ	$0, errno+40(FP)
	RET
child:
	// On the new stack (SP is 16-byte aligned): a is the ABI0 argument.
	SUBQ	$16, SP
	MOVQ	R13, 0(SP)
	CMPQ	R12, $0
	JNE	program
	LEAQ	·pid1Main(SB), AX
	CALL	AX
	JMP	exit
program:
	LEAQ	·programMain(SB), AX
	CALL	AX
exit:
	MOVL	$127, DI
	MOVL	$231, AX	// SYS_exit_group
	SYSCALL
	JMP	exit

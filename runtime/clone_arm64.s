#include "textflag.h"

// func cloneVM(flags, stack uintptr, a *childArgs, entry uintptr) (pid uintptr, errno uintptr)
//
// See clone_amd64.s.
TEXT ·cloneVM(SB),NOSPLIT|NOFRAME,$0-48
	MOVD	flags+0(FP), R0
	MOVD	stack+8(FP), R1
	MOVD	a+16(FP), R19
	MOVD	entry+24(FP), R20
	MOVD	$0, R2	// parent_tid
	MOVD	$0, R3	// tls
	MOVD	$0, R4	// child_tid
	MOVD	$220, R8	// SYS_clone
	SVC
	CMP	$0, R0
	BEQ	child
	CMN	$4095, R0
	BCC	ok
	MOVD	$-1, R1
	MOVD	R1, pid+32(FP)
	NEG	R0, R0
	MOVD	R0, errno+40(FP)
	RET
ok:
	MOVD	R0, pid+32(FP)
	MOVD	$0, R1
	MOVD	R1, errno+40(FP)
	RET
child:
	// On the new stack (RSP is 16-byte aligned): a is the ABI0 argument,
	// above the slot the callee saves the link register in.
	SUB	$16, RSP
	MOVD	R19, 8(RSP)
	CMP	$0, R20
	BNE	program
	MOVD	$·pid1Main(SB), R0
	CALL	(R0)
	B	exit
program:
	MOVD	$·programMain(SB), R0
	CALL	(R0)
exit:
	MOVD	$127, R0
	MOVD	$94, R8	// SYS_exit_group
	SVC
	B	exit

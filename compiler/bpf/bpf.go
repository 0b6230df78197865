// Package bpf compiles a seccomp policy (compiler/seccomp) into a classic
// BPF program, runs programs in an exact interpreter of the seccomp subset,
// and disassembles them. It sits between the plan and the runtime:
//
//	plan → compiler/seccomp.Filter → bpf.Compile → []Instruction → Marshal → kernel
//
// Layout of a compiled program: load arch; one JEQ per accepted
// architecture; RET for any other architecture; per architecture, load nr
// and walk a weight-balanced binary search tree over runs of consecutive
// syscall numbers that share an outcome (the x32 range on x86_64 is one more
// run). Leaves return directly, so every syscall whose outcome does not
// depend on arguments is decided with loads of arch/nr, constant compares and
// RET only — the kernel's action cache can serve it. Argument checks live in
// blocks after the tree, reached by JA once the number is known. Jumps that
// would not fit in 8 bits go through JA trampolines.
package bpf

import (
	"encoding/binary"
	"fmt"
)

// Instruction is struct sock_filter.
type Instruction struct {
	Code   uint16
	Jt, Jf uint8
	K      uint32
}

// Opcodes used in seccomp programs.
const (
	LdAbsW = 0x20 // BPF_LD|BPF_W|BPF_ABS
	LdLen  = 0x80 // BPF_LD|BPF_W|BPF_LEN
	LdMem  = 0x60 // BPF_LD|BPF_MEM
	LdxMem = 0x61 // BPF_LDX|BPF_MEM
	LdImm  = 0x00 // BPF_LD|BPF_IMM
	LdxImm = 0x01 // BPF_LDX|BPF_IMM
	St     = 0x02
	Stx    = 0x03
	AndK   = 0x54
	OrK    = 0x44
	AddK   = 0x04
	SubK   = 0x14
	RshK   = 0x74
	LshK   = 0x64
	Ja     = 0x05
	JeqK   = 0x15
	JgtK   = 0x25
	JgeK   = 0x35
	JsetK  = 0x45
	JeqX   = 0x1d
	JgtX   = 0x2d
	JgeX   = 0x3d
	JsetX  = 0x4d
	RetK   = 0x06
	RetA   = 0x16
	Tax    = 0x07
	Txa    = 0x87
)

// Offsets in struct seccomp_data (little-endian hosts).
const (
	OffNr   = 0
	OffArch = 4
	OffIP   = 8
	OffArgs = 16
)

// MaxInstructions is the kernel's limit (BPF_MAXINSNS).
const MaxInstructions = 4096

// Marshal encodes a program as the raw struct sock_filter array that
// seccomp(2), Firejail's fseccomp and bubblewrap's --seccomp use.
func Marshal(prog []Instruction) []byte {
	out := make([]byte, 8*len(prog))
	for i, in := range prog {
		b := out[8*i:]
		binary.LittleEndian.PutUint16(b, in.Code)
		b[2], b[3] = in.Jt, in.Jf
		binary.LittleEndian.PutUint32(b[4:], in.K)
	}
	return out
}

// Unmarshal decodes a raw sock_filter array.
func Unmarshal(data []byte) ([]Instruction, error) {
	if len(data)%8 != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of 8-byte instructions", len(data))
	}
	prog := make([]Instruction, len(data)/8)
	for i := range prog {
		b := data[8*i:]
		prog[i] = Instruction{Code: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	return prog, nil
}

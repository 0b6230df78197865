package bpf

import (
	"errors"
	"fmt"

	"github.com/jailc/jailc/compiler/seccomp"
)

// ErrArgLoad is returned by RunNoArgs when the program reads anything but
// nr or arch before deciding (the kernel's action cache would not cache it).
var ErrArgLoad = errors.New("program loads a word other than nr or arch")

// Validate applies the kernel's checks for seccomp filters: length, every
// opcode allowed, jumps in range, loads aligned and inside seccomp_data,
// scratch memory indices, and a return at the end of every path.
func Validate(prog []Instruction) error {
	if len(prog) == 0 || len(prog) > MaxInstructions {
		return fmt.Errorf("program has %d instructions (1..%d allowed)", len(prog), MaxInstructions)
	}
	for i, in := range prog {
		switch in.Code {
		case LdAbsW:
			if in.K%4 != 0 || in.K >= 64 {
				return fmt.Errorf("%d: load of offset %d outside struct seccomp_data or unaligned", i, in.K)
			}
		case LdMem, LdxMem, St, Stx:
			if in.K >= 16 {
				return fmt.Errorf("%d: scratch memory index %d out of range", i, in.K)
			}
		case LdLen, LdImm, LdxImm, AndK, OrK, AddK, SubK, RshK, LshK, RetK, RetA, Tax, Txa:
		case Ja:
			if uint64(i)+1+uint64(in.K) >= uint64(len(prog)) {
				return fmt.Errorf("%d: ja out of range", i)
			}
		case JeqK, JgtK, JgeK, JsetK, JeqX, JgtX, JgeX, JsetX:
			if i+1+int(in.Jt) >= len(prog) || i+1+int(in.Jf) >= len(prog) {
				return fmt.Errorf("%d: conditional jump out of range", i)
			}
		default:
			return fmt.Errorf("%d: opcode %#x not allowed in seccomp filters", i, in.Code)
		}
	}
	last := prog[len(prog)-1].Code
	if last != RetK && last != RetA && last != Ja {
		return fmt.Errorf("program does not end with a return")
	}
	return nil
}

func word(d seccomp.Data, off uint32) uint32 {
	switch {
	case off == OffNr:
		return uint32(d.Nr)
	case off == OffArch:
		return d.Arch
	case off == OffIP:
		return uint32(d.InstructionPointer)
	case off == OffIP+4:
		return uint32(d.InstructionPointer >> 32)
	case off >= OffArgs && off < OffArgs+48:
		a := d.Args[(off-OffArgs)/8]
		if (off-OffArgs)%8 == 0 {
			return uint32(a)
		}
		return uint32(a >> 32)
	}
	return 0
}

// Run executes prog on d like the kernel and returns the filter's value
// and the indices of the instructions executed.
func Run(prog []Instruction, d seccomp.Data) (uint32, []int, error) {
	return run(prog, d, false)
}

// RunNoArgs is Run that fails with ErrArgLoad if the path loads anything
// but nr or arch or uses scratch memory: the check the kernel's action
// cache makes before caching a syscall number.
func RunNoArgs(prog []Instruction, d seccomp.Data) (uint32, []int, error) {
	return run(prog, d, true)
}

func run(prog []Instruction, d seccomp.Data, noArgs bool) (uint32, []int, error) {
	if err := Validate(prog); err != nil {
		return 0, nil, err
	}
	var a, x uint32
	var mem [16]uint32
	var trace []int
	for pc := 0; pc < len(prog); pc++ {
		trace = append(trace, pc)
		in := prog[pc]
		switch in.Code {
		case LdAbsW:
			if noArgs && in.K != OffNr && in.K != OffArch {
				return 0, trace, ErrArgLoad
			}
			a = word(d, in.K)
		case LdLen:
			a = 64
		case LdImm:
			a = in.K
		case LdxImm:
			x = in.K
		case LdMem, LdxMem, St, Stx:
			if noArgs {
				return 0, trace, ErrArgLoad
			}
			switch in.Code {
			case LdMem:
				a = mem[in.K]
			case LdxMem:
				x = mem[in.K]
			case St:
				mem[in.K] = a
			case Stx:
				mem[in.K] = x
			}
		case AndK:
			a &= in.K
		case OrK:
			a |= in.K
		case AddK:
			a += in.K
		case SubK:
			a -= in.K
		case RshK:
			a >>= in.K & 31
		case LshK:
			a <<= in.K & 31
		case Tax:
			x = a
		case Txa:
			a = x
		case Ja:
			pc += int(in.K)
		case JeqK, JgtK, JgeK, JsetK, JeqX, JgtX, JgeX, JsetX:
			v := in.K
			if in.Code&0x08 != 0 {
				if noArgs {
					return 0, trace, ErrArgLoad
				}
				v = x
			}
			var ok bool
			switch in.Code &^ 0x08 {
			case JeqK:
				ok = a == v
			case JgtK:
				ok = a > v
			case JgeK:
				ok = a >= v
			case JsetK:
				ok = a&v != 0
			}
			if ok {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case RetK:
			return in.K, trace, nil
		case RetA:
			return a, trace, nil
		}
	}
	return 0, trace, errors.New("fell off the end of the program")
}

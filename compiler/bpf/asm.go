package bpf

import "fmt"

// The assembler: instructions with symbolic jump targets, laid out with
// JA trampolines wherever a conditional jump would exceed 8 bits.

type label int

const next label = -1 // fall through to the following instruction

type ins struct {
	code   uint16
	k      uint32
	jt, jf label // for conditional jumps; for JA, jt is the target
	at     []label
}

type asm struct {
	code   []ins
	nlabel int
	// pending labels attach to the next emitted instruction.
	pending []label
}

func (a *asm) newLabel() label { a.nlabel++; return label(a.nlabel - 1) }

func (a *asm) mark(l label) { a.pending = append(a.pending, l) }

func (a *asm) emit(i ins) {
	i.at = append(i.at, a.pending...)
	a.pending = nil
	a.code = append(a.code, i)
}

func (a *asm) load(off uint32) { a.emit(ins{code: LdAbsW, k: off, jt: next, jf: next}) }
func (a *asm) ret(v uint32)    { a.emit(ins{code: RetK, k: v, jt: next, jf: next}) }
func (a *asm) ja(l label)      { a.emit(ins{code: Ja, jt: l, jf: next}) }
func (a *asm) jmp(op uint16, k uint32, t, f label) {
	a.emit(ins{code: op, k: k, jt: t, jf: f})
}
func (a *asm) and(k uint32) { a.emit(ins{code: AndK, k: k, jt: next, jf: next}) }

func isCond(c uint16) bool {
	switch c {
	case JeqK, JgtK, JgeK, JsetK, JeqX, JgtX, JgeX, JsetX:
		return true
	}
	return false
}

// link resolves labels, inserting trampolines until every conditional
// jump fits in 8 bits.
func (a *asm) link() ([]Instruction, error) {
	if len(a.pending) > 0 {
		return nil, fmt.Errorf("bpf: label at end of program")
	}
	code := a.code
	for iter := 0; ; iter++ {
		if iter > MaxInstructions {
			return nil, fmt.Errorf("bpf: jump layout did not converge")
		}
		pos := map[label]int{}
		for i, in := range code {
			for _, l := range in.at {
				pos[l] = i
			}
		}
		target := func(i int, l label) int {
			if l == next {
				return i + 1
			}
			p, ok := pos[l]
			if !ok {
				panic(fmt.Sprintf("bpf: undefined label %d", l))
			}
			return p
		}
		// Find the first conditional jump that is too far; give it a
		// trampoline right after it and start over.
		fixed := false
		for i, in := range code {
			if !isCond(in.code) {
				continue
			}
			for _, isT := range []bool{true, false} {
				l := in.jf
				if isT {
					l = in.jt
				}
				d := target(i, l) - i - 1
				if d < 0 {
					return nil, fmt.Errorf("bpf: backward jump at %d", i)
				}
				if d <= 255 {
					continue
				}
				// insert "ja l" after i; the far side now jumps to it.
				tramp := ins{code: Ja, jt: l, jf: next}
				tl := label(a.nlabel)
				a.nlabel++
				tramp.at = []label{tl}
				code = append(code[:i+1], append([]ins{tramp}, code[i+1:]...)...)
				// the other side's fall-through must skip the trampoline
				if isT {
					code[i].jt = tl
					if code[i].jf == next {
						nl := a.newLabel()
						code[i+2].at = append(code[i+2].at, nl)
						code[i].jf = nl
					}
				} else {
					code[i].jf = tl
					if code[i].jt == next {
						nl := a.newLabel()
						code[i+2].at = append(code[i+2].at, nl)
						code[i].jt = nl
					}
				}
				fixed = true
				break
			}
			if fixed {
				break
			}
		}
		if fixed {
			continue
		}
		out := make([]Instruction, len(code))
		for i, in := range code {
			out[i] = Instruction{Code: in.code, K: in.k}
			switch {
			case in.code == Ja:
				out[i].K = uint32(target(i, in.jt) - i - 1)
			case isCond(in.code):
				out[i].Jt = uint8(target(i, in.jt) - i - 1)
				out[i].Jf = uint8(target(i, in.jf) - i - 1)
			}
		}
		if len(out) > MaxInstructions {
			return nil, fmt.Errorf("the filter needs %d instructions, more than the kernel's limit of %d; split the policy (fewer argument rules or fewer separate syscall ranges)", len(out), MaxInstructions)
		}
		return out, nil
	}
}

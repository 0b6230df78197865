package bpf

import (
	"fmt"
	"sort"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// outcome of a range of syscall numbers: an action, or an argument block.
type outcome struct {
	ret   uint32
	block int // index into the arg blocks; -1 for a plain return
}

// numRun is a maximal range [lo, hi] of numbers with one outcome.
type numRun struct {
	lo, hi uint64
	out    outcome
	weight float64
}

// Runs returns the runs of a policy over all 32-bit numbers.
func Runs(p *seccomp.Policy) []numRun {
	var rs []numRun
	add := func(lo, hi uint64, o outcome) {
		if lo > hi {
			return
		}
		if n := len(rs); n > 0 && rs[n-1].out == o && rs[n-1].hi+1 == lo {
			rs[n-1].hi = hi
			return
		}
		rs = append(rs, numRun{lo: lo, hi: hi, out: o})
	}
	def := outcome{ret: p.Default.Ret(), block: -1}
	limit := uint64(1<<32 - 1)
	if p.Arch == sysnum.X86_64 {
		limit = sysnum.X32SyscallBit - 1
	}
	cur := uint64(0)
	blocks := 0
	for _, s := range p.Syscalls {
		nr := uint64(uint32(s.Nr))
		if nr > limit {
			continue
		}
		if nr > cur {
			add(cur, nr-1, def)
		}
		o := outcome{block: -1}
		if a, ok := s.Unconditional(); ok {
			o.ret = a.Ret()
		} else {
			o.block = blocks
			blocks++
		}
		add(nr, nr, o)
		cur = nr + 1
	}
	add(cur, limit, def)
	if p.Arch == sysnum.X86_64 {
		add(sysnum.X32SyscallBit, 1<<32-1, outcome{ret: p.X32.Ret(), block: -1})
	}
	for i := range rs {
		// Weight: how many of the numbers 0..511 the run covers (the
		// distribution the floor is measured over), at least a little so
		// far ranges keep a place in the tree.
		lo, hi := rs[i].lo, rs[i].hi
		w := 0.0
		if lo <= 511 {
			w = float64(min(hi, 511) - lo + 1)
		}
		rs[i].weight = w + 0.01
	}
	return rs
}

// Compile builds one program for the whole filter.
func Compile(f *seccomp.Filter) ([]Instruction, error) {
	if len(f.Policies) == 0 {
		return nil, fmt.Errorf("bpf: filter has no policy")
	}
	a := &asm{}
	a.load(OffArch)
	archLabels := make([]label, len(f.Policies))
	for i, p := range f.Policies {
		archLabels[i] = a.newLabel()
		if i == 0 {
			// Native first, falling through to its tree: the common path
			// costs one compare.
			rest := a.newLabel()
			a.jmp(JeqK, p.Arch.AuditArch, next, rest)
			compilePolicy(a, p)
			a.mark(rest)
			continue
		}
		a.jmp(JeqK, p.Arch.AuditArch, archLabels[i], next)
	}
	a.ret(f.Foreign.Ret())
	for i, p := range f.Policies[1:] {
		a.mark(archLabels[i+1])
		compilePolicy(a, p)
	}
	return a.link()
}

type blockRef struct {
	l label
	s *seccomp.Syscall
}

func compilePolicy(a *asm, p *seccomp.Policy) {
	a.load(OffNr)
	rs := Runs(p)
	var blocks []blockRef
	for i := range p.Syscalls {
		s := &p.Syscalls[i]
		if _, ok := s.Unconditional(); ok {
			continue
		}
		if p.Arch == sysnum.X86_64 && uint32(s.Nr) >= sysnum.X32SyscallBit {
			continue
		}
		blocks = append(blocks, blockRef{l: a.newLabel(), s: s})
	}
	pool := map[uint32]label{}
	t := &treeGen{a: a, blocks: blocks, pool: pool}
	t.tree(rs)
	// One shared return per action, right after the tree: leaves jump to
	// them directly, so a leaf costs no instruction of its own.
	rets := make([]uint32, 0, len(pool))
	for r := range pool {
		rets = append(rets, r)
	}
	sort.Slice(rets, func(i, j int) bool { return rets[i] < rets[j] })
	for _, r := range rets {
		a.mark(pool[r])
		a.ret(r)
	}
	for _, b := range blocks {
		a.mark(b.l)
		argBlock(a, b.s)
	}
}

type treeGen struct {
	a      *asm
	blocks []blockRef
	pool   map[uint32]label
}

// leaf is where a single run's numbers go: its shared return, or its
// argument block.
func (t *treeGen) leaf(r numRun) label {
	if r.out.block >= 0 {
		return t.blocks[r.out.block].l
	}
	l, ok := t.pool[r.out.ret]
	if !ok {
		l = t.a.newLabel()
		t.pool[r.out.ret] = l
	}
	return l
}

// tree emits a weight-balanced search over runs: at each node the split
// puts about half the weight on each side; "nr >= boundary" goes right.
// Children that are single runs are jumped to directly.
func (t *treeGen) tree(rs []numRun) {
	a := t.a
	if len(rs) == 1 {
		a.ja(t.leaf(rs[0]))
		return
	}
	total := 0.0
	for _, r := range rs {
		total += r.weight
	}
	best, bestDiff, left := 1, total+1, 0.0
	for i := 1; i < len(rs); i++ {
		left += rs[i-1].weight
		d := left - (total - left)
		if d < 0 {
			d = -d
		}
		if d < bestDiff {
			best, bestDiff = i, d
		}
	}
	l, r := rs[:best], rs[best:]
	k := uint32(rs[best].lo)
	switch {
	case len(l) == 1 && len(r) == 1:
		a.jmp(JgeK, k, t.leaf(r[0]), t.leaf(l[0]))
	case len(l) == 1:
		a.jmp(JgeK, k, next, t.leaf(l[0]))
		t.tree(r)
	case len(r) == 1:
		a.jmp(JgeK, k, t.leaf(r[0]), next)
		t.tree(l)
	default:
		right := a.newLabel()
		a.jmp(JgeK, k, right, next)
		t.tree(l)
		a.mark(right)
		t.tree(r)
	}
}

// argBlock emits the rules of one syscall: first matching rule wins.
func argBlock(a *asm, s *seccomp.Syscall) {
	for _, r := range s.Rules {
		fail := a.newLabel()
		for _, c := range r.Conds {
			cond(a, c, fail)
		}
		a.ret(r.Action.Ret())
		a.mark(fail)
	}
	a.ret(s.Else.Ret())
}

// cond emits a test of one argument that falls through when it holds and
// jumps to fail otherwise. 64-bit conditions check both halves.
func cond(a *asm, c seccomp.Cond, fail label) {
	lo := uint32(OffArgs + 8*c.Arg)
	hi := lo + 4
	v := c.Value
	if c.Width == 32 {
		a.load(lo)
		vl := uint32(v)
		switch c.Op {
		case seccomp.OpEQ:
			a.jmp(JeqK, vl, next, fail)
		case seccomp.OpNE:
			a.jmp(JeqK, vl, fail, next)
		case seccomp.OpMaskedEQ:
			a.and(uint32(c.Mask))
			a.jmp(JeqK, vl, next, fail)
		case seccomp.OpGE:
			a.jmp(JgeK, vl, next, fail)
		case seccomp.OpGT:
			a.jmp(JgtK, vl, next, fail)
		case seccomp.OpLE:
			a.jmp(JgtK, vl, fail, next)
		case seccomp.OpLT:
			a.jmp(JgeK, vl, fail, next)
		}
		return
	}
	vh, vl := uint32(v>>32), uint32(v)
	pass := a.newLabel()
	switch c.Op {
	case seccomp.OpEQ:
		a.load(hi)
		a.jmp(JeqK, vh, next, fail)
		a.load(lo)
		a.jmp(JeqK, vl, next, fail)
	case seccomp.OpNE:
		a.load(hi)
		a.jmp(JeqK, vh, next, pass)
		a.load(lo)
		a.jmp(JeqK, vl, fail, next)
	case seccomp.OpMaskedEQ:
		mh, ml := uint32(c.Mask>>32), uint32(c.Mask)
		a.load(hi)
		a.and(mh)
		a.jmp(JeqK, vh, next, fail)
		a.load(lo)
		a.and(ml)
		a.jmp(JeqK, vl, next, fail)
	case seccomp.OpGE, seccomp.OpGT:
		a.load(hi)
		a.jmp(JgtK, vh, pass, next)
		a.jmp(JeqK, vh, next, fail)
		a.load(lo)
		op := uint16(JgeK)
		if c.Op == seccomp.OpGT {
			op = JgtK
		}
		a.jmp(op, vl, next, fail)
	case seccomp.OpLE, seccomp.OpLT:
		a.load(hi)
		a.jmp(JgtK, vh, fail, next)
		a.jmp(JeqK, vh, next, pass)
		a.load(lo)
		op := uint16(JgtK) // LE fails when lo > vl
		if c.Op == seccomp.OpLT {
			op = JgeK // LT fails when lo >= vl
		}
		a.jmp(op, vl, fail, next)
	}
	a.mark(pass)
	// A label needs an instruction to attach to; the caller always emits
	// one next (another condition's load or the rule's return).
}

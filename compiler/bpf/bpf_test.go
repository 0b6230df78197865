package bpf

import (
	"math/rand"
	"testing"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

var actions = []seccomp.Action{
	seccomp.ActAllow, seccomp.ActErrno(1), seccomp.ActErrno(13), seccomp.ActKillProcess,
	seccomp.ActKillThread, seccomp.ActLog, seccomp.ActErrno(95),
}

func randAction(r *rand.Rand) seccomp.Action { return actions[r.Intn(len(actions))] }

var interesting = []uint64{0, 1, 2, 6, 0x80, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000001, 0xffffffff00000000, 0xffffffffffffffff}

func randValue(r *rand.Rand) uint64 {
	switch r.Intn(3) {
	case 0:
		return interesting[r.Intn(len(interesting))]
	case 1:
		return uint64(r.Intn(8))
	}
	return r.Uint64()
}

func randPolicy(r *rand.Rand, arch *sysnum.Arch, n int) *seccomp.Policy {
	p := &seccomp.Policy{Arch: arch, Default: randAction(r), X32: randAction(r)}
	for i := 0; i < n; i++ {
		s := seccomp.Syscall{Nr: r.Intn(520), Else: randAction(r)}
		if r.Intn(4) == 0 {
			for j := r.Intn(3) + 1; j > 0; j-- {
				rule := seccomp.Rule{Action: randAction(r)}
				for k := r.Intn(3) + 1; k > 0; k-- {
					c := seccomp.Cond{Arg: r.Intn(6), Op: seccomp.Op(r.Intn(7)), Value: randValue(r), Mask: randValue(r), Width: 32}
					if r.Intn(2) == 0 {
						c.Width = 64
					}
					rule.Conds = append(rule.Conds, c)
				}
				s.Rules = append(s.Rules, rule)
			}
		}
		p.Set(s)
	}
	return p
}

func randData(r *rand.Rand, f *seccomp.Filter, p *seccomp.Policy) seccomp.Data {
	d := seccomp.Data{Arch: p.Arch.AuditArch}
	switch r.Intn(10) {
	case 0:
		d.Nr = int32(sysnum.X32SyscallBit + r.Intn(600))
	case 1:
		d.Nr = int32(uint32(0x80000000 + r.Intn(1000)))
	case 2:
		d.Arch = []uint32{0, 0xc00000b7, 0x40000003, 0xc000003e, 0x40000028, 0xdeadbeef}[r.Intn(6)]
		d.Nr = int32(r.Intn(520))
	default:
		if len(p.Syscalls) > 0 && r.Intn(2) == 0 {
			d.Nr = int32(p.Syscalls[r.Intn(len(p.Syscalls))].Nr + r.Intn(3) - 1)
		} else {
			d.Nr = int32(r.Intn(600))
		}
	}
	for i := range d.Args {
		d.Args[i] = randValue(r)
	}
	// Arguments equal to a condition's value, and ±1, for the boundaries.
	if s, ok := p.Lookup(int(d.Nr)); ok && len(s.Rules) > 0 {
		rule := s.Rules[r.Intn(len(s.Rules))]
		for _, c := range rule.Conds {
			d.Args[c.Arg] = c.Value + uint64(r.Intn(3)) - 1
		}
	}
	return d
}

// The compiled program answers exactly like the policy's reference
// semantics, for random policies and inputs chosen at the edges.
func TestCompileMatchesEval(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 300; iter++ {
		native := randPolicy(r, sysnum.X86_64, r.Intn(120))
		f := &seccomp.Filter{Policies: []*seccomp.Policy{native}, Foreign: randAction(r)}
		if r.Intn(2) == 0 {
			f.Policies = append(f.Policies, randPolicy(r, sysnum.I386, r.Intn(60)))
		}
		prog, err := Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 400; k++ {
			p := f.Policies[r.Intn(len(f.Policies))]
			d := randData(r, f, p)
			got, _, err := Run(prog, d)
			if err != nil {
				t.Fatalf("iteration %d: %v", iter, err)
			}
			if want := f.Eval(d).Ret(); got != want {
				t.Fatalf("iteration %d: nr %d arch %#x args %x: program %s, policy %s\n%s", iter, d.Nr, d.Arch, d.Args,
					ActionName(got, nil), ActionName(want, nil), Disasm(prog, nil))
			}
		}
	}
}

// Policies with hundreds of alternating runs need jumps beyond 255; they
// must still be exact (Firejail's optimizer wraps such offsets).
func TestLongJumps(t *testing.T) {
	p := &seccomp.Policy{Arch: sysnum.X86_64, Default: seccomp.ActAllow, X32: seccomp.ActKillProcess}
	for nr := 0; nr < 460; nr += 2 {
		p.Set(seccomp.Syscall{Nr: nr, Else: seccomp.ActErrno(uint16(1 + nr%7))})
	}
	for nr := 1; nr < 40; nr += 4 {
		p.Set(seccomp.Syscall{Nr: nr, Rules: []seccomp.Rule{{Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEQ, Value: uint64(nr), Width: 64}}, Action: seccomp.ActKillProcess}}, Else: seccomp.ActAllow})
	}
	f := &seccomp.Filter{Policies: []*seccomp.Policy{p, {Arch: sysnum.I386, Default: seccomp.ActErrno(1)}}, Foreign: seccomp.ActKillProcess}
	prog, err := Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog) < 300 {
		t.Fatalf("program of %d instructions does not exercise long jumps", len(prog))
	}
	jas := 0
	for _, in := range prog {
		if in.Code == Ja {
			jas++
		}
	}
	if jas == 0 {
		t.Errorf("no JA in a %d-instruction program: trampolines were not needed?", len(prog))
	}
	for nr := 0; nr < 1024; nr++ {
		for _, a0 := range []uint64{0, uint64(nr), uint64(nr) + 1<<32} {
			d := seccomp.Data{Nr: int32(nr), Arch: sysnum.X86_64.AuditArch, Args: [6]uint64{a0}}
			got, _, err := Run(prog, d)
			if err != nil {
				t.Fatal(err)
			}
			if want := f.Eval(d).Ret(); got != want {
				t.Fatalf("nr %d arg0 %#x: got %#x want %#x", nr, a0, got, want)
			}
		}
	}
}

// Every number whose outcome is an unconditional ALLOW is decided without
// touching arguments: the kernel's action cache can serve it.
func TestCacheable(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for iter := 0; iter < 50; iter++ {
		p := randPolicy(r, sysnum.X86_64, 100)
		p.Default = seccomp.ActAllow
		f := &seccomp.Filter{Policies: []*seccomp.Policy{p}, Foreign: seccomp.ActKillProcess}
		prog, err := Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		st, err := Measure(prog, p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Cached != st.Allowed {
			t.Fatalf("only %d of %d unconditionally allowed numbers are cacheable", st.Cached, st.Allowed)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	prog := []Instruction{{LdAbsW, 0, 0, 4}, {JeqK, 1, 0, 0xc000003e}, {RetK, 0, 0, 0x7fff0000}, {RetK, 0, 0, 0}}
	b := Marshal(prog)
	if len(b) != 32 || b[0] != 0x20 || b[4] != 4 {
		t.Fatalf("encoding: % x", b)
	}
	back, err := Unmarshal(b)
	if err != nil || len(back) != 4 || back[1] != prog[1] {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if _, err := Unmarshal(b[:7]); err == nil {
		t.Error("Unmarshal accepted a partial instruction")
	}
}

func TestValidateRejects(t *testing.T) {
	for name, prog := range map[string][]Instruction{
		"empty":        nil,
		"no return":    {{LdAbsW, 0, 0, 0}},
		"jump too far": {{JeqK, 5, 0, 0}, {RetK, 0, 0, 0}},
		"bad load":     {{LdAbsW, 0, 0, 64}, {RetK, 0, 0, 0}},
		"unaligned":    {{LdAbsW, 0, 0, 2}, {RetK, 0, 0, 0}},
		"bad opcode":   {{0x30, 0, 0, 0}, {RetK, 0, 0, 0}},
	} {
		if Validate(prog) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

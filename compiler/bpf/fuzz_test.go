package bpf

import (
	"encoding/binary"
	"testing"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// FuzzCompile (modelled on gVisor's secfuzz): the fuzzer's bytes become a
// policy (numbers, actions, argument rules, architectures) and a set of
// inputs; the compiled program must answer exactly like the policy.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{41, 0, 3, 1, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255})
	f.Add([]byte{255, 1, 200, 1, 100, 2, 7, 3, 7, 4, 0x40, 0, 0, 0, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 {
			return
		}
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		u64 := func() uint64 {
			var b [8]byte
			for i := range b {
				b[i] = next()
			}
			return binary.LittleEndian.Uint64(b[:])
		}
		act := func() seccomp.Action { return actions[int(next())%len(actions)] }
		arches := []*sysnum.Arch{sysnum.X86_64, sysnum.I386, sysnum.AArch64, sysnum.ARM}
		f := &seccomp.Filter{Foreign: act()}
		for n := int(next())%2 + 1; n > 0; n-- {
			p := &seccomp.Policy{Arch: arches[(int(next())+n)%4], Default: act(), X32: act()}
			for k := int(next()) % 40; k > 0; k-- {
				s := seccomp.Syscall{Nr: int(next()) * 2, Else: act()}
				if next()%3 == 0 {
					rule := seccomp.Rule{Action: act()}
					for c := int(next())%3 + 1; c > 0; c-- {
						w := 32
						if next()%2 == 0 {
							w = 64
						}
						rule.Conds = append(rule.Conds, seccomp.Cond{Arg: int(next()) % 6, Op: seccomp.Op(next() % 7), Mask: u64(), Value: u64(), Width: w})
					}
					s.Rules = append(s.Rules, rule)
				}
				p.Set(s)
			}
			f.Policies = append(f.Policies, p)
		}
		prog, err := Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 64; i++ {
			p := f.Policies[i%len(f.Policies)]
			d := seccomp.Data{Arch: p.Arch.AuditArch, Nr: int32(uint32(next()) * uint32(i+1))}
			if i%7 == 0 {
				d.Nr |= 0x40000000
			}
			if i%11 == 0 {
				d.Arch = uint32(u64())
			}
			if s, ok := p.Lookup(int(d.Nr)); ok && len(s.Rules) > 0 {
				for _, c := range s.Rules[0].Conds {
					d.Args[c.Arg] = c.Value + uint64(int(next())%3) - 1
				}
			} else {
				d.Args[next()%6] = u64()
			}
			got, _, err := Run(prog, d)
			if err != nil {
				t.Fatal(err)
			}
			if want := f.Eval(d).Ret(); got != want {
				t.Fatalf("nr %d arch %#x args %x: program %#x, policy %#x", d.Nr, d.Arch, d.Args, got, want)
			}
		}
	})
}

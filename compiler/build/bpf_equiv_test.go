package build_test

import (
	"crypto/sha256"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/frontend"
)

// Issue 4, done-means 1: for every stock profile's seccomp policy, on all
// four architectures, the compiled program equals direct evaluation for
// every number 0..1024, x32 numbers, foreign architectures and the
// interesting argument values of each rule (each constant, ±1, halves).
func TestStockFiltersEquivalent(t *testing.T) {
	files, _ := filepath.Glob("/etc/firejail/*.profile")
	if len(files) == 0 {
		t.Skip("firejail-profiles is not installed")
	}
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[32]byte]bool{}
	programs, runs := 0, 0
	for _, f := range files {
		p, err := build.Build(sess.Check(f), build.Options{Env: sess.Env(), Config: sess.Config()})
		if err != nil || !p.Seccomp.Enabled {
			continue
		}
		key, _ := json.Marshal(p.Seccomp.Policies)
		h := sha256.Sum256(key)
		if seen[h] {
			continue
		}
		seen[h] = true
		for _, host := range []*sysnum.Arch{sysnum.X86_64, sysnum.AArch64, sysnum.I386, sysnum.ARM} {
			filter, err := p.Seccomp.Filter(host)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			prog, err := bpf.Compile(filter)
			if err != nil {
				t.Fatalf("%s %s: %v", f, host.Name, err)
			}
			programs++
			var datas []seccomp.Data
			for _, pol := range filter.Policies {
				for nr := 0; nr <= 1024; nr++ {
					datas = append(datas, seccomp.Data{Nr: int32(nr), Arch: pol.Arch.AuditArch})
				}
				for _, nr := range []uint32{0x40000000, 0x40000029, 0x4000003b, 0x7fffffff, 0x80000000, 0xffffffff} {
					datas = append(datas, seccomp.Data{Nr: int32(nr), Arch: pol.Arch.AuditArch})
				}
				for _, s := range pol.Syscalls {
					for _, r := range s.Rules {
						for _, c := range r.Conds {
							for _, v := range []uint64{c.Value, c.Value + 1, c.Value - 1, c.Value | c.Mask, c.Value ^ 1<<32, c.Value & 0xffffffff, c.Value | 0xffffffff00000000} {
								d := seccomp.Data{Nr: int32(s.Nr), Arch: pol.Arch.AuditArch}
								d.Args[c.Arg] = v
								datas = append(datas, d)
							}
						}
					}
				}
			}
			for _, a := range []uint32{0, 0xc000003e, 0x40000003, 0xc00000b7, 0x40000028, 0xc0000028, 0x80000016} {
				datas = append(datas, seccomp.Data{Nr: 59, Arch: a})
			}
			for _, d := range datas {
				got, _, err := bpf.Run(prog, d)
				if err != nil {
					t.Fatal(err)
				}
				runs++
				if want := filter.Eval(d).Ret(); got != want {
					t.Fatalf("%s (host %s): nr %d arch %#x args %x: program %#x, policy %#x", f, host.Name, d.Nr, d.Arch, d.Args, got, want)
				}
			}
		}
	}
	t.Logf("%d distinct stock policies, %d programs, %d evaluations, all equal", len(seen), programs, runs)
}

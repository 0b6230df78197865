package bpf

import (
	"os"
	"testing"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// TestDisasmGolden pins the disassembly of a small two-architecture
// filter: protocol unix,inet on socket, mount denied, i386 with its own
// numbers, everything else allowed. JAILC_UPDATE=1 rewrites the golden.
func TestDisasmGolden(t *testing.T) {
	native := &seccomp.Policy{Arch: sysnum.X86_64, Default: seccomp.ActAllow, X32: seccomp.ActErrno(1)}
	native.Set(seccomp.Syscall{Nr: 165, Else: seccomp.ActErrno(1)})
	native.Set(seccomp.Syscall{Nr: 41, Rules: []seccomp.Rule{
		{Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEQ, Value: 1, Width: 32}}, Action: seccomp.ActAllow},
		{Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEQ, Value: 2, Width: 32}}, Action: seccomp.ActAllow},
	}, Else: seccomp.ActErrno(95)})
	compat := &seccomp.Policy{Arch: sysnum.I386, Default: seccomp.ActAllow}
	compat.Set(seccomp.Syscall{Nr: 21, Else: seccomp.ActKillProcess})
	prog, err := Compile(&seccomp.Filter{Policies: []*seccomp.Policy{native, compat}, Foreign: seccomp.ActKillProcess})
	if err != nil {
		t.Fatal(err)
	}
	names := map[int]string{1: "EPERM", 95: "EOPNOTSUPP"}
	got := Disasm(prog, func(n int) string { return names[n] })
	const golden = "testdata/disasm_protocol.golden"
	if os.Getenv("JAILC_UPDATE") != "" {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("disassembly changed:\n%s\nwant:\n%s", got, want)
	}
}

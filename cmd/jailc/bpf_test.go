package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/seccomp"
)

func TestBPFCommand(t *testing.T) {
	dir := t.TempDir()
	prof := write(t, dir, "s.profile", "seccomp\nprotocol unix,inet\n")
	out := filepath.Join(dir, "f.bpf")
	if code, _, errs := jailc(t, "bpf", "--config", "/dev/null", "-o", out, prof); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(out)
	if err != nil || len(data)%8 != 0 || len(data) == 0 {
		t.Fatalf("output file: %d bytes, %v", len(data), err)
	}
	prog, err := bpf.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	// The written program really denies mount and inet6 sockets.
	for _, c := range []struct {
		d    seccomp.Data
		want uint32
	}{
		{seccomp.Data{Nr: 165, Arch: 0xc000003e}, seccomp.RetErrno | 1},
		{seccomp.Data{Nr: 41, Arch: 0xc000003e, Args: [6]uint64{10}}, seccomp.RetErrno | 95},
		{seccomp.Data{Nr: 41, Arch: 0xc000003e, Args: [6]uint64{2}}, seccomp.RetAllow},
		{seccomp.Data{Nr: 0, Arch: 0xc00000b7}, seccomp.RetKillProcess},
	} {
		if got, _, err := bpf.Run(prog, c.d); err != nil || got != c.want {
			t.Errorf("nr %d arch %#x: %#x, want %#x (%v)", c.d.Nr, c.d.Arch, got, c.want, err)
		}
	}
	code, stdout, _ := jailc(t, "bpf", "--config", "/dev/null", "--eval", "socket(10,1,0)", prof)
	if code != 0 || !strings.Contains(stdout, "x86_64 socket(41)") || !strings.Contains(stdout, "ERRNO(95) EOPNOTSUPP") {
		t.Errorf("eval: %d %q", code, stdout)
	}
	code, stdout, _ = jailc(t, "bpf", "--config", "/dev/null", "--eval", "i386:mount", prof)
	if code != 0 || !strings.Contains(stdout, "i386 mount(21)") || !strings.Contains(stdout, "ERRNO(1) EPERM") {
		t.Errorf("eval i386: %d %q", code, stdout)
	}
	code, stdout, _ = jailc(t, "bpf", "--config", "/dev/null", "--disasm", prof)
	if code != 0 || !strings.Contains(stdout, "jeq  AUDIT_ARCH_X86_64") || !strings.Contains(stdout, "41 socket") || !strings.Contains(stdout, "ret ERRNO(95) EOPNOTSUPP") {
		t.Errorf("disasm:\n%s", stdout)
	}
	code, stdout, _ = jailc(t, "bpf", "--config", "/dev/null", "--stats", prof)
	if code != 0 || !strings.Contains(stdout, "x86_64:") || !strings.Contains(stdout, "action cache") {
		t.Errorf("stats: %q", stdout)
	}
	none := write(t, dir, "n.profile", "caps.drop all\n")
	if code, _, errs := jailc(t, "bpf", "--config", "/dev/null", none); code != 1 || !strings.Contains(errs, "installs no seccomp filter") {
		t.Errorf("no filter: %d %q", code, errs)
	}
}

package runtime_test

import (
	"testing"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/runtime"
)

// The kernel agrees with the compiled program and with our interpreter
// (what `jailc bpf --eval` runs): denied calls return the errno, allowed
// calls work, kill kills the process with SIGSYS.
func TestKernelAgrees(t *testing.T) {
	needRoot(t)
	errnoPlan := compile(t, "seccomp.drop getppid:EACCES,mount\n", "")
	rep := probeReport(t, errnoPlan, "-sys", "getppid", "-sys", "getuid", "-sys", "mount")
	want := map[string]string{"getppid": "EACCES", "getuid": "ok", "mount": "EPERM"}
	for k, v := range want {
		if rep.Syscalls[k] != v {
			t.Errorf("kernel: %s = %s, want %s", k, rep.Syscalls[k], v)
		}
	}
	// The interpreter on the very program installed says the same.
	raw, err := runtime.CompileFilter(errnoPlan)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := bpf.Unmarshal(raw)
	for name, ret := range map[string]uint32{"getppid": seccomp.RetErrno | 13, "getuid": seccomp.RetAllow, "mount": seccomp.RetErrno | 1} {
		nr, _ := sysnum.X86_64.Number(name)
		got, _, err := bpf.Run(prog, seccomp.Data{Nr: int32(nr), Arch: sysnum.X86_64.AuditArch})
		if err != nil || got != ret {
			t.Errorf("interpreter: %s = %#x, want %#x (%v)", name, got, ret, err)
		}
	}
	killPlan := compile(t, "seccomp.drop getppid:kill\n", "")
	r := launch(t, killPlan, "", probe, "-sys", "getuid", "-sys", "getppid")
	if r.err != nil || r.code != 128+31 {
		t.Errorf("getppid:kill: exit %d (%v), want 159 (SIGSYS)", r.code, r.err)
	}
	if r.out != "" {
		t.Errorf("the probe went on after the killing syscall: %q", r.out)
	}
}

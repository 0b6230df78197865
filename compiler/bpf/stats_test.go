package bpf

import (
	"os"
	"testing"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// firejailDefault decodes Firejail's precompiled default filter and
// returns the x86_64 numbers it denies (its JEQ constants after loading nr).
func firejailDefault(t *testing.T) ([]Instruction, map[int]bool) {
	data, err := os.ReadFile("/usr/lib/x86_64-linux-gnu/firejail/seccomp")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: Firejail's precompiled filter is missing; .ci/run installs firejail")
		}
		t.Skip("Firejail is not installed (/usr/lib/x86_64-linux-gnu/firejail/seccomp)")
	}
	prog, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	denied := map[int]bool{}
	for nr := 0; nr < 512; nr++ {
		ret, _, err := Run(prog, seccomp.Data{Nr: int32(nr), Arch: sysnum.X86_64.AuditArch})
		if err != nil {
			t.Fatal(err)
		}
		if ret != seccomp.RetAllow {
			denied[nr] = true
		}
	}
	return prog, denied
}

// Our compilation of Firejail's default blocklist agrees with Firejail's own
// program on every x86_64 number, and executes far fewer instructions.
// (Firejail returns ALLOW for foreign architectures; we do not compare that.)
func TestFirejailDefaultFilter(t *testing.T) {
	fj, denied := firejailDefault(t)
	if len(denied) != 71 {
		t.Fatalf("Firejail's default filter denies %d numbers, the reference says 71", len(denied))
	}
	p := &seccomp.Policy{Arch: sysnum.X86_64, Default: seccomp.ActAllow, X32: seccomp.ActErrno(1)}
	for nr := range denied {
		p.Set(seccomp.Syscall{Nr: nr, Else: seccomp.ActErrno(1)})
	}
	prog, err := Compile(&seccomp.Filter{Policies: []*seccomp.Policy{p}, Foreign: seccomp.ActKillProcess})
	if err != nil {
		t.Fatal(err)
	}
	fjTotal, ourTotal := 0, 0
	for nr := 0; nr < 512; nr++ {
		d := seccomp.Data{Nr: int32(nr), Arch: sysnum.X86_64.AuditArch}
		a, ta, _ := Run(fj, d)
		b, tb, _ := Run(prog, d)
		if a != b {
			t.Errorf("nr %d: Firejail %s, jailc %s", nr, ActionName(a, nil), ActionName(b, nil))
		}
		fjTotal += len(ta)
		ourTotal += len(tb)
	}
	st, err := Measure(prog, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Firejail default blocklist: Firejail %d instructions, mean %.1f executed; jailc %d instructions, mean %.2f (min %d, max %d), floor %.2f",
		len(fj), float64(fjTotal)/512, st.Length, st.Mean, st.Min, st.Max, st.Floor)
	if st.Mean > st.Floor+1 {
		t.Errorf("mean %.2f is more than one instruction above the floor %.2f", st.Mean, st.Floor)
	}
}

// Allowlists of the sizes in the anchors table.
func TestAllowlistStats(t *testing.T) {
	for _, tc := range []struct {
		name  string
		names []string
		below int
	}{
		{"ping seccomp.keep (41)", []string{"read", "write", "open", "close", "fstat", "mmap", "mprotect", "munmap", "brk", "rt_sigaction", "rt_sigprocmask", "ioctl", "access", "setitimer", "getpid", "socket", "connect", "sendto", "recvmsg", "getsockname", "setsockopt", "getsockopt", "execve", "getuid", "setuid", "geteuid", "capget", "capset", "prctl", "arch_prctl", "setresuid", "setresgid", "getgid", "fcntl", "clone", "set_robust_list", "stat", "nanosleep", "wait4", "getdents", "exit_group"}, 0},
		{"docker-like allowlist (numbers < 300 minus 21)", nil, 300},
	} {
		p := &seccomp.Policy{Arch: sysnum.X86_64, Default: seccomp.ActErrno(1), X32: seccomp.ActErrno(1)}
		for _, n := range tc.names {
			nr, ok := sysnum.X86_64.Number(n)
			if !ok {
				t.Fatalf("%s: unknown %q", tc.name, n)
			}
			p.Set(seccomp.Syscall{Nr: nr, Else: seccomp.ActAllow})
		}
		skip := map[int]bool{101: true, 165: true, 166: true, 167: true, 168: true, 169: true, 175: true, 176: true, 246: true, 155: true, 161: true, 163: true, 164: true, 159: true, 153: true, 154: true, 170: true, 171: true, 172: true, 173: true, 212: true}
		for nr := 0; nr < tc.below; nr++ {
			if !skip[nr] {
				p.Set(seccomp.Syscall{Nr: nr, Else: seccomp.ActAllow})
			}
		}
		prog, err := Compile(&seccomp.Filter{Policies: []*seccomp.Policy{p}, Foreign: seccomp.ActKillProcess})
		if err != nil {
			t.Fatal(err)
		}
		st, err := Measure(prog, p)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d instructions, mean %.2f executed (min %d, max %d), floor %.2f, %d/%d allowed numbers cacheable",
			tc.name, st.Length, st.Mean, st.Min, st.Max, st.Floor, st.Cached, st.Allowed)
		if st.Mean > st.Floor+1 {
			t.Errorf("mean %.2f is more than one instruction above the floor %.2f", st.Mean, st.Floor)
		}
		if st.Cached != st.Allowed {
			t.Errorf("%d of %d allowed numbers not cacheable", st.Allowed-st.Cached, st.Allowed)
		}
	}
}

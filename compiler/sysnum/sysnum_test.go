package sysnum

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestKnownNumbers(t *testing.T) {
	for _, c := range []struct {
		arch *Arch
		name string
		nr   int
	}{
		{X86_64, "socket", 41}, {X86_64, "clone", 56}, {X86_64, "mount", 165}, {X86_64, "process_madvise", 440},
		{I386, "socket", 359}, {I386, "clone", 120}, {I386, "mmap2", 192}, {I386, "socketcall", 102},
		{AArch64, "openat", 56}, {ARM, "socket", 281}, {ARM, "openat", 322},
	} {
		if nr, ok := c.arch.Number(c.name); !ok || nr != c.nr {
			t.Errorf("%s %s = %d, want %d", c.arch.Name, c.name, nr, c.nr)
		}
		if n, _ := c.arch.SyscallName(c.nr); n != c.name {
			t.Errorf("%s %d = %q, want %q", c.arch.Name, c.nr, n, c.name)
		}
	}
	if _, ok := AArch64.Number("open"); ok {
		t.Error("aarch64 has no open")
	}
	if !KnownAnywhere("_llseek") || KnownAnywhere("chrot") {
		t.Error("KnownAnywhere")
	}
	for _, a := range Arches() {
		s := a.Syscalls()
		for i := 1; i < len(s); i++ {
			if s[i].Nr < s[i-1].Nr {
				t.Fatalf("%s table not sorted at %d", a.Name, i)
			}
		}
	}
}

// Every (number, name) Firejail 0.9.72 knows matches our tables, for the
// native and the 32-bit table.
func TestMatchesFirejail(t *testing.T) {
	for arch, cmd := range map[*Arch]string{X86_64: "debug-syscalls", I386: "debug-syscalls32"} {
		out, err := exec.Command("/usr/lib/x86_64-linux-gnu/firejail/fseccomp", cmd).Output()
		if err != nil {
			t.Skip("fseccomp is not installed (apt-get install firejail)")
		}
		n := 0
		for _, l := range strings.Split(string(out), "\n") {
			num, name, ok := strings.Cut(l, "\t- ")
			if !ok {
				continue
			}
			v, _ := strconv.Atoi(num)
			if got, ok := arch.Number(name); !ok || got != v {
				t.Errorf("%s: Firejail says %s = %d, our table %d (%v)", arch.Name, name, v, got, ok)
			}
			if !arch.FirejailKnows(name) {
				t.Errorf("%s: FirejailKnows(%s) is false", arch.Name, name)
			}
			n++
		}
		if n < 300 {
			t.Errorf("%s: only %d entries from fseccomp", arch.Name, n)
		}
	}
	if X86_64.FirejailKnows("landlock_create_ruleset") {
		t.Error("Firejail 0.9.72 predates landlock")
	}
}

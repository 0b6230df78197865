package sysnum

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const fseccomp = "/usr/lib/x86_64-linux-gnu/firejail/fseccomp"

func TestKnownNumbers(t *testing.T) {
	for _, c := range []struct {
		arch *Arch
		name string
		nr   int
	}{
		{X86_64, "read", 0}, {X86_64, "socket", 41}, {X86_64, "clone", 56}, {X86_64, "mount", 165},
		{X86_64, "process_madvise", 440}, {X86_64, "mmap", 9}, {X86_64, "memfd_create", 319},
		{I386, "socket", 359}, {I386, "clone", 120}, {I386, "mmap2", 192}, {I386, "socketcall", 102},
		{I386, "_llseek", 140}, {I386, "_newselect", 142}, {I386, "_sysctl", 149}, {I386, "clone3", 435},
		{AArch64, "openat", 56}, {AArch64, "newfstatat", 79}, {AArch64, "clone", 220},
		{ARM, "socket", 281}, {ARM, "openat", 322}, {ARM, "restart_syscall", 0}, {ARM, "mmap2", 192},
		{ARM, "arm_sync_file_range", 341}, {ARM, "cacheflush", 0x0f0002},
		{X86_64, "_sysctl", 156},
	} {
		if nr, ok := c.arch.Number(c.name); !ok || nr != c.nr {
			t.Errorf("%s %s = %d, %v; want %d", c.arch.Name, c.name, nr, ok, c.nr)
		}
		if n, _ := c.arch.SyscallName(c.nr); n != c.name {
			t.Errorf("%s %d = %q, want %q", c.arch.Name, c.nr, n, c.name)
		}
	}
	for _, c := range []struct {
		arch *Arch
		name string
	}{
		{AArch64, "open"}, {AArch64, "fork"}, {X86_64, "_llseek"}, {X86_64, "mmap2"}, {X86_64, "socketcall"},
		{ARM, "syscall_mask"}, // an x/sys constant that is not a syscall
		{X86_64, "chrot"}, {X86_64, ""}, {X86_64, "SOCKET"},
	} {
		if nr, ok := c.arch.Number(c.name); ok {
			t.Errorf("%s has %q = %d; it should not", c.arch.Name, c.name, nr)
		}
	}
	// sync_file_range2 is arm's uapi alias of arm_sync_file_range (added by
	// the generator; x/sys lacks it). Number finds it; SyscallName(341)
	// keeps the kernel's primary name.
	if nr, ok := ARM.Number("sync_file_range2"); !ok || nr != 341 {
		t.Errorf("arm sync_file_range2 = %d, %v; want 341", nr, ok)
	}
	if _, ok := X86_64.SyscallName(-1); ok {
		t.Error("x86_64 has a syscall -1")
	}
}

func TestArches(t *testing.T) {
	got := []string{}
	for _, a := range Arches() {
		got = append(got, fmt.Sprintf("%s %#x", a.Name, a.AuditArch))
	}
	want := []string{"x86_64 0xc000003e", "i386 0x40000003", "aarch64 0xc00000b7", "arm 0x40000028"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Arches (-want +got):\n%s", diff)
	}
	for alias, want := range map[string]*Arch{
		"x86_64": X86_64, "amd64": X86_64, "i386": I386, "x86": I386, "386": I386,
		"aarch64": AArch64, "arm64": AArch64, "arm": ARM, "armhf": ARM, "armel": ARM,
		"": nil, "mips": nil, "X86_64": nil, "ppc64le": nil,
	} {
		if got := Lookup(alias); got != want {
			t.Errorf("Lookup(%q) = %v, want %v", alias, got, want)
		}
	}
	// Callers cannot disturb the package's own order.
	Arches()[0] = nil
	if Arches()[0] != X86_64 {
		t.Error("Arches returns the package's slice")
	}
	if X32SyscallBit != 0x40000000 {
		t.Error("X32SyscallBit")
	}
}

// Every table is sorted by number, each name appears once, and Number and
// SyscallName invert each other.
func TestTablesRoundTrip(t *testing.T) {
	for _, a := range Arches() {
		s := a.Syscalls()
		if len(s) < 300 {
			t.Errorf("%s: only %d syscalls", a.Name, len(s))
		}
		if !slices.IsSortedFunc(s, func(x, y Syscall) int { return x.Nr - y.Nr }) {
			t.Errorf("%s: table not sorted by number", a.Name)
		}
		seen := map[string]bool{}
		for _, e := range s {
			if seen[e.Name] {
				t.Errorf("%s: %s twice", a.Name, e.Name)
			}
			seen[e.Name] = true
			if e.Name == "" || e.Name != strings.ToLower(e.Name) || strings.HasPrefix(e.Name, "sys_") {
				t.Errorf("%s: odd name %q", a.Name, e.Name)
			}
			if nr, ok := a.Number(e.Name); !ok || nr != e.Nr {
				t.Errorf("%s: Number(%s) = %d, %v; want %d", a.Name, e.Name, nr, ok, e.Nr)
			}
			name, ok := a.SyscallName(e.Nr)
			if !ok {
				t.Errorf("%s: SyscallName(%d) missing", a.Name, e.Nr)
			} else if back, _ := a.Number(name); back != e.Nr {
				t.Errorf("%s: SyscallName(%d) = %s, which is %d", a.Name, e.Nr, name, back)
			}
			if !KnownAnywhere(e.Name) {
				t.Errorf("KnownAnywhere(%s) is false but %s has it", e.Name, a.Name)
			}
		}
		s[0].Name = "clobbered"
		if a.Syscalls()[0].Name == "clobbered" {
			t.Errorf("%s: Syscalls returns the package's table", a.Name)
		}
	}
	all := AllNames()
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Error("AllNames is not sorted and unique")
	}
	n := 0
	for _, a := range Arches() {
		n = max(n, len(a.Syscalls()))
	}
	if len(all) <= n {
		t.Errorf("AllNames has %d names, no more than one table (%d)", len(all), n)
	}
	for _, name := range []string{"_llseek", "_newselect", "_sysctl", "socketcall", "arch_prctl", "sync_file_range2"} {
		if !KnownAnywhere(name) {
			t.Errorf("KnownAnywhere(%s) is false", name)
		}
	}
	for _, name := range []string{"chrot", "__dummy_syscall__", "ni_syscall", "rtas", "syscall_mask", ""} {
		if KnownAnywhere(name) {
			t.Errorf("KnownAnywhere(%q) is true", name)
		}
	}
}

// parseFirejail reads `fseccomp debug-syscalls` output: "NR\t- NAME" lines.
func parseFirejail(t *testing.T, data []byte) []Syscall {
	t.Helper()
	var out []Syscall
	for _, l := range strings.Split(string(data), "\n") {
		num, name, ok := strings.Cut(l, "\t- ")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("bad line %q", l)
		}
		out = append(out, Syscall{strings.TrimSpace(name), v})
	}
	return out
}

// compareFirejail checks that every (name, number) of Firejail's table is in
// ours, and reports ours beyond Firejail's (kernel newer than 0.9.72).
func compareFirejail(t *testing.T, arch *Arch, fj []Syscall) {
	t.Helper()
	for _, s := range fj {
		if got, ok := arch.Number(s.Name); !ok || got != s.Nr {
			t.Errorf("%s: Firejail 0.9.72 says %s = %d, our table %d (%v)", arch.Name, s.Name, s.Nr, got, ok)
		}
		if !arch.FirejailKnows(s.Name) {
			t.Errorf("%s: FirejailKnows(%s) is false", arch.Name, s.Name)
		}
	}
	fjNames := map[string]bool{}
	for _, s := range fj {
		fjNames[s.Name] = true
	}
	var newer []string
	for _, s := range arch.Syscalls() {
		if !fjNames[s.Name] {
			newer = append(newer, s.Name)
			if arch.FirejailKnows(s.Name) {
				t.Errorf("%s: FirejailKnows(%s) is true; fseccomp does not list it", arch.Name, s.Name)
			}
		}
	}
	t.Logf("%s: Firejail knows %d names, all matching; ours has %d more: %s", arch.Name, len(fj), len(newer), strings.Join(newer, " "))
}

// The committed captures agree with our tables (runs without Firejail).
// Firejail's tables: x86_64 352 entries ending at process_madvise (440),
// i386 429 (reference §7.1).
func TestCapturesMatchTables(t *testing.T) {
	for _, c := range []struct {
		arch *Arch
		file string
		n    int
		last Syscall
	}{
		{X86_64, "firejail-0.9.72-x86_64.txt", 352, Syscall{"process_madvise", 440}},
		{I386, "firejail-0.9.72-i386.txt", 429, Syscall{"process_madvise", 440}},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		fj := parseFirejail(t, data)
		if len(fj) != c.n {
			t.Errorf("%s: %d entries, want %d", c.file, len(fj), c.n)
		}
		if len(fj) > 0 && fj[len(fj)-1] != c.last {
			t.Errorf("%s: last entry %v, want %v", c.file, fj[len(fj)-1], c.last)
		}
		compareFirejail(t, c.arch, fj)
	}
	for _, name := range []string{"landlock_create_ruleset", "epoll_pwait2", "memfd_secret", "futex_waitv"} {
		if !X86_64.FirejailKnows(name) {
			continue
		}
		t.Errorf("Firejail 0.9.72 predates %s", name)
	}
	// A finding: Firejail's i386 table starts at 1 (exit) and lacks
	// restart_syscall (0), which its x86_64 table has (219). So on i386
	// Firejail silently ignores restart_syscall; no name is mapped to a
	// different number than ours.
	if I386.FirejailKnows("restart_syscall") || !X86_64.FirejailKnows("restart_syscall") {
		t.Error("restart_syscall: Firejail 0.9.72 knows it on x86_64 only")
	}
	if nr, ok := I386.Number("restart_syscall"); !ok || nr != 0 {
		t.Error("the i386 kernel table lacks restart_syscall = 0")
	}
	if _, ok := X86_64.Number("landlock_create_ruleset"); !ok {
		t.Error("the kernel table lacks landlock_create_ruleset")
	}
	// aarch64 and arm: the kernel table stands in for Firejail's.
	if !AArch64.FirejailKnows("landlock_create_ruleset") || AArch64.FirejailKnows("open") || !ARM.FirejailKnows("socket") {
		t.Error("FirejailKnows on aarch64/arm should follow the kernel table")
	}
}

// Every (name, number) the installed fseccomp prints matches our tables,
// and the committed captures are what it prints.
func TestMatchesLiveFirejail(t *testing.T) {
	if _, err := os.Stat(fseccomp); err != nil {
		t.Skipf("%s is not installed (Firejail 0.9.72, apt-get install firejail); the committed captures are checked by TestCapturesMatchTables", fseccomp)
	}
	for _, c := range []struct {
		arch      *Arch
		cmd, file string
	}{
		{X86_64, "debug-syscalls", "firejail-0.9.72-x86_64.txt"},
		{I386, "debug-syscalls32", "firejail-0.9.72-i386.txt"},
	} {
		out, err := exec.Command(fseccomp, c.cmd).Output()
		if err != nil {
			t.Fatalf("fseccomp %s: %v", c.cmd, err)
		}
		compareFirejail(t, c.arch, parseFirejail(t, out))
		if want, _ := os.ReadFile(filepath.Join("testdata", c.file)); !bytes.Equal(out, want) {
			t.Errorf("fseccomp %s differs from testdata/%s: another Firejail version? recapture and run go generate", c.cmd, c.file)
		}
	}
}

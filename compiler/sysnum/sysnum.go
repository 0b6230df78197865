// Package sysnum holds the compiler's per-architecture syscall tables
// (x86_64, i386, aarch64, arm) with their AUDIT_ARCH values. The checker uses
// them too, to validate names in seccomp lists for the architecture a list
// applies to.
//
// The tables are generated into zsysnum.go by internal/gen from
// golang.org/x/sys/unix's zsysnum_linux_{amd64,386,arm64,arm}.go, which
// follow a newer kernel than Firejail 0.9.72 knows. What Firejail itself
// knows is recorded separately (FirejailKnows) from `fseccomp
// debug-syscalls` and `debug-syscalls32`, captured in testdata/.
//
// The syscall-name lookup is the method SyscallName: a method called Name
// cannot coexist with the Arch.Name field.
package sysnum

//go:generate go run ./internal/gen

import (
	"slices"
	"sort"
	"sync"
)

// X32SyscallBit marks x32 syscalls on AUDIT_ARCH_X86_64.
const X32SyscallBit = 0x40000000

// Syscall is one table row.
type Syscall struct {
	Name string
	Nr   int
}

// Arch is a target architecture. Name is the canonical name ("x86_64",
// "i386", "aarch64", "arm"); AuditArch the AUDIT_ARCH_* value that
// seccomp_data.arch carries for it.
type Arch struct {
	Name      string
	AuditArch uint32
	table     []Syscall
	fjNames   []string
	once      sync.Once // guards the maps below, built on first use (see index)
	byName    map[string]int
	byNr      map[int]string
	firejail  map[string]bool // nil: Firejail's table is not known here
}

func newArch(name string, audit uint32, table []Syscall, fj []string) *Arch {
	return &Arch{Name: name, AuditArch: audit, table: table, fjNames: fj}
}

// index builds the lookup maps once; processes that never look a name up
// (the sandbox stages) do not pay for it at start.
func (a *Arch) index() {
	a.once.Do(func() {
		a.byName, a.byNr = make(map[string]int, len(a.table)), make(map[int]string, len(a.table))
		for _, s := range a.table {
			if _, dup := a.byName[s.Name]; !dup {
				a.byName[s.Name] = s.Nr
			}
			if _, dup := a.byNr[s.Nr]; !dup {
				a.byNr[s.Nr] = s.Name
			}
		}
		if a.fjNames != nil {
			a.firejail = map[string]bool{}
			for _, n := range a.fjNames {
				a.firejail[n] = true
			}
		}
	})
}

// The four target architectures.
var (
	X86_64  = newArch("x86_64", 0xc000003e, tableX86_64, firejailX86_64)
	I386    = newArch("i386", 0x40000003, tableI386, firejailI386)
	AArch64 = newArch("aarch64", 0xc00000b7, tableAarch64, nil)
	ARM     = newArch("arm", 0x40000028, tableArm, nil)
)

var arches = []*Arch{X86_64, I386, AArch64, ARM}

// Arches returns the targets in a fixed order: X86_64, I386, AArch64, ARM.
func Arches() []*Arch { return slices.Clone(arches) }

// Lookup finds an architecture by its name or a common alias (Go's GOARCH
// names, Debian's arm variants); nil if none. Matching is exact.
func Lookup(name string) *Arch {
	switch name {
	case "x86_64", "amd64", "x86-64":
		return X86_64
	case "i386", "x86", "386", "i686":
		return I386
	case "aarch64", "arm64":
		return AArch64
	case "arm", "armhf", "armel", "armv7":
		return ARM
	}
	return nil
}

// Number returns the syscall number of name on a.
func (a *Arch) Number(name string) (int, bool) {
	a.index()
	n, ok := a.byName[name]
	return n, ok
}

// SyscallName returns the syscall name of nr on a. Where the kernel has two
// names for one number (arm's arm_sync_file_range and sync_file_range2) the
// alphabetically first is returned.
func (a *Arch) SyscallName(nr int) (string, bool) {
	a.index()
	n, ok := a.byNr[nr]
	return n, ok
}

// Syscalls returns a copy of the table, sorted by number (then name).
func (a *Arch) Syscalls() []Syscall { return slices.Clone(a.table) }

// FirejailKnows reports whether Firejail 0.9.72's table for a has name.
// Firejail silently ignores names its table lacks (syscalls newer than
// process_madvise, such as landlock_create_ruleset or epoll_pwait2). For
// x86_64 and i386 the answer comes from fseccomp's own tables. For aarch64
// and arm Firejail's table is not available here; the kernel table stands
// in, so this is the same as a.Number(name) succeeding.
func (a *Arch) FirejailKnows(name string) bool {
	a.index()
	if a.firejail == nil {
		_, ok := a.byName[name]
		return ok
	}
	return a.firejail[name]
}

var allNamesOnce sync.Once
var allNamesList []string

func allNames() []string {
	allNamesOnce.Do(func() { allNamesList = buildAllNames() })
	return allNamesList
}

func buildAllNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range arches {
		for _, s := range a.table {
			if !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// KnownAnywhere reports whether name is a syscall on any target.
func KnownAnywhere(name string) bool {
	all := allNames()
	i := sort.SearchStrings(all, name)
	return i < len(all) && all[i] == name
}

// AllNames returns a copy of the sorted union of names over the targets.
func AllNames() []string { return slices.Clone(allNames()) }

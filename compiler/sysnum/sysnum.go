// Package sysnum holds the compiler's per-architecture syscall tables
// (x86_64, i386, aarch64, arm) with their AUDIT_ARCH values. The checker uses
// them too, to validate names in seccomp lists for the architecture a list
// applies to. Tables are generated (zsysnum.go); see internal/gen.
package sysnum

//go:generate go run ./internal/gen

import (
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

// Arch is a target architecture.
type Arch struct {
	Name      string
	AuditArch uint32
	table     []Syscall
	fjNames   []string
	once      sync.Once // the maps are built on first use: the runner's
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

// Arches returns the targets in a fixed order.
func Arches() []*Arch { return arches }

// Lookup finds an architecture by its name or a common alias; nil if none.
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

// SyscallName returns the syscall name of nr on a.
func (a *Arch) SyscallName(nr int) (string, bool) {
	a.index()
	n, ok := a.byNr[nr]
	return n, ok
}

// Syscalls returns the table sorted by number.
func (a *Arch) Syscalls() []Syscall { return a.table }

// FirejailKnows reports whether Firejail 0.9.72's table for a has name.
// Firejail silently ignores names its table lacks. For aarch64 and arm
// Firejail's table is not available here; the kernel table stands in.
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

// AllNames returns the sorted union of names over the targets.
func AllNames() []string { return allNames() }

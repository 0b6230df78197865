package lint

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/diag"
)

// SeccompKeepStartup finds seccomp.keep lists that leave out a syscall
// every dynamically linked x86_64 program needs between execve and main.
// Firejail adds execve, execveat and prctl to a keep list itself. The list
// below was measured with Firejail 0.9.72 on Debian 12 (glibc 2.36): with
// `firejail --noprofile --seccomp.keep=LIST /bin/true`, LIST being every
// syscall `strace /bin/true` shows, removing any one of these makes the
// program fail (exit 127 from the dynamic loader, or 139), while removing
// access, brk, munmap, prlimit64, rseq, set_robust_list or set_tid_address
// does not. Older C libraries use open and fstat where glibc 2.36 uses
// openat and newfstatat; either form satisfies the rule.
var SeccompKeepStartup = &Rule{
	Name:     "seccomp-keep-startup",
	Doc:      "seccomp.keep list without a syscall that starting any dynamically linked program needs (read, openat, mmap, mprotect, ...)",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runSeccompKeepStartup,
}

// startupSyscalls are the x86_64 syscalls a dynamically linked program
// cannot start without; each entry lists alternatives.
var startupSyscalls = [][]string{
	{"read"}, {"openat", "open"}, {"close"}, {"mmap"}, {"mprotect"},
	{"newfstatat", "fstat"}, {"pread64"}, {"arch_prctl"}, {"exit_group"},
}

// allowed reports whether the policy lets a syscall through in some case.
func allowed(pol *plan.ArchPolicy, arch *sysnum.Arch, name string) bool {
	nr, ok := arch.Number(name)
	if !ok {
		return false
	}
	for _, r := range pol.Syscalls {
		if r.Nr != nr {
			continue
		}
		if r.Else == "allow" {
			return true
		}
		for _, ar := range r.Rules {
			if ar.Action == "allow" {
				return true
			}
		}
		return false
	}
	return pol.Default == "allow"
}

func runSeccompKeepStartup(p *Pass) {
	if p.Fragment || p.Plan == nil || p.Plan.Seccomp.Mode != "keep" {
		return
	}
	var pol *plan.ArchPolicy
	for i := range p.Plan.Seccomp.Policies {
		if p.Plan.Seccomp.Policies[i].Arch == sysnum.X86_64.Name {
			pol = &p.Plan.Seccomp.Policies[i]
		}
	}
	if pol == nil {
		return
	}
	var missing []string
	for _, alts := range startupSyscalls {
		ok := false
		for _, n := range alts {
			if allowed(pol, sysnum.X86_64, n) {
				ok = true
				break
			}
		}
		if !ok {
			missing = append(missing, alts[0])
		}
	}
	if len(missing) == 0 {
		return
	}
	span := p.Start()
	if o := p.Plan.Seccomp.ModeOrigin; o != nil {
		span = p.AnchorOrigin(*o)
		if e := p.EntryAt(*o); e != nil && p.InFile(e) {
			span = e.Line.Cmd.ArgSpan
		}
	}
	p.Report(Diag(span, fmt.Sprintf("seccomp.keep leaves out %s, which every dynamically linked program needs to start", strings.Join(missing, ", ")),
		"the dynamic loader reads, maps and protects the program's libraries before main; without these the program dies at start (Firejail adds only execve, execveat and prctl to a keep list)"))
}

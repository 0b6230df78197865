package lint

import (
	"github.com/jailc/jailc/lang/diag"
)

// NoSeccomp finds profiles whose sandbox has no syscall filter: no
// seccomp, seccomp.drop or seccomp.keep line applies (possibly because
// firejail.config switches seccomp off). A protocol or
// restrict-namespaces filter alone leaves every syscall open.
var NoSeccomp = &Rule{
	Name:     "no-seccomp",
	Doc:      "the sandbox has no seccomp syscall filter",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runNoSeccomp,
}

func runNoSeccomp(p *Pass) {
	if p.Fragment || p.Plan == nil || p.Plan.Seccomp.Mode != "none" {
		return
	}
	d := p.StartDiag("the sandbox has no seccomp syscall filter",
		"no seccomp, seccomp.drop or seccomp.keep line applies, so every syscall reaches the kernel (mount, ptrace, bpf, keyctl, ...); add `seccomp`")
	if len(p.Plan.Seccomp.Protocol) > 0 || len(p.Plan.Seccomp.RestrictNamespaces) > 0 {
		d.Detail = append(d.Detail, "protocol and restrict-namespaces filter only socket families and namespace calls")
	}
	p.Report(d)
}

package lint

import (
	"github.com/jailc/jailc/lang/diag"
)

// AllowDebuggers finds allow-debuggers: it lets ptrace, process_vm_readv
// and personality through the filter and makes Firejail skip every later
// include of disable-devel.inc.
var AllowDebuggers = &Rule{
	Name:     "allow-debuggers",
	Doc:      "allow-debuggers lets ptrace through and skips disable-devel.inc",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runAllowDebuggers,
}

func runAllowDebuggers(p *Pass) {
	if p.Fragment || p.Plan == nil || p.Plan.Seccomp.AllowDebuggers == nil {
		return
	}
	o := p.Plan.Seccomp.AllowDebuggers.Origin
	p.Report(Diag(p.AnchorOrigin(o), "allow-debuggers weakens the sandbox",
		"the filter uses @default instead of @default-nodebuggers (ptrace, process_vm_readv, process_vm_writev and personality pass), and Firejail skips every later include of disable-devel.inc; keep it in a .local file for debugging sessions only"))
}

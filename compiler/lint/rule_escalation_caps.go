package lint

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/diag"
)

// EscalationCaps finds caps.keep lists that keep a capability which by
// itself gives root-equivalent power or a way out of the sandbox.
var EscalationCaps = &Rule{
	Name:     "escalation-caps",
	Doc:      "caps.keep keeps a capability that amounts to root or escapes the sandbox (sys_admin, sys_module, sys_ptrace, dac_override, setuid, ...)",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runEscalationCaps,
}

// escalationCaps says why each capability is escalation-grade
// (capabilities(7)).
var escalationCaps = map[string]string{
	"sys_admin":       "mount, namespaces and most of root's other powers",
	"sys_module":      "loads kernel modules",
	"sys_rawio":       "raw I/O ports, /dev/mem and /dev/kmem",
	"sys_ptrace":      "traces and injects code into any process",
	"dac_override":    "bypasses file read, write and execute permission checks",
	"dac_read_search": "reads any file; with open_by_handle_at it reaches files outside the mount namespace",
	"setuid":          "becomes any user",
	"setgid":          "joins any group",
	"setpcap":         "grants capabilities to other processes",
	"setfcap":         "sets file capabilities on programs",
	"fowner":          "changes the mode of any file",
	"chown":           "changes the owner of any file",
	"mknod":           "creates device nodes, such as a raw disk",
	"bpf":             "loads BPF programs",
	"mac_admin":       "reconfigures the security module",
	"mac_override":    "bypasses the security module",
}

func runEscalationCaps(p *Pass) {
	if p.Fragment || p.Plan == nil || p.Plan.Credentials.CapsMode != "keep" || p.Plan.Credentials.CapsOrigin == nil {
		return
	}
	var bad, why []string
	for _, c := range p.Plan.Credentials.Bounding {
		if w, ok := escalationCaps[c]; ok {
			bad = append(bad, c)
			why = append(why, c+": "+w)
		}
	}
	if len(bad) == 0 {
		return
	}
	o := *p.Plan.Credentials.CapsOrigin
	span := p.AnchorOrigin(o)
	if e := p.EntryAt(o); e != nil && p.InFile(e) {
		span = e.Line.Cmd.ArgSpan
	}
	p.Report(Diag(span, fmt.Sprintf("caps.keep keeps %s", strings.Join(bad, ", ")),
		append([]string{"a process holding these can take over the host or leave the sandbox:"}, why...)...))
}

package lint

import (
	"github.com/jailc/jailc/lang/diag"
)

// NoCapsDrop finds profiles that leave the capability bounding set as it
// is: no caps, caps.drop or caps.keep line applies. Setuid programs in the
// sandbox (and anything started as root) then keep every capability.
var NoCapsDrop = &Rule{
	Name:     "no-caps-drop",
	Doc:      "the sandbox drops no capabilities (no caps, caps.drop or caps.keep)",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runNoCapsDrop,
}

func runNoCapsDrop(p *Pass) {
	if p.Fragment || p.Plan == nil || p.Plan.Credentials.CapsMode != "unchanged" {
		return
	}
	p.Report(p.StartDiag("the sandbox drops no capabilities",
		"no caps, caps.drop or caps.keep line applies, so setuid programs inside the sandbox keep the full capability set; add `caps.drop all`"))
}

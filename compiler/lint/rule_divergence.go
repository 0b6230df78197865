package lint

import (
	"fmt"

	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/resolve"
)

const divergenceName = "divergence"

// Divergence reports the places where jailc's sandbox for this profile
// differs from what Firejail 0.9.72 builds: the divergences the plan
// records (32-bit lists Firejail ignores or applies natively, syscall names
// its tables lack, `:log` entries it drops, seccomp.drop and seccomp.keep
// leaving i386 unfiltered, ...) and two the checker finds (whitelist-ro
// bypassing ignore, the list caps.drop and caps.keep share). Each is
// reported under the code "divergence-" + the plan's issue code, at the line
// it comes from (or the include line that brings it in).
//
// Three divergences hold for nearly every profile and say something about
// jailc rather than about the profile (jailc kills on foreign
// architectures, filters i386 with @default, kills the whole process where
// Firejail kills a thread); they are left to `jailc plan`. The others are
// warnings: under Firejail the profile protects less than it appears to.
var Divergence = &Rule{
	Name:     divergenceName,
	Doc:      "lines where Firejail 0.9.72 does something other than what the profile says (and jailc does)",
	Severity: diag.Warning,
	Category: "divergence",
	Run:      runDivergence,
}

// jailcOnly are the plan issue codes this rule leaves out.
var jailcOnly = map[string]bool{
	"foreign-arch":   true,
	"default32-list": true,
	"kill-process":   true,
}

// divergenceHints say what to write to get the same sandbox from Firejail.
var divergenceHints = map[string]string{
	"i386-unfiltered":       "add seccomp.block-secondary to deny i386 syscalls under Firejail too",
	"socketcall-unfiltered": "add seccomp.block-secondary to deny i386 syscalls under Firejail too",
	"seccomp32-ignored":     "Firejail uses seccomp.32 lists only next to `seccomp LIST` (and seccomp.32.drop only next to seccomp.drop); add seccomp.block-secondary if the program needs no 32-bit syscalls",
	"seccomp32-keep-native": "do not use seccomp.32.keep with Firejail 0.9.72; add seccomp.block-secondary if the program needs no 32-bit syscalls",
	"unknown-to-firejail":   "Firejail 0.9.72 cannot filter this syscall; jailc does",
	"syscall-log":           "Firejail 0.9.72 does not implement :log; use seccomp-error-action log while debugging instead",
	"unknown-errno":         "use an errno name Firejail knows (jailc syscalls and jailc errnos list them)",
}

// checkDivergences are checker codes that describe a divergence.
var checkDivergences = map[string]bool{
	resolve.CodeIgnoreBypassed: true,
	check.CodeSharedCapsList:   true,
}

func runDivergence(p *Pass) {
	if p.Plan != nil {
		for _, is := range p.Plan.Divergences {
			if jailcOnly[is.Code] || p.Fragment {
				continue
			}
			e := p.EntryAt(is.Origin)
			d := p.StartDiag(is.Message)
			if e != nil {
				d = Diag(p.Anchor(e), is.Message)
			}
			d.Code = divergenceName + "-" + is.Code
			if h := divergenceHints[is.Code]; h != "" {
				d.Detail = append(d.Detail, h)
			}
			if e != nil && !p.InFile(e) {
				d.Related = append(d.Related, diag.Related{Pos: e.Line.Span.Pos(), Message: fmt.Sprintf("`%s` at", e.Line.Text)})
			}
			p.Report(d)
		}
	}
	for _, cd := range p.Check.Diags {
		if !checkDivergences[cd.Code] {
			continue
		}
		d := cd
		d.Code = divergenceName + "-" + cd.Code
		d.Severity = diag.Warning
		d.Firejail = false
		p.Report(d)
	}
}

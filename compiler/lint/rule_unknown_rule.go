package lint

import (
	"fmt"

	"github.com/jailc/jailc/lang/diag"
)

// UnknownRule checks the suppression comments themselves: a
// `# jailc:ignore` naming no rule silences nothing, usually because of a
// typo.
var UnknownRule = &Rule{
	Name:     "unknown-rule",
	Doc:      "a jailc:ignore comment names a rule that does not exist",
	Severity: diag.Warning,
	Category: "lint",
	Run:      runUnknownRule,
}

func runUnknownRule(p *Pass) {
	for _, s := range suppressions(p.File).list {
		if len(s.names) == 0 {
			p.Report(Diag(s.comment.Span, "jailc:ignore names no rule", "write `# jailc:ignore RULE[,RULE]`; jailc lint --list-rules lists the rules"))
		}
		for i, n := range s.names {
			if !knownName(n) {
				p.Report(Diag(s.spans[i], fmt.Sprintf("jailc:ignore names unknown rule %q", n), "jailc lint --list-rules lists the rules"))
			}
		}
	}
}

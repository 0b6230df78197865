package lint

import "github.com/jailc/jailc/lang/diag"

// RuleDescs describes the lint rules for SARIF's rule table
// (diag.WriteSARIF).
func RuleDescs() []diag.RuleDesc {
	out := make([]diag.RuleDesc, 0, len(rules))
	for _, r := range rules {
		out = append(out, diag.RuleDesc{ID: r.Name, Doc: r.Doc, Level: r.Severity})
	}
	return out
}

package main

import (
	"os"

	"github.com/jailc/jailc/compiler/lint"
	langcheck "github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/format"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/lang/lsp"
)

type lspCmd struct {
	Config  string   `placeholder:"FILE" help:"firejail.config to read."`
	Include []string `short:"I" name:"include-dir" placeholder:"DIR" help:"Search DIR for included files (the document's own directory is searched first)."`
}

func (c *lspCmd) Run(env *runEnv) error {
	s := &lsp.Server{Options: frontend.Options{ConfigPath: c.Config, IncludeDirs: c.Include}, Format: formatter, Lint: lspLint}
	return s.Serve(os.Stdin, env.stdout)
}

// formatter serves textDocument/formatting with jailc fmt; a file the
// formatter refuses gives an error (a *format.Error with the diagnostics,
// the first one as file:line:col in its message).
var formatter func(name string, text []byte) ([]byte, error) = format.Bytes

// lspLint runs the default lint rules on a document the server has
// checked (its unsaved text included) and hands their fixes to the editor
// as quick fixes.
func lspLint(sess *frontend.Session, res *langcheck.Result) []lsp.Finding {
	rules, _ := lint.Select(nil, nil)
	rep := lint.LintChecked(sess, res, rules)
	out := make([]lsp.Finding, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		lf := lsp.Finding{Diag: f.Diag}
		for _, fix := range f.Fixes {
			edits := make([]lsp.Edit, len(fix.Edits))
			for i, e := range fix.Edits {
				edits[i] = lsp.Edit(e)
			}
			lf.Fixes = append(lf.Fixes, lsp.Fix{Title: fix.Message, Edits: edits})
		}
		out = append(out, lf)
	}
	return out
}

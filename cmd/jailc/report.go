package main

import (
	"fmt"
	"io"
	"os"

	"github.com/jailc/jailc/lang/diag"
)

// The output formats of the commands that report diagnostics.
const diagFormatHelp = "Output format: text (file:line:col: severity: message [code], for vim quickfix and emacs compilation mode), json (one object per line), sarif (SARIF 2.1.0, for code scanning) or github (workflow-command annotations)."

// writeDiags renders l in one of the formats; rules describe the codes for
// SARIF's rule table, and source gives file contents for SARIF's UTF-16
// columns (nil: read the files).
func writeDiags(w io.Writer, format string, l diag.List, rules []diag.RuleDesc, source func(string) []byte) error {
	switch format {
	case "json":
		return diag.WriteJSON(w, l)
	case "sarif":
		if source == nil {
			source = func(name string) []byte {
				data, _ := os.ReadFile(name)
				return data
			}
		}
		return diag.WriteSARIF(w, l, diag.SARIFOptions{Rules: rules, Source: source})
	case "github":
		return diag.WriteGitHub(w, l)
	default:
		return diag.WriteText(w, l)
	}
}

// mergeDiags joins lists, keeping one of each diagnostic: a file included
// by several of the given profiles reports each problem once.
func mergeDiags(lists ...diag.List) diag.List {
	var all diag.List
	seen := map[string]bool{}
	for _, l := range lists {
		for _, d := range l {
			key := fmt.Sprintf("%s|%s|%s", d.Pos, d.Code, d.Message)
			if !seen[key] {
				seen[key] = true
				all = append(all, d)
			}
		}
	}
	return all
}

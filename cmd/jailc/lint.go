package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/jailc/jailc/compiler/lint"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/lang/resolve"
)

type lintCmd struct {
	Format    string   `enum:"text,json,sarif,github" default:"text" help:"${diag_formats}"`
	Fix       bool     `help:"Apply suggested fixes to the files in place (atomically), then lint again and report what remains."`
	Disable   []string `placeholder:"RULE" help:"Do not run RULE (repeatable, or comma-separated)."`
	Enable    []string `placeholder:"RULE" help:"Run RULE, also one that is off by default (repeatable, or comma-separated)."`
	ListRules bool     `name:"list-rules" help:"List the rules and exit."`
	Werror    bool     `help:"Treat warnings as errors for the exit status."`
	profileFlags
	Files []string `arg:"" optional:"" name:"file" help:"Profiles or include files; a bare NAME is looked up like firejail --profile=NAME."`
}

// maxFixRounds bounds --fix: each round applies the fixes that do not
// overlap and lints again.
const maxFixRounds = 8

func (c *lintCmd) Run(env *runEnv) error {
	if c.ListRules {
		return listRules(env)
	}
	if len(c.Files) == 0 {
		return usageError{errors.New("no files given (jailc lint FILE...)")}
	}
	rules, err := lint.Select(c.Enable, c.Disable)
	if err != nil {
		return usageError{err}
	}
	opts := frontend.Options{IncludeDirs: c.Include, ConfigPath: c.Config, User: c.User, Conditions: c.Condition}
	if _, err := frontend.NewSession(opts); err != nil {
		return usageError{err}
	}
	var reports []lint.Report
	for round := 0; ; round++ {
		// A fresh session each round: the session caches parsed files.
		sess, err := frontend.NewSession(opts)
		if err != nil {
			return err
		}
		reports = lint.LintAll(sess, c.Files, rules)
		if !c.Fix || round == maxFixRounds {
			break
		}
		fixed, err := applyFixes(env, reports)
		if err != nil {
			return err
		}
		if fixed == 0 {
			break
		}
	}
	all := collect(reports)
	err = writeDiags(env.stdout, c.Format, all, lint.RuleDescs(), sourceOf(reports))
	if err != nil {
		return err
	}
	if all.HasErrors() || (c.Werror && all.Count(diag.Warning) > 0) {
		env.status = exitProblems
	}
	return nil
}

// collect merges the reports, dropping repeats (the same file given twice).
func collect(reports []lint.Report) diag.List {
	lists := make([]diag.List, len(reports))
	for i, r := range reports {
		lists[i] = r.Diags()
	}
	return mergeDiags(lists...)
}

func sourceOf(reports []lint.Report) func(string) []byte {
	m := map[string][]byte{}
	for _, r := range reports {
		if r.File != "" {
			m[r.File] = r.Source
		}
	}
	return func(name string) []byte { return m[name] }
}

// applyFixes writes the fixes of each report to its file and returns how
// many were applied.
func applyFixes(env *runEnv, reports []lint.Report) (int, error) {
	total := 0
	done := map[string]bool{}
	for _, r := range reports {
		if r.File == "" || done[r.File] || strings.HasPrefix(r.File, resolve.StdlibPrefix) {
			continue
		}
		done[r.File] = true
		out, n := lint.Apply(r.File, r.Source, r.Findings)
		if n == 0 {
			continue
		}
		if err := writeAtomic(r.File, out); err != nil {
			return total, err
		}
		fmt.Fprintf(env.stderr, "jailc: %s: applied %d fix(es)\n", r.File, n)
		total += n
	}
	return total, nil
}

func listRules(env *runEnv) error {
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tDEFAULT\tSEVERITY\tCATEGORY\tDESCRIPTION")
	for _, r := range lint.Rules() {
		on := "on"
		if r.Off {
			on = "off"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, on, r.Severity, r.Category, r.Doc)
	}
	return tw.Flush()
}

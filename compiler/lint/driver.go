package lint

import (
	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/lang/source"
)

// Report is the outcome of linting one file.
type Report struct {
	// File is the linted file as read ("" when it could not be read).
	File string
	// Source is its content as linted, which fixes apply to.
	Source   []byte
	Findings []Finding
	// Errors are the checker's errors when the profile does not check;
	// no rule runs then, since the plan the rules read does not exist.
	Errors diag.List
}

// Diags returns the errors and findings as one sorted list.
func (r *Report) Diags() diag.List {
	out := append(diag.List{}, r.Errors...)
	return append(out, Diags(r.Findings)...)
}

// Lint checks, compiles and lints one profile argument (a file, a NAME
// looked up like firejail --profile=NAME, or stdlib:NAME).
func Lint(sess *frontend.Session, arg string, rs []*Rule) Report {
	return LintChecked(sess, sess.Check(arg), rs)
}

// LintChecked compiles and lints a profile the session has checked (the
// language server checks unsaved buffers itself).
func LintChecked(sess *frontend.Session, res *check.Result, rs []*Rule) Report {
	var rep Report
	if u := res.Unit; len(u.Files) > 0 {
		rep.File, rep.Source = u.Files[0].Src.Name, u.Files[0].Src.Data
	}
	if res.Diags.HasErrors() {
		for _, d := range res.Diags {
			if d.Severity == diag.Error {
				rep.Errors = append(rep.Errors, d)
			}
		}
		return rep
	}
	p, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
	if err != nil {
		rep.Errors = diag.List{{Pos: source.Pos{File: rep.File}, Severity: diag.Error, Code: "plan", Message: err.Error()}}
		return rep
	}
	rep.Findings = Run(Input{Result: res, Plan: p, Env: sess.Env(), Config: sess.Config()}, rs)
	return rep
}

// LintAll lints several arguments concurrently (one worker per CPU) and
// returns the reports in argument order.
func LintAll(sess *frontend.Session, args []string, rs []*Rule) []Report {
	out := make([]Report, len(args))
	frontend.Parallel(len(args), func(i int) { out[i] = Lint(sess, args[i], rs) })
	return out
}

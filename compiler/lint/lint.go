// Package lint runs profile lint rules over a checked profile and its plan.
// It sits after the plan in the pipeline:
//
//	check.Result + plan.Plan ─ lint ─▶ findings (diagnostics + suggested fixes)
//
// A rule is data — a Rule with a stable kebab-case Name, a one-line Doc, a
// default Severity and a Run function — in the manner of x/tools'
// go/analysis. A rule never prints: it reports findings through its Pass,
// optionally with a Fix (byte edits). The driver (Run) decides which rules
// run, drops findings outside the linted file, applies suppression
// comments, and fills in codes and severities.
//
// Findings are kept to the linted file (the unit's root): a line in an
// included file is reported when that file is linted itself, so a shared
// include is not reported once per profile that includes it, and --fix only
// ever edits the files it was given. A rule that wants to point at a problem
// coming from an include positions it at the include line in the root file
// (Pass.Anchor).
//
// Suppression: `# jailc:ignore RULE[,RULE]` at the end of a line silences
// those rules on that line; the same comment alone on a line silences them on
// the next line; `# jailc:ignore-file RULE[,RULE]` anywhere silences them in
// the whole file. A rule is named by its Name or by the Code of its finding
// (divergence-i386-unfiltered).
package lint

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
	"github.com/jailc/jailc/lang/source"
)

// Rule is one lint check.
type Rule struct {
	Name     string // stable kebab-case code
	Doc      string // one line
	Severity diag.Severity
	// Off rules run only when enabled explicitly (--enable).
	Off bool
	// Category groups rules in listings: firejail-ci, paths, divergence,
	// weak-sandbox, style.
	Category string
	Run      func(*Pass)
}

// Edit replaces the bytes [Start, End) of File with NewText.
type Edit struct {
	File       string
	Start, End int
	NewText    string
}

// Fix is a suggested change that resolves a finding.
type Fix struct {
	Message string
	Edits   []Edit
}

// Finding is one diagnostic of one rule with its suggested fixes.
type Finding struct {
	Rule  string
	Diag  diag.Diagnostic
	Fixes []Fix
}

// Input is what the rules look at: the checked unit and its plan.
type Input struct {
	Result *check.Result
	Plan   *plan.Plan
	Env    macro.Env
	Config *config.Config
}

// Pass is a rule's view of one linted file.
type Pass struct {
	Rule *Rule
	// Unit is the resolved profile: every line in reading order, with
	// include chains. File is its root, the file being linted.
	Unit  *resolve.Unit
	File  *ast.File
	Check *check.Result
	Plan  *plan.Plan
	Env   macro.Env
	// Config is the firejail.config the profile was checked against.
	Config *config.Config
	// Fragment is true when the linted file is an include fragment
	// (.inc, .local): it is not a sandbox of its own, so rules about the
	// whole sandbox, and rules that depend on what comes before or after
	// the file, skip it.
	Fragment bool
	report   func(Finding)
	shared   *shared
}

// shared holds what several rules compute from the same unit, once per
// linted file.
type shared struct {
	entryAt      map[lineKey]*resolve.Entry
	events       []fsEvent
	eventsDone   bool
	noblacklists []noblacklistFacts
	nbDone       bool
	envKey       string
}

type lineKey struct {
	file string
	line int
}

// Report records a finding. Code defaults to the rule name and Severity to
// the rule's.
func (p *Pass) Report(d diag.Diagnostic, fixes ...Fix) {
	if d.Code == "" {
		d.Code = p.Rule.Name
	}
	if d.Severity == 0 {
		d.Severity = p.Rule.Severity
	}
	p.report(Finding{Rule: p.Rule.Name, Diag: d, Fixes: fixes})
}

// Reportf reports a finding over span.
func (p *Pass) Reportf(span source.Span, format string, args ...any) {
	p.Report(Diag(span, fmt.Sprintf(format, args...)))
}

// Diag builds a diagnostic over span; the driver fills in code and severity.
func Diag(span source.Span, msg string, detail ...string) diag.Diagnostic {
	return diag.Diagnostic{Pos: span.Pos(), End: span.EndPos(), Message: msg, Detail: detail}
}

// InFile reports whether an entry is a line of the linted file.
func (p *Pass) InFile(e *resolve.Entry) bool { return e.File == p.File }

// Anchor returns where a finding about entry e is shown in the linted
// file: the line itself, or the include line in the linted file that led
// to it.
func (p *Pass) Anchor(e *resolve.Entry) source.Span {
	if e.File == p.File || len(e.Chain) == 0 {
		return e.Line.Span
	}
	site := e.Chain[len(e.Chain)-1]
	if site.File != p.File.Src.Name {
		return e.Line.Span
	}
	for _, l := range p.File.Lines {
		if l.Span.Start <= site.Offset && site.Offset < l.Span.End+1 {
			return l.Span
		}
	}
	return e.Line.Span
}

// EntryAt returns the first entry of the unit at a plan origin, or nil.
func (p *Pass) EntryAt(o plan.Origin) *resolve.Entry {
	s := p.shared
	if s.entryAt == nil {
		s.entryAt = map[lineKey]*resolve.Entry{}
		for _, e := range p.Unit.Entries {
			k := lineKey{e.File.Src.Name, e.Line.Line}
			if _, ok := s.entryAt[k]; !ok {
				s.entryAt[k] = e
			}
		}
	}
	return s.entryAt[lineKey{o.File, o.Line}]
}

// AnchorOrigin is Anchor for a plan item: the origin's line or its include
// site in the linted file; the file's start when the item has no line in
// this unit (built in, firejail.config).
func (p *Pass) AnchorOrigin(o plan.Origin) source.Span {
	if e := p.EntryAt(o); e != nil {
		return p.Anchor(e)
	}
	return p.Start()
}

// Start is the first byte of the linted file, where findings about the
// sandbox as a whole are shown.
func (p *Pass) Start() source.Span {
	return source.Span{File: p.File.Src, Start: 0, End: 0}
}

// StartDiag is a diagnostic about the whole file, positioned at line 1.
func (p *Pass) StartDiag(msg string, detail ...string) diag.Diagnostic {
	pos := source.Pos{File: p.File.Src.Name, Line: 1, Col: 1}
	return diag.Diagnostic{Pos: pos, End: pos, Message: msg, Detail: detail}
}

// IsFragment reports whether a file name is an include fragment: it ends
// in .inc or .local, or has ".inc." in it (electron-hardened.inc.profile),
// the same test the resolver uses.
func IsFragment(name string) bool {
	base := path.Base(strings.TrimPrefix(name, resolve.StdlibPrefix))
	return strings.HasSuffix(base, ".inc") || strings.HasSuffix(base, ".local") || strings.Contains(base, ".inc.")
}

// Rules returns every rule, in a fixed order (the order of the listing and
// of fix application when two fixes overlap).
func Rules() []*Rule { return rules }

// Lookup returns a rule by name.
func Lookup(name string) (*Rule, bool) {
	for _, r := range rules {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}

var rules []*Rule

func init() {
	// Set in init: the unknown-rule check looks rules up, which would
	// otherwise be an initialization cycle.
	rules = []*Rule{
		SortedList, ProtocolOrder, PrivateEtcRequired,
		DeadNoblacklist, LateNoblacklist, UnusedIgnore, DuplicateLine, NowhitelistGlob,
		Divergence,
		NoSeccomp, NoCapsDrop, EscalationCaps, AllowDebuggers, SeccompKeepStartup, WritableExec, PrivateBinShell,
		LocalIncludeTop, SectionOrder,
		UnknownRule,
	}
}

// Select returns the rules to run: those on by default, minus disabled,
// plus enabled. It fails on an unknown name.
func Select(enable, disable []string) ([]*Rule, error) {
	on := map[string]bool{}
	for _, r := range rules {
		on[r.Name] = !r.Off
	}
	for _, group := range [][]string{disable, enable} {
		for _, n := range group {
			if _, ok := Lookup(n); !ok {
				return nil, fmt.Errorf("unknown lint rule %q (jailc lint --list-rules lists them)", n)
			}
		}
	}
	for _, n := range disable {
		on[n] = false
	}
	for _, n := range enable {
		on[n] = true
	}
	var out []*Rule
	for _, r := range rules {
		if on[r.Name] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Run lints the root file of in.Result.Unit with the given rules. Findings
// are sorted by position, then rule.
func Run(in Input, rs []*Rule) []Finding {
	u := in.Result.Unit
	if len(u.Files) == 0 {
		return nil
	}
	root := u.Files[0]
	cfg := in.Config
	if cfg == nil {
		cfg = config.Default()
	}
	sup := suppressions(root)
	var out []Finding
	base := &Pass{Unit: u, File: root, Check: in.Result, Plan: in.Plan, Env: in.Env, Config: cfg, Fragment: IsFragment(u.Root), shared: &shared{}}
	for _, r := range rs {
		p := *base
		p.Rule = r
		p.report = func(f Finding) {
			if f.Diag.Pos.File != root.Src.Name {
				return
			}
			if sup.silenced(f) {
				return
			}
			out = append(out, f)
		}
		r.Run(&p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Diag, out[j].Diag
		if a.Pos.Offset != b.Pos.Offset {
			return a.Pos.Offset < b.Pos.Offset
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Code < b.Code
	})
	// The same finding can be reported twice when a root line is reached
	// through two paths; keep one.
	dedup := out[:0]
	for i, f := range out {
		if i > 0 && sameFinding(f, dedup[len(dedup)-1]) {
			continue
		}
		dedup = append(dedup, f)
	}
	return dedup
}

func sameFinding(a, b Finding) bool {
	return a.Rule == b.Rule && a.Diag.Pos == b.Diag.Pos && a.Diag.Code == b.Diag.Code && a.Diag.Message == b.Diag.Message
}

// Diags returns the diagnostics of findings, in order.
func Diags(fs []Finding) diag.List {
	out := make(diag.List, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Diag)
	}
	return out
}

package lint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/lint"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// The rule tests: testdata/lint/RULE.txtar runs rule RULE (only it, even
// when it is off by default) over the archive's profiles. Expectations sit
// on the lines they are about:
//
//	private-bin b,a   # want "sorted-list: .*\"a\" should come before"
//
// The regex is matched against "code: message" (in the quoted string \"
// stands for a quote, and other backslashes are the regex's own); several
// wants may follow
// one another. Every finding must be wanted and every want matched, and
// every finding must carry the rule's severity unless the want is written
// want(SEVERITY) (want(note) "..."). A finding about the whole file is at
// line 1, where a `# want` comment can go.
//
// The archive comment holds options, one per line:
//
//	lint FILE...     the files to lint (default: the first file)
//	user root        lint for root (uid 0, home /root)
//	cond NAME=BOOL   force a conditional
//
// Fixes: for each linted file with a fix, the archive must hold
// out/FILE, the file after `jailc lint --fix` (fixes applied until none
// is left); linting that must give no fixable finding.
var wantRE = regexp.MustCompile(`want(?:\((error|warning|note)\))? "((?:[^"\\]|\\.)*)"`)

type want struct {
	file    string
	line    int
	sev     string
	re      *regexp.Regexp
	matched bool
}

func testEnv(root bool) macro.Env {
	e := macro.NewEnv("user", 1000, "/home/user")
	if root {
		e = macro.NewEnv("root", 0, "/root")
	}
	e.PATH = []string{"/usr/local/bin", "/usr/bin", "/bin"}
	return e
}

type harness struct {
	dir   string
	env   macro.Env
	cfg   *config.Config
	conds map[string]bool
	rule  *lint.Rule
}

func (h *harness) lint(t *testing.T, file string) (lint.Report, *resolve.Unit) {
	t.Helper()
	opts := resolve.Options{IncludeDirs: []string{h.dir}, Env: h.env, Config: h.cfg, Conditions: h.conds, NoCWD: true}
	copts := check.Options{Config: h.cfg, Env: h.env, Root: h.env.UID == 0, Stat: func(p string) (bool, bool) {
		st, err := os.Stat(filepath.Join(h.dir, p))
		if err != nil {
			return false, false
		}
		return true, st.IsDir()
	}}
	u := resolve.Load(filepath.Join(h.dir, file), opts)
	res := check.Check(u, copts)
	var rep lint.Report
	if len(u.Files) > 0 {
		rep.File, rep.Source = u.Files[0].Src.Name, u.Files[0].Src.Data
	}
	if res.Diags.HasErrors() {
		t.Fatalf("%s does not check: %v", file, res.Diags)
	}
	p, err := build.Build(res, build.Options{Env: h.env, Config: h.cfg})
	if err != nil {
		t.Fatal(err)
	}
	rep.Findings = lint.Run(lint.Input{Result: res, Plan: p, Env: h.env, Config: h.cfg}, []*lint.Rule{h.rule})
	return rep, u
}

func TestRules(t *testing.T) {
	files, err := filepath.Glob("../../testdata/lint/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule archives: %v", err)
	}
	tested := map[string]bool{}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		rule, ok := lint.Lookup(name)
		if !ok {
			t.Errorf("%s: no rule named %q", path, name)
			continue
		}
		tested[name] = true
		t.Run(name, func(t *testing.T) { runArchive(t, path, rule) })
	}
	for _, r := range lint.Rules() {
		if !tested[r.Name] {
			t.Errorf("rule %s has no testdata/lint/%s.txtar", r.Name, r.Name)
		}
	}
}

func runArchive(t *testing.T, path string, rule *lint.Rule) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{dir: t.TempDir(), cfg: config.Default(), conds: map[string]bool{}, rule: rule}
	var linted []string
	root := false
	for _, l := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 1 && f[0] == "lint":
			linted = append(linted, f[1:]...)
		case len(f) == 2 && f[0] == "user" && f[1] == "root":
			root = true
		case len(f) == 2 && f[0] == "cond":
			k, v, _ := strings.Cut(f[1], "=")
			h.conds[k] = v == "true"
		}
	}
	h.env = testEnv(root)
	outs := map[string]string{}
	var wants []*want
	for _, f := range ar.Files {
		if rest, ok := strings.CutPrefix(f.Name, "out/"); ok {
			outs[rest] = string(f.Data)
			continue
		}
		p := filepath.Join(h.dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if f.Name == "firejail.config" {
			if h.cfg, err = config.Parse(p, f.Data); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for i, l := range strings.Split(string(f.Data), "\n") {
			if j := strings.Index(l, "# want"); j >= 0 {
				wants = append(wants, parseWants(t, p, i+1, l[j+1:])...)
			}
		}
	}
	if len(linted) == 0 {
		linted = []string{ar.Files[0].Name}
	}
	var unexpected []string
	for _, file := range linted {
		rep, _ := h.lint(t, file)
		fixable := false
		for _, f := range rep.Findings {
			d := f.Diag
			if f.Rule != rule.Name {
				t.Errorf("finding of rule %s in a run of %s", f.Rule, rule.Name)
			}
			if d.Severity != diag.Error && d.Severity != diag.Warning && d.Severity != diag.Note {
				t.Errorf("finding with invalid severity: %v", d)
			}
			if d.End.Offset < d.Pos.Offset {
				t.Errorf("finding ends before it starts: %v", d)
			}
			fixable = fixable || len(f.Fixes) > 0
			text := fmt.Sprintf("%s: %s", d.Code, d.Message)
			found := false
			for _, w := range wants {
				if w.file == d.Pos.File && w.line == d.Pos.Line && !w.matched && w.re.MatchString(text) {
					sev := w.sev
					if sev == "" {
						sev = rule.Severity.String()
					}
					if sev != d.Severity.String() {
						t.Errorf("%s:%d: %q has severity %s, want %s", file, d.Pos.Line, text, d.Severity, sev)
					}
					w.matched, found = true, true
					break
				}
			}
			if !found {
				unexpected = append(unexpected, fmt.Sprintf("%s:%d:%d: %s", filepath.Base(d.Pos.File), d.Pos.Line, d.Pos.Col, text))
			}
		}
		want, hasOut := outs[file]
		switch {
		case fixable && !hasOut:
			t.Errorf("%s has fixes but the archive has no out/%s", file, file)
		case hasOut:
			checkFixes(t, h, file, want)
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Errorf("unexpected finding %s", u)
	}
	for _, w := range wants {
		if !w.matched {
			t.Errorf("%s:%d: no finding matched %q", filepath.Base(w.file), w.line, w.re)
		}
	}
}

// checkFixes applies fixes the way jailc lint --fix does and compares the
// result with the archive's out/FILE.
func checkFixes(t *testing.T, h *harness, file, want string) {
	t.Helper()
	p := filepath.Join(h.dir, file)
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(p, orig, 0o644)
	for round := 0; ; round++ {
		if round == 10 {
			t.Fatalf("%s: fixes do not converge", file)
		}
		rep, _ := h.lint(t, file)
		out, n := lint.Apply(rep.File, rep.Source, rep.Findings)
		if n == 0 {
			for _, f := range rep.Findings {
				if len(f.Fixes) > 0 {
					t.Errorf("%s: after fixing, a fixable finding remains: %v", file, f.Diag)
				}
			}
			break
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(p)
	if string(got) != want {
		t.Errorf("%s after fixes:\n%s\nwant (out/%s):\n%s", file, got, file, want)
	}
}

func parseWants(t *testing.T, file string, line int, s string) []*want {
	var out []*want
	for _, m := range wantRE.FindAllStringSubmatchIndex(s, -1) {
		sev := ""
		if m[2] >= 0 {
			sev = s[m[2]:m[3]]
		}
		// One want may be followed by several quoted regexes.
		rest := s[m[0]+len("want"):]
		if sev != "" {
			rest = rest[len(sev)+2:]
		}
		for {
			q := quotedRE.FindStringSubmatch(rest)
			if q == nil {
				break
			}
			rest = rest[len(q[0]):]
			// Only \" is an escape of the want string; every other backslash
			// belongs to the regular expression (\+, \$, \{).
			re, err := regexp.Compile(strings.ReplaceAll(q[1], `\"`, `"`))
			if err != nil {
				t.Fatalf("%s:%d: bad want regex: %v", file, line, err)
			}
			out = append(out, &want{file: file, line: line, sev: sev, re: re})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s:%d: # want without a quoted regex", file, line)
	}
	return out
}

var quotedRE = regexp.MustCompile(`^\s*"((?:[^"\\]|\\.)*)"`)

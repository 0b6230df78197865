package check_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// The language spec tests: testdata/check/*.txtar. Each archive holds
// profile files; the first file is checked (others are found through the
// include path, which is the archive's directory only). Expectations:
//
//	command   # want "regex"    a diagnostic on this line Firejail accepts
//	command   # want! "regex"   a diagnostic for input Firejail rejects
//
// The regex is matched against "severity code: message". Several wants may
// follow one another on a line. Lines where a comment cannot go (CR, NUL,
// BOM, pieces of long lines) are described in a "want" file of the archive:
//
//	FILE:LINE want "regex"     (or want!)
//
// Every diagnostic must be wanted and every want matched. An archive may
// also hold firejail.config (used as the configuration) and a comment
// header with options, one per line: "root" (check as root), "cond NAME=BOOL".
var wantRE = regexp.MustCompile(`want(!?) "((?:[^"\\]|\\.)*)"`)

type want struct {
	file     string
	line     int
	firejail bool
	re       *regexp.Regexp
	matched  bool
}

// testEnv is the fixed user the spec tests expand macros for.
func testEnv() macro.Env {
	e := macro.NewEnv("user", 1000, "/home/user")
	e.PATH = []string{"/usr/local/bin", "/usr/bin", "/bin"}
	return e
}

func TestSpec(t *testing.T) {
	files, err := filepath.Glob("../../testdata/check/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec archives found: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) { runSpec(t, path) })
	}
}

func runSpec(t *testing.T, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Files) == 0 {
		t.Fatal("archive has no files")
	}
	dir := t.TempDir()
	var wants []*want
	cfg := config.Default()
	for _, f := range ar.Files {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := f.Data
		// txtar cannot hold some bytes literally; \x escapes in files
		// whose name ends in .esc are decoded.
		if strings.HasSuffix(f.Name, ".esc") {
			s, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(string(data), `"`, `\"`), "\n", `\n`) + `"`)
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			data = []byte(s)
			p = strings.TrimSuffix(p, ".esc")
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		switch {
		case f.Name == "want":
			for i, l := range strings.Split(string(f.Data), "\n") {
				if strings.TrimSpace(l) == "" {
					continue
				}
				loc, rest, _ := strings.Cut(l, " ")
				file, ln, _ := strings.Cut(loc, ":")
				n, err := strconv.Atoi(ln)
				if err != nil {
					t.Fatalf("want line %d: bad location %q", i+1, loc)
				}
				wants = append(wants, parseWants(t, filepath.Join(dir, strings.TrimSuffix(file, ".esc")), n, rest)...)
			}
		case f.Name == "firejail.config":
			if cfg, err = config.Parse(p, f.Data); err != nil {
				t.Fatal(err)
			}
		case !strings.HasSuffix(f.Name, ".esc"):
			for i, l := range strings.Split(string(f.Data), "\n") {
				if j := strings.Index(l, "# want"); j >= 0 {
					wants = append(wants, parseWants(t, p, i+1, l[j+1:])...)
				}
			}
		}
	}
	opts := resolve.Options{IncludeDirs: []string{dir}, Env: testEnv(), Config: cfg, Conditions: map[string]bool{}}
	copts := check.Options{Config: cfg, Env: testEnv(), Stat: func(p string) (bool, bool) {
		st, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			return false, false
		}
		return true, st.IsDir()
	}}
	for _, l := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 1 && f[0] == "root":
			copts.Root = true
		case len(f) == 2 && f[0] == "cond":
			k, v, _ := strings.Cut(f[1], "=")
			opts.Conditions[k] = v == "true"
		}
	}
	root := filepath.Join(dir, strings.TrimSuffix(ar.Files[0].Name, ".esc"))
	res := check.Check(resolve.Load(root, opts), copts)
	var unexpected []string
	for _, d := range res.Diags {
		if d.Severity != diag.Error && d.Severity != diag.Warning && d.Severity != diag.Note {
			t.Errorf("diagnostic with invalid severity: %v", d)
		}
		if d.Pos.Line > 0 && d.End.Offset < d.Pos.Offset {
			t.Errorf("diagnostic ends before it starts: %v", d)
		}
		text := fmt.Sprintf("%s %s: %s", d.Severity, d.Code, d.Message)
		found := false
		for _, w := range wants {
			if w.file == d.Pos.File && w.line == d.Pos.Line && !w.matched && w.re.MatchString(text) {
				if w.firejail != d.Firejail {
					t.Errorf("%s: %q: Firejail rejects = %v, want %v", relPos(dir, d), text, d.Firejail, w.firejail)
				}
				w.matched, found = true, true
				break
			}
		}
		if !found {
			unexpected = append(unexpected, fmt.Sprintf("%s: %s", relPos(dir, d), text))
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Errorf("unexpected diagnostic %s", u)
	}
	for _, w := range wants {
		if !w.matched {
			t.Errorf("%s:%d: no diagnostic matched %q", filepath.Base(w.file), w.line, w.re)
		}
	}
}

func relPos(dir string, d diag.Diagnostic) string {
	rel, err := filepath.Rel(dir, d.Pos.File)
	if err != nil {
		rel = d.Pos.File
	}
	return fmt.Sprintf("%s:%d:%d", rel, d.Pos.Line, d.Pos.Col)
}

func parseWants(t *testing.T, file string, line int, s string) []*want {
	var out []*want
	for _, m := range wantRE.FindAllStringSubmatch(s, -1) {
		pat, err := strconv.Unquote(`"` + m[2] + `"`)
		if err != nil {
			t.Fatalf("%s:%d: bad want string: %v", file, line, err)
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			t.Fatalf("%s:%d: bad want regex: %v", file, line, err)
		}
		out = append(out, &want{file: file, line: line, firejail: m[1] == "!", re: re})
	}
	if len(out) == 0 {
		t.Fatalf("%s:%d: # want without a quoted regex", file, line)
	}
	return out
}

package lint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/lint"
	"github.com/jailc/jailc/lang/frontend"
)

// corpus returns the stock profiles and includes; it skips the test when
// Firejail's profiles are not installed, except in CI.
func corpus(tb testing.TB) []string {
	var files []string
	for _, pat := range []string{"*.profile", "*.inc"} {
		m, _ := filepath.Glob(filepath.Join("/etc/firejail", pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			tb.Fatal("no profiles in /etc/firejail (install firejail-profiles)")
		}
		tb.Skip("no profiles in /etc/firejail")
	}
	sort.Strings(files)
	return files
}

func corpusSession(tb testing.TB) *frontend.Session {
	sess, err := frontend.NewSession(frontend.Options{NoUserDir: true})
	if err != nil {
		tb.Fatal(err)
	}
	return sess
}

// TestCorpus lints every stock profile and include with every rule (those
// off by default too): no panic, every profile checks, every finding is
// well formed, and the counts per rule are logged (go test -v -run Corpus).
func TestCorpus(t *testing.T) {
	files := corpus(t)
	reports := lint.LintAll(corpusSession(t), files, lint.Rules())
	counts := map[string]int{}
	codes := map[string]int{}
	profiles := map[string]map[string]bool{}
	for i, r := range reports {
		if len(r.Errors) > 0 {
			t.Errorf("%s does not check: %v", files[i], r.Errors[0])
		}
		for _, f := range r.Findings {
			d := f.Diag
			if d.Pos.File != files[i] || d.Pos.Line < 1 || d.Severity == 0 || d.Code == "" || d.Message == "" {
				t.Errorf("malformed finding %+v", f)
			}
			counts[f.Rule]++
			codes[d.Code]++
			if profiles[f.Rule] == nil {
				profiles[f.Rule] = map[string]bool{}
			}
			profiles[f.Rule][files[i]] = true
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d files\n", len(files))
	for _, r := range lint.Rules() {
		fmt.Fprintf(&b, "%-22s %5d findings in %4d files\n", r.Name, counts[r.Name], len(profiles[r.Name]))
	}
	var cs []string
	for c := range codes {
		if strings.HasPrefix(c, "divergence-") {
			cs = append(cs, c)
		}
	}
	sort.Strings(cs)
	for _, c := range cs {
		fmt.Fprintf(&b, "  %-36s %5d\n", c, codes[c])
	}
	t.Log("\n" + b.String())
}

// BenchmarkCorpus measures lint over the stock corpus (check, plan and
// every rule), reported as profiles per second.
func BenchmarkCorpus(b *testing.B) {
	files := corpus(b)
	rs := lint.Rules()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lint.LintAll(corpusSession(b), files, rs)
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "profiles/s")
}

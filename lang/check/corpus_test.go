package check_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
)

// stockFiles returns Debian's firejail-profiles corpus, or skips. In CI the
// corpus must be there (.ci/run installs it), so its absence fails.
func stockFiles(t testing.TB) []string {
	t.Helper()
	profiles, _ := filepath.Glob("/etc/firejail/*.profile")
	incs, _ := filepath.Glob("/etc/firejail/*.inc")
	files := append(profiles, incs...)
	if len(profiles) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: /etc/firejail has no profiles; .ci/run must install firejail-profiles")
		}
		t.Skip("firejail-profiles is not installed (apt-get install firejail-profiles); the stock corpus test needs /etc/firejail")
	}
	return files
}

// Done-means 1 of the front-end issue: every stock profile and include file
// checks with zero errors, in default mode and with --compat. Warnings are
// counted per code and logged (the README lists them).
func TestStockCorpus(t *testing.T) {
	files := stockFiles(t)
	if len(files) < 1200 {
		t.Fatalf("only %d stock files; expected Debian's 1,239", len(files))
	}
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	seen := map[string]bool{}
	for i, diags := range sess.DiagnoseAll(files) {
		f := files[i]
		for _, d := range diags {
			key := fmt.Sprintf("%s|%s|%s", d.Pos, d.Code, d.Message)
			if seen[key] {
				continue
			}
			seen[key] = true
			if d.Severity == diag.Error {
				t.Errorf("%s: stock file has an error: %s", f, d)
			}
			// --compat keeps Firejail rejections; the only stock ones are
			// machine-dependent warnings (a `private DIR` missing here).
			if d.Firejail && d.Severity == diag.Error {
				t.Errorf("%s: stock file has an error under --compat: %s", f, d)
			}
			if d.Firejail && d.Code != "missing-path" {
				t.Errorf("%s: stock file reported as rejected by Firejail: %s", f, d)
			}
			counts[d.Severity.String()+" "+d.Code]++
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%6d %s\n", counts[k], k)
	}
	t.Logf("diagnostics on %d stock files:\n%s", len(files), b.String())
}

package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jailc/jailc/internal/sarifcheck"
	"github.com/jailc/jailc/lang/format"
	"github.com/jailc/jailc/lang/frontend"
	stdlibprofiles "github.com/jailc/jailc/stdlib-profiles"
)

// lintIsolated runs lint without the user's and the system's profile dirs.
func lintIsolated(t *testing.T, args ...string) (int, string, string) {
	return jailc(t, append([]string{"lint", "--config", "/dev/null"}, args...)...)
}

func TestLintTextAndExit(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.profile", "include p.local\ncaps.drop all\nseccomp\nnoexec ${HOME}\nnoexec /tmp\nprivate-bin zsh,bash\n")
	code, out, errb := lintIsolated(t, p)
	want := p + ":6:13: warning: private-bin list is not sorted: \"bash\" should come before \"zsh\" [sorted-list]\n"
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s\nwant it to start with %q", code, out, errb, want)
	}
	if code, _, _ := lintIsolated(t, "--werror", p); code != 1 {
		t.Errorf("--werror with a warning: exit %d, want 1", code)
	}
	if code, out, _ := lintIsolated(t, "--disable", "sorted-list,divergence", p); code != 0 || strings.Contains(out, "sorted-list") {
		t.Errorf("--disable sorted-list: exit %d, output:\n%s", code, out)
	}
	if code, _, errb := lintIsolated(t, "--disable", "sorted-lst", p); code != 2 || !strings.Contains(errb, `unknown lint rule "sorted-lst"`) {
		t.Errorf("unknown rule: exit %d, stderr %q", code, errb)
	}
	// A profile that does not check: its errors, no rule findings.
	bad := write(t, dir, "bad.profile", "private-bin zsh,bash\ncaps.drop CHOWN\n")
	code, out, _ = lintIsolated(t, bad)
	if code != 1 || !strings.Contains(out, "[unknown-capability]") || strings.Contains(out, "sorted-list") {
		t.Errorf("profile with errors: exit %d, output:\n%s", code, out)
	}
	// Off-by-default rules run only with --enable.
	if _, out, _ := lintIsolated(t, p); strings.Contains(out, "[section-order]") {
		t.Errorf("section-order ran without --enable:\n%s", out)
	}
	if _, out, _ := lintIsolated(t, "--enable", "section-order", p); !strings.Contains(out, "[section-order]") {
		t.Errorf("--enable section-order found nothing:\n%s", out)
	}
}

func TestLintListRules(t *testing.T) {
	code, out, _ := jailc(t, "lint", "--list-rules")
	if code != 0 || !strings.Contains(out, "sorted-list") || !regexp.MustCompile(`(?m)^section-order +off +note`).MatchString(out) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestLintFix(t *testing.T) {
	dir := t.TempDir()
	src := "include p.local\nprivate-bin zsh,bash\nprotocol inet,unix\nnonewprivs\nnonewprivs\nprivate-etc passwd\n"
	p := write(t, dir, "p.profile", src)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.profile")
	if err := os.Symlink("p.profile", link); err != nil {
		t.Fatal(err)
	}
	code, out, errb := lintIsolated(t, "--fix", link)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errb)
	}
	got, _ := os.ReadFile(p)
	want := "include p.local\nprivate-bin bash,zsh\nprotocol unix,inet\nnonewprivs\nprivate-etc alternatives,ld.so.cache,ld.so.preload,passwd\n"
	if string(got) != want {
		t.Errorf("after --fix:\n%s\nwant:\n%s", got, want)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after --fix, want 0640", st.Mode().Perm())
	}
	for _, rule := range []string{"sorted-list", "protocol-order", "duplicate-line", "private-etc-required"} {
		if strings.Contains(out, "["+rule+"]") {
			t.Errorf("%s still reported after --fix:\n%s", rule, out)
		}
	}
	if !strings.Contains(errb, "applied") {
		t.Errorf("stderr does not say what was fixed: %q", errb)
	}
	// A profile that does not check is left alone.
	bad := write(t, dir, "bad.profile", "private-bin zsh,bash\ncaps.drop CHOWN\n")
	lintIsolated(t, "--fix", bad)
	if got, _ := os.ReadFile(bad); string(got) != "private-bin zsh,bash\ncaps.drop CHOWN\n" {
		t.Errorf("--fix changed a profile with errors:\n%s", got)
	}
}

func TestLintFormats(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.profile", "include p.local\nprivate-bin zsh,bash\n")
	_, out, _ := lintIsolated(t, "--format", "json", p)
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var d struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Code     string `json:"code"`
			Severity string `json:"severity"`
		}
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("json line %q: %v", l, err)
		}
		if d.Code == "sorted-list" && d.Line == 2 && d.Severity == "warning" && d.File == p {
			n++
		}
	}
	if n != 1 {
		t.Errorf("json: %d sorted-list findings at line 2:\n%s", n, out)
	}
	_, out, _ = lintIsolated(t, "--format", "github", p)
	if !strings.Contains(out, "::warning file="+p+",line=2,col=13,endLine=2,endColumn=16,title=sorted-list::private-bin list is not sorted") {
		t.Errorf("github:\n%s", out)
	}
	_, out, _ = lintIsolated(t, "--format", "sarif", p)
	if err := sarifcheck.Validate([]byte(out)); err != nil || !strings.Contains(out, `"ruleId": "sorted-list"`) {
		t.Errorf("sarif (%v):\n%s", err, out)
	}
	// check speaks the same formats.
	_, out, _ = check(t, "--format", "sarif", write(t, dir, "c.profile", "seccomp chrot\n"))
	if err := sarifcheck.Validate([]byte(out)); err != nil || !strings.Contains(out, `"ruleId": "unknown-syscall"`) {
		t.Errorf("check --format sarif (%v):\n%s", err, out)
	}
}

// TestLintStockSARIF lints the whole stock corpus as SARIF and validates
// the log against the official schema: what GitHub code scanning gets.
func TestLintStockSARIF(t *testing.T) {
	files, _ := filepath.Glob("/etc/firejail/*.profile")
	incs, _ := filepath.Glob("/etc/firejail/*.inc")
	files = append(files, incs...)
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("no profiles in /etc/firejail (install firejail-profiles)")
		}
		t.Skip("no profiles in /etc/firejail (apt-get install firejail-profiles)")
	}
	code, out, errb := jailc(t, append([]string{"lint", "--format", "sarif"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if err := sarifcheck.Validate([]byte(out)); err != nil {
		t.Fatalf("stock corpus SARIF does not validate: %v", err)
	}
	var log struct {
		Runs []struct{ Results []struct{ RuleID string } }
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if n := len(log.Runs[0].Results); n < 100 {
		t.Errorf("only %d results over %d files", n, len(files))
	}
}

// TestLSPLint runs the language server's linter (the real rules) on a
// checked profile: findings with their fixes as byte edits of the file.
func TestLSPLint(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.profile", "include p.local\ncaps.drop all\nseccomp\nprivate-bin zsh,bash\n")
	sess, err := frontend.NewSession(frontend.Options{ConfigPath: "/dev/null"})
	if err != nil {
		t.Fatal(err)
	}
	found := lspLint(sess, sess.Check(p))
	var fixed []string
	for _, f := range found {
		if f.Diag.Code != "sorted-list" {
			continue
		}
		for _, fix := range f.Fixes {
			for _, e := range fix.Edits {
				fixed = append(fixed, fmt.Sprintf("%s %d-%d %q", filepath.Base(e.File), e.Start, e.End, e.NewText))
			}
		}
	}
	// "private-bin " starts at byte 38: the list is bytes 50-58.
	if want := []string{`p.profile 50-58 "bash,zsh"`}; strings.Join(fixed, "|") != strings.Join(want, "|") {
		t.Errorf("sorted-list fixes %v, want %v (all findings: %v)", fixed, want, found)
	}
}

// TestStdlibProfilesClean: jailc's own embedded profiles pass jailc lint
// with warnings counted as errors, and are already formatted.
func TestStdlibProfilesClean(t *testing.T) {
	entries, err := fs.ReadDir(stdlibprofiles.FS(), ".")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no embedded profiles: %v", err)
	}
	var args []string
	for _, e := range entries {
		args = append(args, "stdlib:"+e.Name())
		data, _ := fs.ReadFile(stdlibprofiles.FS(), e.Name())
		out, err := format.Bytes(e.Name(), data)
		if err != nil || string(out) != string(data) {
			t.Errorf("%s is not formatted (jailc fmt -w stdlib-profiles/profiles/%s): %v", e.Name(), e.Name(), err)
		}
	}
	code, out, errb := lintIsolated(t, append([]string{"--werror"}, args...)...)
	if code != 0 || out != "" {
		t.Errorf("jailc lint --werror %v: exit %d\n%s%s", args, code, out, errb)
	}
}

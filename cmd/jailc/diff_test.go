package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiffFailOn(t *testing.T) {
	dir := t.TempDir()
	base := write(t, dir, "base.profile", "blacklist ${HOME}/.ssh\ncaps.drop all\n")
	looser := write(t, dir, "looser.profile", "noblacklist ${HOME}/.ssh\nblacklist ${HOME}/.ssh\ncaps.drop all\n")
	tighter := write(t, dir, "tighter.profile", "blacklist ${HOME}/.ssh\nblacklist ${HOME}/.gnupg\ncaps.drop all\n")
	d := func(args ...string) (int, string, string) {
		return jailc(t, append([]string{"diff", "--config", "/dev/null"}, args...)...)
	}

	code, out, errs := d(base, looser)
	if code != 0 {
		t.Fatalf("no --fail-on: exit %d, stderr %s", code, errs)
	}
	home, _ := os.UserHomeDir()
	for _, want := range []string{
		"[filesystem]",
		"+ " + filepath.Join(home, ".ssh") + ": hidden -> visible",
		"noblacklist ${HOME}/.ssh  (" + looser + ":1)",
		"blacklist ${HOME}/.ssh  (" + base + ":1)",
		"1 loosen, 0 tighten, 0 change",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := d("--fail-on", "loosen", base, looser); code != 1 {
		t.Errorf("--fail-on loosen with a loosening: exit %d, want 1", code)
	}
	if code, out, _ := d("--fail-on", "loosen", base, tighter); code != 0 || !strings.Contains(out, "- "+filepath.Join(home, ".gnupg")+": visible -> hidden") {
		t.Errorf("--fail-on loosen with only a tightening: exit %d, want 0:\n%s", code, out)
	}
	if code, _, _ := d("--fail-on", "any", base, tighter); code != 1 {
		t.Errorf("--fail-on any with a tightening: exit %d, want 1", code)
	}
	if code, out, _ := d("--fail-on", "any", base, base); code != 0 || !strings.Contains(out, "no differences") {
		t.Errorf("--fail-on any, same profile: exit %d, want 0:\n%s", code, out)
	}
	// Reversed, the loosening is a tightening.
	if code, out, _ := d("--fail-on", "loosen", looser, base); code != 0 || !strings.Contains(out, "0 loosen, 1 tighten") {
		t.Errorf("reversed: exit %d:\n%s", code, out)
	}
}

func TestDiffJSONAndPlanFiles(t *testing.T) {
	dir := t.TempDir()
	old := write(t, dir, "old.profile", "seccomp.drop ptrace,mount\nprotocol unix\n")
	new := write(t, dir, "new.profile", "seccomp.drop mount\nprotocol unix,inet\n")
	planFile := filepath.Join(dir, "old.plan.json")
	if code, _, errs := jailc(t, "compile", "--config", "/dev/null", "-o", planFile, old); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, errs)
	}
	code, out, errs := jailc(t, "diff", "--config", "/dev/null", "--format", "json", "--fail-on", "loosen", planFile, new)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (ptrace and inet became allowed); stderr %s", code, errs)
	}
	var r struct {
		Version int
		Old     string
		New     string
		Summary struct{ Loosen, Tighten, Change int }
		Changes []struct {
			Kind, Area, Subject, Aspect string
			Items                       []string
			Old, New                    struct {
				State   string
				Origins []struct {
					File string
					Line int
					Text string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Version != 1 || r.Old != old || r.New != new || r.Summary.Loosen != 2 || r.Summary.Tighten != 0 {
		t.Errorf("header %+v %+v:\n%s", r.Old, r.Summary, out)
	}
	var sawPtrace, sawInet bool
	for _, c := range r.Changes {
		if c.Area == "seccomp" && c.Kind == "loosen" && c.Subject == "x86_64, i386, aarch64, arm" && len(c.Items) == 1 && c.Items[0] == "ptrace" {
			sawPtrace = c.Old.State == "errno(1)" && c.New.State == "allow" && c.Old.Origins[0].File == old && c.Old.Origins[0].Line == 1
		}
		if c.Area == "protocol" && c.Kind == "loosen" && len(c.Items) == 1 && c.Items[0] == "inet" {
			sawInet = c.New.Origins[0].File == new && c.New.Origins[0].Line == 2
		}
	}
	if !sawPtrace || !sawInet {
		t.Errorf("ptrace (%v) or inet (%v) loosening missing or wrong:\n%s", sawPtrace, sawInet, out)
	}
	// A plan file against the profile it came from: no difference.
	if code, out, _ := jailc(t, "diff", "--config", "/dev/null", "--fail-on", "any", planFile, old); code != 0 || !strings.Contains(out, "no differences") {
		t.Errorf("plan vs its profile: exit %d:\n%s", code, out)
	}
}

func TestDiffUsage(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.profile", "caps.drop all\n")
	if code, _, _ := jailc(t, "diff", p); code != 2 {
		t.Errorf("one argument: exit %d, want 2", code)
	}
	if code, _, _ := jailc(t, "diff", "--fail-on", "sometimes", p, p); code != 2 {
		t.Errorf("bad --fail-on: exit %d, want 2", code)
	}
	if code, _, _ := jailc(t, "diff", "--format", "xml", p, p); code != 2 {
		t.Errorf("bad --format: exit %d, want 2", code)
	}
}

func TestDiffStockNames(t *testing.T) {
	for _, f := range []string{"firefox.profile", "firefox-esr.profile"} {
		if _, err := os.Stat(filepath.Join("/etc/firejail", f)); err != nil {
			t.Skipf("stock profiles are not installed (/etc/firejail/%s missing)", f)
		}
	}
	code, out, errs := jailc(t, "diff", "--fail-on", "loosen", "firefox", "firefox-esr")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errs)
	}
	want := "+ /usr/share/firefox-esr: hidden -> visible"
	if !strings.Contains(out, want) || !strings.Contains(out, "whitelist /usr/share/firefox-esr  (/etc/firejail/firefox-esr.profile:9)") || !strings.HasSuffix(out, "1 loosen, 0 tighten, 0 change\n") {
		t.Errorf("output:\n%s", out)
	}
}

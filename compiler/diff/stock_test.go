package diff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/diff"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/frontend"
)

// stockPlan compiles a profile the way `jailc compile` does, for the
// invoking user and the system's firejail.config.
func stockPlan(t *testing.T, profile string, includeDirs ...string) *plan.Plan {
	t.Helper()
	sess, err := frontend.NewSession(frontend.Options{IncludeDirs: includeDirs})
	if err != nil {
		t.Fatal(err)
	}
	res := sess.Check(profile)
	cfg := ""
	if _, err := os.Stat("/etc/firejail/firejail.config"); err == nil {
		cfg = "/etc/firejail/firejail.config"
	}
	p, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config(), ConfigPath: cfg})
	if err != nil {
		t.Fatalf("compiling %s: %v", profile, err)
	}
	return p
}

func needStock(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := os.Stat(filepath.Join("/etc/firejail", n)); err != nil {
			t.Skipf("stock profiles are not installed (/etc/firejail/%s missing; apt-get install firejail-profiles)", n)
		}
	}
}

func mustDiff(t *testing.T, old, new *plan.Plan) *diff.Report {
	t.Helper()
	r, err := diff.Diff(old, new, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func text(t *testing.T, r *diff.Report) string {
	var b strings.Builder
	if err := diff.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// firefox-esr is firefox plus one whitelist: exactly one difference.
func TestStockFirefoxESR(t *testing.T) {
	needStock(t, "firefox.profile", "firefox-esr.profile")
	r := mustDiff(t, stockPlan(t, "firefox"), stockPlan(t, "firefox-esr"))
	if len(r.Changes) != 1 {
		t.Fatalf("want exactly one change, got:\n%s", text(t, r))
	}
	c := r.Changes[0]
	if c.Kind != diff.Loosen || c.Area != "filesystem" || c.Subject != "/usr/share/firefox-esr" || c.Aspect != "view" ||
		c.Old.State != "hidden" || !strings.HasPrefix(c.New.State, "visible") {
		t.Errorf("unexpected change %+v", c)
	}
	if o := c.New.Origins; len(o) == 0 || o[0].File != "/etc/firejail/firefox-esr.profile" || o[0].Text != "whitelist /usr/share/firefox-esr" {
		t.Errorf("NEW side should name the whitelist in firefox-esr.profile, got %+v", o)
	}
	if o := c.Old.Origins; len(o) == 0 || o[0].File != "/etc/firejail/firefox.profile" || !strings.HasPrefix(o[0].Text, "whitelist /usr/share/") {
		t.Errorf("OLD side should name the whitelist that empties /usr/share, got %+v", o)
	}
	if r.Summary != (diff.Summary{Loosen: 1}) {
		t.Errorf("summary %+v", r.Summary)
	}
}

// A stock profile against itself with one noblacklist added in front:
// exactly one loosening, ~/.ssh becoming visible, with the noblacklist's
// line on the NEW side and disable-common.inc's blacklist on the OLD side.
func TestStockAddedNoblacklist(t *testing.T) {
	needStock(t, "gimp.profile", "disable-common.inc")
	old := stockPlan(t, "gimp")
	np := filepath.Join(t.TempDir(), "gimp-ssh.profile")
	if err := os.WriteFile(np, []byte("noblacklist ${HOME}/.ssh\ninclude gimp.profile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustDiff(t, old, stockPlan(t, np))
	if len(r.Changes) != 1 {
		t.Fatalf("want exactly one change, got:\n%s", text(t, r))
	}
	c := r.Changes[0]
	ssh := old.Bindings.Home + "/.ssh"
	if c.Kind != diff.Loosen || c.Subject != ssh || c.Aspect != "view" || c.Old.State != "hidden" || c.New.State != "visible" {
		t.Errorf("unexpected change %+v", c)
	}
	if o := c.New.Origins; len(o) != 2 || o[0].File != np || o[0].Line != 1 || o[0].Text != "noblacklist ${HOME}/.ssh" ||
		o[1].File != "/etc/firejail/disable-common.inc" || o[1].Text != "blacklist ${HOME}/.ssh" {
		t.Errorf("NEW origins should be the noblacklist, then the blacklist it exempts: %+v", o)
	}
	if o := c.Old.Origins; len(o) != 1 || o[0].File != "/etc/firejail/disable-common.inc" || o[0].Text != "blacklist ${HOME}/.ssh" {
		t.Errorf("OLD origin should be the blacklist: %+v", o)
	}
	// The files below ~/.ssh that have their own blacklist stay hidden; the
	// read-only ones become visible with the directory.
	for _, it := range c.Items {
		if strings.HasSuffix(it, "authorized_keys") || strings.HasSuffix(it, "/rc") {
			t.Errorf("%s has its own blacklist and must stay hidden", it)
		}
	}
	if !contains(c.Items, ssh+"/config") {
		t.Errorf("~/.ssh/config (read-only, not blacklisted) should be folded into the entry: %v", c.Items)
	}
}

// firefox whitelists the home directory, so a noblacklist of ~/.ssh does
// not expose it: no difference.
func TestStockNoblacklistUnderWhitelist(t *testing.T) {
	needStock(t, "firefox.profile")
	np := filepath.Join(t.TempDir(), "firefox-ssh.profile")
	if err := os.WriteFile(np, []byte("noblacklist ${HOME}/.ssh\ninclude firefox.profile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustDiff(t, stockPlan(t, "firefox"), stockPlan(t, np))
	if len(r.Changes) != 0 {
		t.Errorf("~/.ssh is outside firefox's home whitelist either way; got:\n%s", text(t, r))
	}
}

// A profile against itself, and against its own compiled plan read back
// from JSON, has no differences.
func TestStockSelf(t *testing.T) {
	for _, name := range []string{"firefox", "chromium", "gimp", "vlc", "thunderbird"} {
		t.Run(name, func(t *testing.T) {
			needStock(t, name+".profile")
			p := stockPlan(t, name)
			if r := mustDiff(t, p, stockPlan(t, name)); len(r.Changes) != 0 {
				t.Errorf("self diff:\n%s", text(t, r))
			}
			data, err := plan.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			back, err := plan.Unmarshal(data)
			if err != nil {
				t.Fatal(err)
			}
			if r := mustDiff(t, p, back); len(r.Changes) != 0 {
				t.Errorf("diff against the plan read back:\n%s", text(t, r))
			}
		})
	}
}

// firefox against chromium: a large diff in both directions, each the
// mirror image of the other.
func TestStockMirror(t *testing.T) {
	needStock(t, "firefox.profile", "chromium.profile")
	a, b := stockPlan(t, "firefox"), stockPlan(t, "chromium")
	f, r := mustDiff(t, a, b), mustDiff(t, b, a)
	if f.Summary.Loosen == 0 || f.Summary.Tighten == 0 {
		t.Errorf("firefox -> chromium should loosen and tighten: %+v", f.Summary)
	}
	if f.Summary.Loosen != r.Summary.Tighten || f.Summary.Tighten != r.Summary.Loosen {
		t.Errorf("not mirrored: %+v vs %+v", f.Summary, r.Summary)
	}
	// chromium has no seccomp filter and keeps sys_admin: both must show.
	var sawSeccomp, sawCap bool
	for _, c := range f.Changes {
		if c.Area == "seccomp" && c.Kind == diff.Loosen && strings.Contains(c.Subject, "x86_64") && c.Aspect == "syscalls" {
			sawSeccomp = true
		}
		if c.Area == "capabilities" && c.Kind == diff.Loosen && contains(c.Items, "sys_admin") {
			sawCap = true
		}
	}
	if !sawSeccomp || !sawCap {
		t.Errorf("missing seccomp (%v) or capability (%v) loosening:\n%s", sawSeccomp, sawCap, text(t, f))
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

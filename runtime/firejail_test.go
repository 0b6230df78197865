package runtime_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/frontend"
)

// probeDir is visible under every stock profile compared here (not under
// /tmp, /var, /opt, a bin directory or home).
const probeDir = "/usr/libexec/jailc-test"

var compareProfiles = []string{"ping", "curl", "wget", "gzip", "tar", "unzip", "less", "git", "file", "xz", "whois",
	"ssh", "man", "bzip2", "strings", "gpg", "vim"}

var probeArgs = []string{
	"-path", "/etc/shadow", "-path", "/etc/passwd", "-path", "/etc/hostname", "-path", "/root/.ssh/jailc-test",
	"-path", "/root/.bashrc", "-path", "/usr/bin/gcc", "-path", "/usr/bin/ssh", "-path", "/boot", "-path", "/root/Documents",
	"-path", "/usr/sbin/iptables", "-path", "/etc/sudoers", "-path", "/var/log/syslog",
	"-list", "/dev", "-list", "/tmp",
	"-sys", "mount", "-sys", "unshare-user", "-sys", "socket-packet", "-sys", "socket-inet", "-sys", "socket-bluetooth",
	"-sys", "ptrace", "-sys", "personality", "-sys", "chroot", "-sys", "mknod",
}

// observations flattens a report into comparable facts.
func observations(r runtimeReport, host map[string]string) map[string]string {
	o := map[string]string{
		"uid": fmt.Sprint(r.UID, "/", r.EUID), "gid": fmt.Sprint(r.GID),
		"CapEff": r.Status["CapEff"], "CapBnd": r.Status["CapBnd"], "NoNewPrivs": r.Status["NoNewPrivs"],
		"Seccomp": r.Status["Seccomp"],
		"/dev":    strings.Join(r.Lists["/dev"], " "),
		// Without private-tmp both see the host's /tmp, whose content
		// changes between the two runs: compare only whether it is empty.
		"/tmp empty": fmt.Sprint(len(r.Lists["/tmp"]) == 0),
	}
	for p, a := range r.Paths {
		o["path "+p] = fmt.Sprintf("exists=%v read=%v write=%v exec=%v content=%v", a.Exists, a.Read, a.Write, a.Exec, a.Content)
	}
	for s, v := range r.Syscalls {
		o["sys "+s] = v
	}
	for _, ns := range []string{"net", "pid", "mnt", "ipc", "uts"} {
		o["new "+ns+" namespace"] = fmt.Sprint(r.Namespaces[ns] != host[ns])
	}
	return o
}

// deliberate says why a difference is right, or "" (then the test fails).
func deliberate(p *plan.Plan, key, fj, jr string) string {
	if strings.HasPrefix(key, "path /etc/") && len(p.Filesystem.PrivateEtc) > 0 {
		// Firejail copies private-etc entries into a writable tmpfs;
		// jailrun binds the host's entries read-only: no copy, and a
		// write cannot reach the host file.
		return "private-etc: read-only binds instead of writable copies"
	}
	return ""
}

func TestCompareWithFirejail(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("firejail"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: firejail missing; .ci/run installs it")
		}
		t.Skip("Firejail is not installed (apt-get install firejail firejail-profiles)")
	}
	os.MkdirAll(probeDir, 0o755)
	bin := filepath.Join(probeDir, "probe")
	data, _ := os.ReadFile(probe)
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll("/root/.ssh", 0o700)
	os.WriteFile("/root/.ssh/jailc-test", []byte("k"), 0o600)
	defer os.Remove("/root/.ssh/jailc-test")
	host := map[string]string{}
	for _, ns := range []string{"net", "pid", "mnt", "ipc", "uts"} {
		host[ns] = hostNS(t, ns)
	}
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	compared := 0
	for _, name := range compareProfiles {
		prof := "/etc/firejail/" + name + ".profile"
		if _, err := os.Stat(prof); err != nil {
			t.Errorf("%s missing", prof)
			continue
		}
		// The probe impersonates the program (bound over its binary in a
		// private mount namespace), so private-bin profiles admit it.
		real, err := exec.LookPath(name)
		if err != nil {
			t.Logf("%s: %s is not installed here; skipped", name, name)
			continue
		}
		real, _ = filepath.EvalSymlinks(real)
		masq := func(args ...string) *exec.Cmd {
			script := `mount --bind "$1" "$2" && shift 2 && exec "$@"`
			return exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c", script, "sh", bin, real}, args...)...)
		}
		cmd := masq(append([]string{"firejail", "--quiet", "--profile=" + prof, "--", real}, probeArgs...)...)
		out, err := cmd.Output()
		var fjRep runtimeReport
		if err != nil || json.Unmarshal(out, &fjRep) != nil {
			// Can Firejail start the real program under its own profile?
			// (On Debian 12, private-bin profiles fail with "Cannot start
			// application: No such file or directory".) If not, there is
			// nothing to compare; jailrun must still run the program.
			if exec.Command("firejail", "--quiet", "--profile="+prof, "--", real, "--version").Run() != nil {
				fmt.Fprintf(&report, "%-6s Firejail cannot start %s under its own profile on this machine; jailrun:", name, real)
				res := sess.Check(prof)
				p, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				p.Unsupported = nil
				r := launch(t, p, "", real, "--version")
				fmt.Fprintf(&report, " exit %d, %v\n", r.code, r.err)
				if r.err != nil || r.code >= 126 {
					t.Errorf("%s: jailrun cannot run %s --version either: %v %d %s", name, real, r.err, r.code, r.stderr)
				}
				continue
			}
			t.Errorf("%s: Firejail run failed: %v\n%s", name, err, out)
			continue
		}
		compared++
		res := sess.Check(prof)
		p, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		p.Unsupported = nil // apparmor etc.: compared as far as jailrun goes
		planFile := filepath.Join(t.TempDir(), name+".plan")
		pdata, _ := plan.Marshal(p)
		os.WriteFile(planFile, pdata, 0o644)
		jout, jerr := masq(append([]string{jailrun, "--plan", planFile, "--", real}, probeArgs...)...).CombinedOutput()
		var jrRep runtimeReport
		if jerr != nil || json.Unmarshal(jout, &jrRep) != nil {
			t.Errorf("%s: jailrun failed: %v\n%s", name, jerr, jout)
			continue
		}
		a, b := observations(fjRep, host), observations(jrRep, host)
		var keys []string
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if a[k] == b[k] {
				continue
			}
			why := deliberate(p, k, a[k], b[k])
			fmt.Fprintf(&report, "%-6s %-28s firejail: %-40s jailrun: %-40s %s\n", name, k, a[k], b[k], why)
			if why == "" {
				t.Errorf("%s: %s: Firejail %q, jailrun %q", name, k, a[k], b[k])
			}
		}
	}
	t.Logf("%d profiles compared; differences (profile, observation, Firejail, jailrun, reason):\n%s", compared, report.String())
	if compared < 10 {
		t.Errorf("only %d profiles could be compared; want at least 10", compared)
	}
}

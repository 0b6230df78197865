package runtime_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/plan"
)

// A non-root user launches jailrun directly: the sandbox is built in a
// user namespace where the user maps to itself.
func TestRootless(t *testing.T) {
	needRoot(t) // to switch to nobody for the test
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	if b, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err == nil && strings.TrimSpace(string(b)) == "0" {
		t.Skip("the kernel allows no user namespaces (user.max_user_namespaces = 0)")
	}
	p := compile(t, "caps.drop all\nseccomp\nprivate-tmp\nprivate-dev\nnet none\nblacklist /etc/shadow\n", "nobody")
	dir := filepath.Join(binDir, "rootless")
	os.MkdirAll(dir, 0o755)
	defer os.RemoveAll(dir)
	planFile := filepath.Join(dir, "p.json")
	data, _ := plan.Marshal(p)
	if err := os.WriteFile(planFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", jailrun, "--plan", planFile, "--",
		probe, "-list", "/dev", "-list", "/tmp", "-path", "/etc/shadow", "-sys", "mount", "-sys", "personality")
	cmd.Dir = "/"
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("rootless jailrun: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var rep runtimeReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.UID != 65534 || rep.Status["CapEff"] != "0000000000000000" || rep.Status["Seccomp"] != "2" || rep.Status["NoNewPrivs"] != "1" {
		t.Errorf("identity/caps/seccomp: uid %d %v", rep.UID, rep.Status)
	}
	if rep.Namespaces["pid"] == hostNS(t, "pid") || rep.Namespaces["user"] == hostNS(t, "user") || rep.Namespaces["net"] == hostNS(t, "net") {
		t.Errorf("namespaces shared with the host: %v", rep.Namespaces)
	}
	if got := strings.Join(rep.Lists["/dev"], " "); !strings.HasPrefix(got, "fd full null") || len(rep.Lists["/tmp"]) != 0 {
		t.Errorf("/dev %q, /tmp %v", got, rep.Lists["/tmp"])
	}
	if rep.Paths["/etc/shadow"].Content || rep.Syscalls["mount"] == "ok" || rep.Syscalls["personality"] != "EPERM" {
		t.Errorf("paths %v syscalls %v", rep.Paths, rep.Syscalls)
	}
	// A rootless runner cannot switch to another user.
	other := compile(t, "caps.drop all\n", "root")
	data, _ = plan.Marshal(other)
	os.WriteFile(planFile, data, 0o644)
	out, err = exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", jailrun, "--plan", planFile, "--", "/bin/true").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "only root can switch users") {
		t.Errorf("plan for root run by nobody: %v %s", err, out)
	}
}

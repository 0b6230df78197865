package runtime_test

import (
	"os/exec"
	"strings"
	"testing"
)

// noroot for a non-root user: the program runs in a user namespace where
// only its own user exists; uid 0 is unmapped, so it cannot become root
// even with its capabilities in that namespace.
func TestNoroot(t *testing.T) {
	needRoot(t)
	if _, err := exec.Command("id", "nobody").Output(); err != nil {
		t.Skip("no user nobody on this machine")
	}
	p := compile(t, "noroot\ncaps.drop all\nnonewprivs\n", "nobody")
	r := launch(t, p, "", "/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user")
	if r.err != nil || r.code != 0 {
		t.Fatalf("launch: %v %d %s", r.err, r.code, r.stderr)
	}
	lines := strings.Fields(r.out)
	// uid_map "65534 65534 1", gid_map "65534 65534 1" (nogroup), id -u 65534
	if len(lines) < 8 || lines[0] != "65534" || lines[1] != "65534" || lines[2] != "1" || lines[6] != "65534" {
		t.Errorf("maps and id: %q", r.out)
	}
	if host := hostNS(t, "user"); strings.Contains(r.out, host) {
		t.Errorf("program is in the host's user namespace %s", host)
	}
	rep := probeReport(t, p, "-sys", "setuid0", "-sys", "unshare-user", "-sys", "mount")
	if rep.Syscalls["setuid0"] == "ok" || rep.Syscalls["mount"] == "ok" {
		t.Errorf("inside noroot: %v", rep.Syscalls)
	}
}

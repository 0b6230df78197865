package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// learn → check → run: the learned profile lets the program do what it did
// and denies what it did not.
func TestLearnPingAndDaemon(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("learning and running sandboxes needs root here; CI runs as root")
	}
	dir := t.TempDir()
	if _, err := exec.LookPath("ping"); err == nil {
		prof := filepath.Join(dir, "ping.profile")
		if code, _, errs := jailc(t, "learn", "-o", prof, "--", "ping", "-c1", "127.0.0.1"); code != 0 {
			t.Fatalf("learn ping: %d %s", code, errs)
		}
		text, _ := os.ReadFile(prof)
		for _, want := range []string{"caps.keep net_raw", "protocol inet", "seccomp.keep ", "socket", "sendto"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("learned ping profile lacks %q:\n%s", want, text)
			}
		}
		if code, out, _ := jailc(t, "check", prof); code != 0 || strings.Contains(out, "error") {
			t.Errorf("jailc check on the learned profile: %d\n%s", code, out)
		}
		cmd := exec.Command(os.Args[0], "-test.run=TestHelperJailc", "--", "run", "--profile", prof, "--", "ping", "-c1", "127.0.0.1")
		cmd.Env = append(os.Environ(), "JAILC_TEST_MAIN=1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "1 received") {
			t.Errorf("ping under its learned profile: %v\n%s", err, out)
		}
	} else {
		t.Log("ping is not installed; its part is skipped")
	}

	// A small daemon: the probe binding port 443.
	probe := filepath.Join("/var/lib/jailc-test", "probe-learn")
	os.MkdirAll(filepath.Dir(probe), 0o755)
	b := exec.Command("go", "build", "-o", probe, "../../runtime/internal/probe")
	b.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("build probe: %v %s", err, out)
	}
	daemon := filepath.Join(dir, "daemon.profile")
	if code, _, errs := jailc(t, "learn", "-o", daemon, "--", probe, "-bind", "127.0.0.1:443", "-sys", "getuid"); code != 0 {
		t.Fatalf("learn daemon: %d %s", code, errs)
	}
	text, _ := os.ReadFile(daemon)
	if !strings.Contains(string(text), "caps.keep net_bind_service") || !strings.Contains(string(text), "bind") {
		t.Errorf("learned daemon profile:\n%s", text)
	}
	// Run it as nobody: the bind works (ambient net_bind_service), and a
	// syscall the learned run never made is denied.
	cmd := exec.Command(os.Args[0], "-test.run=TestHelperJailc", "--", "run", "--user", "nobody", "--profile", daemon, "--",
		probe, "-bind", "127.0.0.1:443", "-sys", "getuid", "-sys", "getppid")
	cmd.Env = append(os.Environ(), "JAILC_TEST_MAIN=1")
	cmd.Dir = "/"
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("daemon under its learned profile: %v\n%s", err, out)
	}
	var rep struct {
		UID      int
		Bind     string
		Syscalls map[string]string
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.UID != 65534 || rep.Bind != "ok 127.0.0.1:443" || rep.Syscalls["getuid"] != "ok" || rep.Syscalls["getppid"] != "EPERM" {
		t.Errorf("learned daemon run: %+v", rep)
	}
}

// TestHelperJailc runs jailc's main in a subprocess (the sandbox stages
// re-execute the binary, which must then be this test binary's main).
func TestHelperJailc(t *testing.T) {
	if os.Getenv("JAILC_TEST_MAIN") == "" {
		t.Skip("helper for other tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

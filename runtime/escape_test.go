package runtime_test

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jailc/jailc/compiler/plan"
)

// A descriptor the runner holds without close-on-exec must not reach the
// program (the exec stage marks everything above 2 close-on-exec).
func TestNoDescriptorLeak(t *testing.T) {
	needRoot(t)
	bothPaths(t, testNoDescriptorLeak)
}

func testNoDescriptorLeak(t *testing.T) {
	fd, err := syscall.Open("/etc/hostname", syscall.O_RDONLY, 0) // no O_CLOEXEC on purpose
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	rep := probeReport(t, compile(t, "caps.drop all\n", ""))
	checkNoLeakedFDs(t, rep.FDs)
}

// Escape attempts against a profile that hides a directory, makes another
// read-only, drops every capability, and filters syscalls. Each must fail.
func TestEscapes(t *testing.T) {
	needRoot(t)
	bothPaths(t, testEscapes)
}

func testEscapes(t *testing.T) {
	base := filepath.Join(binDir, "escape")
	os.RemoveAll(base)
	for _, d := range []string{"secret", "ro", "link"} {
		os.MkdirAll(filepath.Join(base, d), 0o755)
	}
	os.WriteFile(filepath.Join(base, "secret/key"), []byte("key"), 0o644)
	os.WriteFile(filepath.Join(base, "ro/file"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(base, "secret/key"), filepath.Join(base, "link/to-key"))
	defer os.RemoveAll(base)
	p := compile(t, strings.Join([]string{
		"blacklist " + base + "/secret",
		"read-only " + base + "/ro",
		"caps.drop all",
		"nonewprivs",
		"seccomp",
		"seccomp.block-secondary",
		"restrict-namespaces",
		"net none",
		"private-tmp",
	}, "\n")+"\n", "")
	key := base + "/secret/key"
	shell := func(script string) result {
		return launch(t, p, "", "/bin/sh", "-c", script)
	}
	cases := []struct {
		name, script string
	}{
		{"read the hidden file", "cat " + key},
		{"through a symlink made before", "cat " + base + "/link/to-key"},
		{"through a symlink made inside", "ln -s " + key + " /tmp/l && cat /tmp/l"},
		{"through ..", "cat " + base + "/ro/../secret/key"},
		{"through /proc/self/root", "cat /proc/self/root" + key},
		{"through /proc/1/root", "cat /proc/1/root" + key},
		{"hard link it", "ln " + key + " /tmp/h && cat /tmp/h"},
		{"write the read-only path", "echo y > " + base + "/ro/file"},
		{"remount read-only writable", "mount -o remount,rw,bind " + base + "/ro"},
		{"unmount the hiding mount", "umount " + base + "/secret"},
		{"open the runner's binary for writing", "echo x >> /proc/1/exe"},
		{"read init's descriptors", "readlink /proc/1/fd/0"},
		{"read init's environment", "cat /proc/1/environ"},
		// pid 1 shares jailrun's memory (direct launch).
		{"open init's memory", "exec 3</proc/1/mem && echo opened"},
		{"read init's memory map", "cat /proc/1/maps"},
		{"chroot out", "chroot / /bin/true"},
		{"create a device node", "mknod /tmp/n c 1 3"},
		{"new user namespace", "unshare -U true"},
		{"new mount namespace", "unshare -m true"},
		{"see host processes", "kill -0 1 && test $(ls /proc | grep -c '^[0-9]') -gt 5"},
		{"reach the host network", "exec 3<>/dev/tcp/127.0.0.1/22 && echo connected"},
	}
	for _, c := range cases {
		r := shell(c.script)
		if r.err != nil {
			t.Errorf("%s: launch failed: %v", c.name, r.err)
			continue
		}
		if r.code == 0 {
			t.Errorf("%s: succeeded (stdout %q)", c.name, r.out)
		}
		if strings.Contains(r.out, "key") {
			t.Errorf("%s: secret leaked: %q", c.name, r.out)
		}
	}
	// The probe's syscall-level attempts.
	rep := probeReport(t, p, "-sys", "mount", "-sys", "umount", "-sys", "ptrace", "-sys", "unshare-user", "-sys", "x32-getpid",
		"-sys", "open-init-exe-write", "-sys", "personality", "-sys", "setuid0", "-path", key)
	for _, k := range []string{"mount", "umount", "ptrace", "unshare-user", "x32-getpid", "open-init-exe-write", "personality"} {
		if rep.Syscalls[k] == "ok" {
			t.Errorf("%s succeeded inside the sandbox", k)
		}
	}
	if rep.Paths[key].Content {
		t.Errorf("%s content readable", key)
	}
	if _, err := os.Stat(key); err != nil {
		t.Errorf("the host file was damaged: %v", err)
	}
}

// int 0x80 (the i386 ABI) from a 64-bit process is filtered with the i386
// policy; Firejail's seccomp.drop leaves it unfiltered.
func TestInt80Filtered(t *testing.T) {
	needRoot(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed; it builds the int 0x80 probe")
	}
	src := filepath.Join(t.TempDir(), "int80.c")
	bin := filepath.Join(binDir, "int80")
	os.WriteFile(src, []byte(`#include <stdio.h>
int main(void){ long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); printf("%ld\n", r); return 0; }
`), 0o644)
	if out, err := exec.Command(gcc, "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	// i386 getpid is 20; under "seccomp.drop getpid" it must be denied.
	r := launch(t, compile(t, "seccomp.drop getpid\n", ""), "", bin)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if strings.TrimSpace(r.out) != "-1" {
		t.Errorf("i386 getpid through int 0x80 returned %q, want -1 (EPERM)", strings.TrimSpace(r.out))
	}
	r = launch(t, compile(t, "caps.drop all\n", ""), "", bin)
	if r.err != nil || strings.TrimSpace(r.out) == "-1" {
		t.Errorf("without a filter int 0x80 getpid should work: %q %v", r.out, r.err)
	}
}

func TestExitStatus(t *testing.T) {
	needRoot(t)
	bothPaths(t, testExitStatus)
}

func testExitStatus(t *testing.T) {
	p := compile(t, "caps.drop all\n", "")
	for script, want := range map[string]int{"exit 0": 0, "exit 7": 7, "kill -TERM $$": 143, "kill -KILL $$": 137} {
		r := launch(t, p, "", "/bin/sh", "-c", script)
		if r.err != nil || r.code != want {
			t.Errorf("%q: exit %d, err %v; want %d", script, r.code, r.err, want)
		}
	}
}

// The empty nodes bound over hidden paths are read-only, nosuid, nodev and
// noexec mounts (they get these flags from their source on the staging
// tmpfs, in one mount call each).
func TestHiddenNodesAreInert(t *testing.T) {
	needRoot(t)
	bothPaths(t, testHiddenNodesAreInert)
}

func testHiddenNodesAreInert(t *testing.T) {
	dir := filepath.Join(binDir, "hidden")
	os.MkdirAll(filepath.Join(dir, "d"), 0o755)
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	defer os.RemoveAll(dir)
	p := compile(t, "blacklist "+dir+"/d\nblacklist "+dir+"/f\n", "")
	r := launch(t, p, "", "/bin/sh", "-c", "grep -E ' "+dir+"/[df] ' /proc/self/mountinfo")
	if r.err != nil || r.code != 0 {
		t.Fatalf("exit %d err %v %s", r.code, r.err, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one mount on each hidden path, got:\n%s", r.out)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if opts := f[5]; !strings.Contains(","+opts+",", ",ro,") || !strings.Contains(opts, "nosuid") || !strings.Contains(opts, "nodev") || !strings.Contains(opts, "noexec") {
			t.Errorf("hiding mount %s has options %s, want ro,nosuid,nodev,noexec", f[4], opts)
		}
	}
}

// pid 1 is a copy of the runner: the sandbox sees it as jailrun-init, not
// the runner's command line (which names host paths and arguments), and
// the program's parent is that init.
func TestInitShowsNoRunnerCommandLine(t *testing.T) {
	needRoot(t)
	p := compile(t, "caps.drop all\n", "")
	r := launch(t, p, "", "/bin/sh", "-c", `tr '\0' '|' < /proc/1/cmdline; echo; cat /proc/1/comm; echo ppid=$PPID`)
	if r.err != nil || r.code != 0 {
		t.Fatalf("exit %d err %v %s", r.code, r.err, r.stderr)
	}
	if want := "jailrun-init|\njailrun-init\nppid=1\n"; r.out != want {
		t.Errorf("pid 1 as the sandbox sees it:\n%s\nwant:\n%s", r.out, want)
	}
}

// Orphans reparent to the sandbox's init, which reaps them.
func TestZombiesReaped(t *testing.T) {
	needRoot(t)
	bothPaths(t, testZombiesReaped)
}

func testZombiesReaped(t *testing.T) {
	p := compile(t, "caps.drop all\n", "")
	r := launch(t, p, "", "/bin/sh", "-c", `sh -c 'sleep 0.1 & exit 0'; sleep 0.5; for s in /proc/[0-9]*/stat; do read -r pid comm state rest < $s; [ "$state" = Z ] && echo zombie $pid $comm; done; true`)
	if r.err != nil || r.code != 0 {
		t.Fatalf("exit %d err %v %s", r.code, r.err, r.stderr)
	}
	if strings.Contains(r.out, "zombie") {
		t.Errorf("zombies left: %s", r.out)
	}
}

// SIGTERM to jailrun reaches the program; the timeout kills the sandbox.
func TestSignalsAndTimeout(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	planFile := filepath.Join(dir, "p.json")
	data, _ := plan.Marshal(compile(t, "caps.drop all\n", ""))
	os.WriteFile(planFile, data, 0o644)
	cmd := exec.Command(jailrun, "--plan", planFile, "--", "/bin/sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	out.Read(buf)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 42 {
		t.Errorf("after SIGTERM: exit %d (%v), want 42 from the program's trap", code, err)
	}
	// SIGTERM while the sandbox is still being built: delivered to the
	// program once it runs (143), never a runtime exit 2, never a hang.
	for i := 0; i < 5; i++ {
		early := exec.Command(jailrun, "--plan", planFile, "--", "/bin/sleep", "30")
		if err := early.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i) * time.Millisecond)
		early.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- early.Wait() }()
		select {
		case <-done:
			if code := early.ProcessState.ExitCode(); code != 143 && code != -1 {
				t.Errorf("early SIGTERM after %dms: exit %d, want 143", i, code)
			}
		case <-time.After(10 * time.Second):
			early.Process.Kill()
			t.Fatalf("early SIGTERM after %dms: jailrun did not exit", i)
		}
	}
	start := time.Now()
	r := launch(t, compile(t, "timeout 00:00:01\n", ""), "", "/bin/sleep", "30")
	if d := time.Since(start); d > 5*time.Second || r.code != 137 {
		t.Errorf("timeout: exit %d after %v, want 137 after about 1s", r.code, d)
	}
}

// Every setup step that fails stops the launch, and the program never runs.
func TestFaultInjection(t *testing.T) {
	needRoot(t)
	bothPaths(t, testFaultInjection)
}

func testFaultInjection(t *testing.T) {
	marker := filepath.Join(binDir, "marker")
	os.Remove(marker)
	p := compile(t, strings.Join([]string{
		"private-dev", "private-tmp", "private-etc passwd,group,hostname,hosts", "private-bin sh,touch", "nosound",
		"whitelist /var/lib/jailc-test", "blacklist /etc/shadow", "read-only /usr", "machine-id", "hostname sandbox",
		"net none", "rlimit-nofile 100", "nice 1", "cpu 0", "caps.drop all", "nonewprivs", "seccomp", "writable-var",
	}, "\n")+"\n", "")
	steps := []string{"mount-propagation", "proc", "staging", "hostname", "loopback", "private-dev", "private-tmp", "private-home",
		"private-etc", "private-opt", "private-srv", "private-bin", "devices", "read-only-system", "proc-read-only", "whitelist", "blacklist", "machine-id", "staging-detach",
		"rlimits", "cpu", "nice", "cwd", "capabilities", "no_new_privs", "descriptors", "seccomp"}
	for _, step := range steps {
		r := launch(t, p, step, "/bin/sh", "-c", "touch "+marker)
		if r.err == nil {
			t.Errorf("step %s: launch succeeded despite the fault", step)
		} else if !strings.Contains(r.err.Error(), `"`+step+`"`) || !strings.Contains(r.err.Error(), "not started") {
			t.Errorf("step %s: error does not name the step: %v", step, r.err)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("step %s: the program ran although setup failed", step)
		}
	}
	// And without a fault the same plan runs the program.
	if r := launch(t, p, "", "/bin/sh", "-c", "touch "+marker); r.err != nil || r.code != 0 {
		t.Fatalf("clean launch: %v %d %s", r.err, r.code, r.stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("clean launch did not run the program")
	}
	os.Remove(marker)
}

// pid 1 failing after it reported ready (the view is still being built,
// and the program's process waits for it) stops the launch with pid 1's
// reason, not the broken pipe it leaves behind.
func TestInitFailsAfterReady(t *testing.T) {
	needRoot(t)
	marker := filepath.Join(binDir, "marker-init")
	os.Remove(marker)
	r := launch(t, compile(t, "private-dev\nprivate-tmp\n", ""), "init-descriptors", "/bin/sh", "-c", "touch "+marker)
	if r.err == nil || !strings.Contains(r.err.Error(), `"init-descriptors"`) || !strings.Contains(r.err.Error(), "not started") {
		t.Errorf("launch: %v", r.err)
	}
	if _, err := os.Stat(marker); err == nil {
		os.Remove(marker)
		t.Error("the program ran although pid 1 failed")
	}
}

// A failing real step reports step, operation, path and the plan rule.
func TestStepErrorNamesRule(t *testing.T) {
	needRoot(t)
	bothPaths(t, testStepErrorNamesRule)
}

func testStepErrorNamesRule(t *testing.T) {
	p := compile(t, "rlimit-nproc 1\nrlimit-nproc 5\n", "")
	p.Resources.Rlimits[0].Name = "bogus"
	r := launch(t, p, "", "/bin/true")
	if r.err == nil || !strings.Contains(r.err.Error(), `"rlimits"`) || !strings.Contains(r.err.Error(), "test.profile:2") {
		t.Errorf("error %v", r.err)
	}
}

func TestUnsupportedRefused(t *testing.T) {
	needRoot(t)
	p := compile(t, "apparmor\ncaps.drop all\n", "")
	r := launch(t, p, "", "/bin/true")
	if r.err == nil || !strings.Contains(r.err.Error(), "apparmor") || !strings.Contains(r.err.Error(), "test.profile:1") {
		t.Errorf("apparmor plan: %v", r.err)
	}
}

// The program starts with every signal at its default disposition, none
// blocked, and the runner's ignored ones still ignored, as execve leaves
// them (nohup: SIGHUP, which jailrun then does not catch and forward).
func TestProgramSignalDispositions(t *testing.T) {
	needRoot(t)
	bothPaths(t, testProgramSignalDispositions)
}

func testProgramSignalDispositions(t *testing.T) {
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP)
	own := statusMasks(t, mustRead(t, "/proc/self/status"))
	if own["SigIgn"]&1 == 0 {
		t.Fatalf("signal.Ignore(SIGHUP) left SigIgn %x", own["SigIgn"])
	}
	want := map[string]uint64{"SigBlk": 0, "SigCgt": 0, "SigIgn": own["SigIgn"]}
	r := launch(t, compile(t, "caps.drop all\n", ""), "", "/bin/cat", "/proc/self/status")
	if r.err != nil || r.code != 0 {
		t.Fatalf("exit %d err %v %s", r.code, r.err, r.stderr)
	}
	got := statusMasks(t, r.out)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("the program's %s is %x, want %x", k, got[k], v)
		}
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// statusMasks returns the signal masks of a /proc/PID/status text.
func statusMasks(t *testing.T, status string) map[string]uint64 {
	t.Helper()
	m := map[string]uint64{}
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":\t")
		if !ok || !strings.HasPrefix(k, "Sig") || k == "SigQ" {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		m[k] = n
	}
	if len(m) < 3 {
		t.Fatalf("no signal masks in:\n%s", status)
	}
	return m
}

// net none: the program and the sandbox's pid 1 are in a network
// namespace of their own that holds only the loopback interface, up (a
// server inside can listen on 127.0.0.1). pid 1 makes that namespace on
// the in-process path; were it left in the host's, /proc/1/net would show
// the host's interfaces and sockets to the program.
func TestNetNone(t *testing.T) {
	needRoot(t)
	bothPaths(t, testNetNone)
}

func testNetNone(t *testing.T) {
	hostNS, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	p := compile(t, "net none\ncaps.drop all\n", "")
	r := launch(t, p, "", "/bin/sh", "-c", "readlink /proc/self/ns/net; for f in /proc/self/net/dev /proc/1/net/dev; do echo $f; tail -n +3 $f | cut -d: -f1 | tr -d ' '; done")
	if r.err != nil || r.code != 0 {
		t.Fatalf("exit %d err %v %s", r.code, r.err, r.stderr)
	}
	want := "/proc/self/net/dev\nlo\n/proc/1/net/dev\nlo\n"
	ns, rest, _ := strings.Cut(r.out, "\n")
	if ns == hostNS || !strings.HasPrefix(ns, "net:[") {
		t.Errorf("the program's network namespace is %q (host: %q)", ns, hostNS)
	}
	if rest != want {
		t.Errorf("interfaces seen by the program and by pid 1:\n%s\nwant:\n%s", rest, want)
	}
	if rep := probeReport(t, p, "-bind", "127.0.0.1:8080"); rep.Bind != "ok 127.0.0.1:8080" {
		t.Errorf("listening on loopback: %s", rep.Bind)
	}
}

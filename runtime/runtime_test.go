package runtime_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/runtime"
)

// binDir holds the probe and jailrun, outside /tmp so that private-tmp
// does not hide them.
const binDir = "/var/lib/jailc-test"

var probe, jailrun string

func TestMain(m *testing.M) {
	runtime.Stage()
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(binDir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		probe = filepath.Join(binDir, "probe")
		jailrun = filepath.Join(binDir, "jailrun")
		for out, pkg := range map[string]string{probe: "./internal/probe", jailrun: "../cmd/jailrun"} {
			cmd := exec.Command("go", "build", "-o", out, pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, b)
				os.Exit(1)
			}
		}
	}
	os.Exit(m.Run())
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("launching sandboxes needs root (namespaces and mounts); CI runs as root")
	}
}

// compile builds a plan from profile text, for user ("" = invoking user).
func compile(t *testing.T, profile, user string) *plan.Plan {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "test.profile")
	if err := os.WriteFile(p, []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	sess, err := frontend.NewSession(frontend.Options{User: user})
	if err != nil {
		t.Fatal(err)
	}
	res := sess.Check(p)
	if res.Diags.HasErrors() {
		var b bytes.Buffer
		diag.WriteText(&b, res.Diags)
		t.Fatalf("profile has errors:\n%s", b.String())
	}
	pl, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

type result struct {
	code   int
	out    string
	stderr string
	err    error
}

// reExec makes launch use the re-executed stages (Options.ReExec).
var reExec bool

// bothPaths runs f once in-process and once with re-executed stages.
func bothPaths(t *testing.T, f func(t *testing.T)) {
	t.Run("in-process", f)
	reExec = true
	defer func() { reExec = false }()
	t.Run("re-exec", f)
}

func launch(t *testing.T, p *plan.Plan, inject string, argv ...string) result {
	t.Helper()
	filter, err := runtime.CompileFilter(p)
	if err != nil {
		t.Fatal(err)
	}
	or, ow, _ := os.Pipe()
	er, ew, _ := os.Pipe()
	var wg sync.WaitGroup
	var out, errb []byte
	wg.Add(2)
	go func() { defer wg.Done(); out, _ = io.ReadAll(or) }()
	go func() { defer wg.Done(); errb, _ = io.ReadAll(er) }()
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	code, err := runtime.Launch(runtime.Options{Plan: p, Argv: argv, Filter: filter, Stdin: devnull, Stdout: ow, Stderr: ew, Inject: inject, ReExec: reExec})
	ow.Close()
	ew.Close()
	wg.Wait()
	return result{code: code, out: string(out), stderr: string(errb), err: err}
}

func probeReport(t *testing.T, p *plan.Plan, args ...string) runtimeReport {
	t.Helper()
	r := launch(t, p, "", append([]string{probe}, args...)...)
	if r.err != nil || r.code != 0 {
		t.Fatalf("probe: exit %d, err %v\nstdout: %s\nstderr: %s", r.code, r.err, r.out, r.stderr)
	}
	var rep runtimeReport
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("probe output: %v\n%s", err, r.out)
	}
	return rep
}

// runtimeReport mirrors the probe's Report.
type runtimeReport struct {
	UID, EUID, GID int
	Groups         []int
	Status         map[string]string
	Namespaces     map[string]string
	Lists          map[string][]string
	Paths          map[string]struct{ Exists, Read, Write, Exec, Content bool }
	Syscalls       map[string]string
	FDs            []string
	Bind           string
	Hostname       string
	Cwd            string
	Env            map[string]string
}

func hostNS(t *testing.T, ns string) string {
	l, err := os.Readlink("/proc/self/ns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDefaultProfileSandbox(t *testing.T) {
	needRoot(t)
	secret := "/root/.ssh/jailc-test-secret"
	os.MkdirAll("/root/.ssh", 0o700)
	if err := os.WriteFile(secret, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(secret)
	p := compileStd(t, "default.profile")
	rep := probeReport(t, p, "-path", secret, "-path", "/etc/shadow", "-path", "/etc/passwd", "-list", "/dev", "-list", "/tmp",
		"-sys", "mount", "-sys", "personality", "-sys", "x32-getpid", "-sys", "socket-packet", "-sys", "socket-inet")
	for _, k := range []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"} {
		if rep.Status[k] != "0000000000000000" {
			t.Errorf("%s = %s, want all dropped (caps.drop all)", k, rep.Status[k])
		}
	}
	if rep.Status["NoNewPrivs"] != "1" || rep.Status["Seccomp"] != "2" {
		t.Errorf("NoNewPrivs %s, Seccomp %s; want 1 and 2", rep.Status["NoNewPrivs"], rep.Status["Seccomp"])
	}
	for _, ns := range []string{"mnt", "pid"} {
		if rep.Namespaces[ns] == hostNS(t, ns) {
			t.Errorf("%s namespace is the host's", ns)
		}
	}
	if got := strings.Join(rep.Lists["/dev"], " "); got != "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero" {
		t.Errorf("/dev = %s", got)
	}
	if len(rep.Lists["/tmp"]) != 0 {
		t.Errorf("/tmp is not empty: %v", rep.Lists["/tmp"])
	}
	// Hidden files read as empty (like Firejail's), their content is gone.
	if rep.Paths[secret].Content || rep.Paths["/etc/shadow"].Content {
		t.Errorf("blacklisted content readable: %+v", rep.Paths)
	}
	if !rep.Paths["/etc/passwd"].Content {
		t.Errorf("/etc/passwd unreadable")
	}
	want := map[string]string{"mount": "EPERM", "personality": "EPERM", "x32-getpid": "EPERM", "socket-packet": "ENOTSUP", "socket-inet": "ok"}
	for k, v := range want {
		if rep.Syscalls[k] != v {
			t.Errorf("%s: %s, want %s", k, rep.Syscalls[k], v)
		}
	}
	checkNoLeakedFDs(t, rep.FDs)
}

// compileStd compiles one of jailc's embedded profiles.
func compileStd(t *testing.T, name string) *plan.Plan {
	t.Helper()
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := sess.Check("stdlib:" + name)
	pl, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// checkNoLeakedFDs: besides 0, 1 and 2, the program may hold only what it
// opened itself (the probe's directory listing and the Go runtime's epoll
// and eventfd handles), never a socket, pipe or file of the runner.
func checkNoLeakedFDs(t *testing.T, fds []string) {
	t.Helper()
	for _, f := range fds {
		num, target, _ := strings.Cut(f, " ")
		if num == "0" || num == "1" || num == "2" {
			continue
		}
		// "" is the listing handle itself, closed before readlink.
		if target == "" || strings.HasPrefix(target, "anon_inode:") || strings.HasPrefix(target, "/proc/") {
			continue
		}
		t.Errorf("descriptor %s (%s) leaked into the sandbox", num, target)
	}
}

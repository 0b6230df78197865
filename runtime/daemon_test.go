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

// goRuntimeSyscalls is what a small Go program (the probe) needs: the Go
// runtime's own calls plus reading /proc, listing directories and binding
// a TCP socket.
var goRuntimeSyscalls = []string{
	"accept4", "arch_prctl", "bind", "brk", "capget", "clock_gettime", "clone", "clone3", "close", "epoll_create1",
	"epoll_ctl", "epoll_pwait", "epoll_wait", "eventfd2", "execve", "exit", "exit_group", "faccessat", "faccessat2",
	"fcntl", "fstat", "futex", "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getpid", "getppid",
	"getrlimit", "getsockname", "gettid", "getuid", "listen", "madvise", "mmap", "mprotect", "munmap", "nanosleep",
	"newfstatat", "openat", "pipe2", "prlimit64", "read", "readlinkat", "rseq", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sched_getaffinity", "sched_yield", "set_robust_list", "set_tid_address", "setsockopt",
	"sigaltstack", "socket", "tgkill", "uname", "write",
}

// The daemon scenario of the hardening guide: a service running as a
// non-root user binds port 443 because caps.keep net_bind_service keeps
// exactly that capability across the user switch (ambient), under a seccomp
// allowlist — no setcap on the binary. Launched the way a systemd unit
// would: jailrun --plan FILE -- PROGRAM.
func TestDaemonBindsPrivilegedPort(t *testing.T) {
	needRoot(t)
	bothPaths(t, testDaemonBindsPrivilegedPort)
}

func testDaemonBindsPrivilegedPort(t *testing.T) {
	if _, err := exec.Command("id", "nobody").Output(); err != nil {
		t.Skip("no user nobody on this machine")
	}
	profile := strings.Join([]string{
		"caps.keep net_bind_service",
		"nonewprivs",
		"nogroups",
		"seccomp.keep " + strings.Join(goRuntimeSyscalls, ","),
		"protocol unix,inet,inet6",
		"private-tmp",
		"private-dev",
	}, "\n") + "\n"
	p := compile(t, profile, "nobody")
	if p.Credentials.User != "nobody" || strings.Join(p.Credentials.Ambient, ",") != "net_bind_service" {
		t.Fatalf("plan credentials: %+v", p.Credentials)
	}
	dir := t.TempDir()
	planFile := filepath.Join(dir, "restd.plan")
	data, _ := plan.Marshal(p)
	os.WriteFile(planFile, data, 0o644)
	out, err := exec.Command(jailrun, "--plan", planFile, "--", probe, "-bind", "127.0.0.1:443", "-sys", "socket-packet", "-sys", "mount").Output()
	if err != nil {
		t.Fatalf("jailrun: %v\n%s", err, out)
	}
	var rep runtimeReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.UID == 0 || rep.EUID == 0 {
		t.Errorf("running as uid %d/%d, want nobody", rep.UID, rep.EUID)
	}
	if rep.Bind != "ok 127.0.0.1:443" {
		t.Errorf("bind to port 443: %s", rep.Bind)
	}
	if rep.Status["CapEff"] != "0000000000000400" || rep.Status["CapAmb"] != "0000000000000400" || rep.Status["Seccomp"] != "2" {
		t.Errorf("capabilities/seccomp: %v", rep.Status)
	}
	// Outside the allowlist: mount is not in it (kill would end the probe,
	// the default action is EPERM); packet sockets are not in protocol.
	if rep.Syscalls["mount"] != "EPERM" || rep.Syscalls["socket-packet"] == "ok" {
		t.Errorf("denied calls: %v", rep.Syscalls)
	}
	// Without the capability the same daemon cannot bind 443.
	p2 := compile(t, strings.Replace(profile, "caps.keep net_bind_service", "caps.drop all", 1), "nobody")
	rep2 := probeReport(t, p2, "-bind", "127.0.0.1:443")
	if !strings.Contains(rep2.Bind, "permission denied") {
		t.Errorf("without net_bind_service: %s", rep2.Bind)
	}
}

package explain

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/explain/internal/int80"
	"github.com/jailc/jailc/compiler/sysnum"
)

// triggerEnv makes the test binary, re-executed, install a one-rule
// seccomp filter and make the call it names instead of running tests:
// "ARCH NR RET FLAGS COMM" (ARCH native or i386).
const triggerEnv = "JAILC_EXPLAIN_TRIGGER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(triggerEnv); spec != "" {
		if err := trigger(spec); err != nil {
			fmt.Fprintln(os.Stderr, "trigger:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// trigger installs "if arch == ARCH && nr == NR return RET; allow" on this
// thread and makes the call.
func trigger(spec string) error {
	f := strings.SplitN(spec, " ", 5)
	if len(f) != 5 {
		return fmt.Errorf("bad spec %q", spec)
	}
	nr, err1 := strconv.ParseUint(f[1], 0, 32)
	ret, err2 := strconv.ParseUint(f[2], 0, 32)
	flags, err3 := strconv.ParseUint(f[3], 0, 32)
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	arch := sysnum.X86_64.AuditArch
	if f[0] == "i386" {
		arch = sysnum.I386.AuditArch
	}
	runtime.LockOSThread() // the filter and the call must be on one thread
	if f[4] != "" {
		name := append([]byte(f[4]), 0)
		if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0, 0, 0); err != nil {
			return err
		}
	}
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4}, // arch
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 3, K: arch},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: uint32(nr)},
		{Code: unix.BPF_RET | unix.BPF_K, K: uint32(ret)},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0x7fff0000},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, 1 /* SECCOMP_SET_MODE_FILTER */, uintptr(flags), uintptr(unsafe.Pointer(&fprog))); e != 0 {
		return e
	}
	if f[0] == "i386" {
		int80.Syscall(uintptr(nr), 0, 0, 0)
	} else {
		unix.RawSyscall(uintptr(nr), 0, 0, 0)
	}
	return nil
}

// TestKernelRecords makes real seccomp records here and reads them back
// from /dev/kmsg: the kernel's own format, live, for the two architectures
// an x86_64 machine runs, with a comm the kernel must hex-encode.
func TestKernelRecords(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("the triggers are written for amd64, this is %s", runtime.GOARCH)
	}
	logged, err := os.ReadFile("/proc/sys/kernel/seccomp/actions_logged")
	if err != nil {
		t.Skipf("cannot read kernel.seccomp.actions_logged: %v", err)
	}
	for _, a := range []string{"log", "errno", "kill_process"} {
		if !strings.Contains(" "+strings.TrimSpace(string(logged))+" ", " "+a+" ") {
			t.Skipf("kernel.seccomp.actions_logged is %q: it lacks %q, so the kernel would not log these calls", strings.TrimSpace(string(logged)), a)
		}
	}
	kmsg, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("cannot read the kernel log: open /dev/kmsg: %v", err)
	}
	defer unix.Close(kmsg)
	if _, err := unix.Seek(kmsg, 0, unix.SEEK_END); err != nil {
		t.Skipf("cannot seek /dev/kmsg: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	const flagLog = 2 // SECCOMP_FILTER_FLAG_LOG: errno is logged only with it
	for _, tc := range []struct {
		spec   string
		arch   *sysnum.Arch
		name   string
		kind   string
		sig    int
		compat int
		comm   string
	}{
		{fmt.Sprintf("native %d 0x7ffc0000 0 jailc explain", unix.SYS_GETPPID), sysnum.X86_64, "getppid", "log", 0, 0, "jailc explain"},
		{fmt.Sprintf("i386 120 0x00050001 %d ", flagLog), sysnum.I386, "clone", "errno", 0, 1, filepath.Base(self)},
		{"i386 102 0x80000000 0 ", sysnum.I386, "socketcall", "kill-process", 31, 1, filepath.Base(self)},
	} {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), triggerEnv+"="+tc.spec)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 3 {
			t.Fatalf("%s: %s", tc.spec, out)
		}
		if tc.kind == "kill-process" {
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
				t.Errorf("%s: the child was not killed by SIGSYS: %v", tc.spec, err)
			}
		}
		pid := cmd.Process.Pid
		line := readRecord(t, kmsg, pid)
		if line == "" {
			t.Skipf("no audit record for pid %d (%s) reached /dev/kmsg within 3s: the kernel prints audit records only while no audit daemon consumes them, and rate-limits them (printk_ratelimit); kernel.seccomp.actions_logged=%q", pid, tc.spec, strings.TrimSpace(string(logged)))
		}
		t.Logf("observed: %s", line)
		r, err := ParseLine(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		c, a := CallOf(r), ActionOf(r)
		tcomm := tc.comm
		if len(tcomm) > 15 { // TASK_COMM_LEN - 1
			tcomm = tcomm[:15]
		}
		if r.Form != FormKernel || r.PID != pid || c.Arch != tc.arch || c.Name != tc.name || a.Kind != tc.kind ||
			r.Sig != tc.sig || r.Compat != tc.compat || r.Comm != tcomm || r.Exe != self {
			t.Errorf("%s: read %+v as %s %s %s", tc.spec, r, c.Arch.Name, c.Name, a.Kind)
		}
		if strings.Contains(tc.comm, " ") && strings.Contains(line, `comm="`) {
			t.Errorf("a comm with a space should be hex-encoded: %s", line)
		}
	}
}

// readRecord returns the /dev/kmsg record of a seccomp event of pid.
func readRecord(t *testing.T, fd, pid int) string {
	buf := make([]byte, 16<<10)
	want := fmt.Sprintf(" pid=%d ", pid)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		n, err := unix.Read(fd, buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			time.Sleep(20 * time.Millisecond)
			continue
		case errors.Is(err, unix.EPIPE): // overwritten records: read on
			continue
		case err != nil:
			t.Fatalf("reading /dev/kmsg: %v", err)
		}
		rec, _, _ := strings.Cut(string(buf[:n]), "\n")
		if strings.Contains(rec, "type=1326 ") && strings.Contains(rec, want) {
			return rec
		}
	}
	return ""
}

package runtime

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/plan"
)

// execMain is the last stage: process limits, credentials, capabilities,
// no_new_privs, descriptors, seccomp, then execve of the program. Each step
// is here for a reason noted beside it; the order matters.
func execMain() int {
	goruntime.LockOSThread()
	debug.SetGCPercent(-1) // this process lives only until execve

	sock := os.NewFile(3, "jailrun-exec")
	fail := func(e *StepError) int {
		send(sock, reply{Err: e})
		return 1
	}
	var s setup
	if err := recv(sock, &s); err != nil {
		return fail(stepErr("exec", "read setup", "", nil, err))
	}
	p := s.Plan
	steps := []struct {
		name string
		f    func() *StepError
	}{
		// Limits first: they need no privilege to lower, and rlimits are
		// inherited through execve.
		{"rlimits", func() *StepError { return setRlimits(p) }},
		{"cpu", func() *StepError { return setCPU(p) }},
		{"nice", func() *StepError { return setNice(p) }},
		// The working directory is chosen while we can still see
		// everything root can; a path the user cannot enter fails later.
		{"cwd", func() *StepError { return chdir(&s) }},
		// Credentials: groups, then gid, then uid (after uid we could no
		// longer change the others), keeping the capabilities the plan
		// wants across the switch.
		{"capabilities", func() *StepError { return setCredentials(&s) }},
		// no_new_privs: setuid binaries and file capabilities cannot add
		// privileges from here on; required to install seccomp unprivileged.
		{"no_new_privs", func() *StepError { return setNoNewPrivs(p) }},
		// Only 0, 1 and 2 reach the program (no descriptor leaks).
		{"descriptors", func() *StepError { return closeDescriptors(sock) }},
	}
	for _, st := range steps {
		if e := s.step(st.name, st.f); e != nil {
			return fail(e)
		}
	}
	// Resolve the program and prepare execve's arguments before seccomp,
	// so nothing but the two system calls runs under the filter.
	path, err := lookPath(s.Argv[0], envPath(s.Env))
	if err != nil {
		return fail(stepErr("exec", "find program", s.Argv[0], nil, err))
	}
	argv, err := syscall.SlicePtrFromStrings(s.Argv)
	if err != nil {
		return fail(stepErr("exec", "prepare arguments", path, nil, err))
	}
	envv, err := syscall.SlicePtrFromStrings(sandboxEnv(&s))
	if err != nil {
		return fail(stepErr("exec", "prepare environment", path, nil, err))
	}
	pathp, err := syscall.BytePtrFromString(path)
	if err != nil {
		return fail(stepErr("exec", "prepare path", path, nil, err))
	}
	prog, se := seccompProgram(&s)
	if se != nil {
		return fail(se)
	}
	if s.Inject == "seccomp" {
		return fail(&StepError{Step: "seccomp", Op: "injected", Err: errInjected.Error()})
	}
	if prog != nil {
		// Seccomp goes in last, right before execve.
		if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(prog))); e != 0 {
			return fail(stepErr("seccomp", "seccomp(SET_MODE_FILTER)", "", seccompOrigin(p), e))
		}
	}
	_, _, e := unix.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(pathp)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))
	return fail(stepErr("exec", "execve", path, nil, e))
}

func seccompOrigin(p *plan.Plan) *plan.Origin { return p.Seccomp.ModeOrigin }

// seccompProgram is the compiled filter (raw struct sock_filter array) as
// seccomp(2) takes it; nil when the plan installs none.
func seccompProgram(s *setup) (*unix.SockFprog, *StepError) {
	if len(s.Filter) == 0 {
		return nil, nil
	}
	if len(s.Filter)%8 != 0 || len(s.Filter)/8 > 4096 {
		return nil, stepErr("seccomp", "check filter", "", seccompOrigin(s.Plan), errorf("filter of %d bytes is not a valid program", len(s.Filter)))
	}
	filter := make([]unix.SockFilter, len(s.Filter)/8)
	for i := range filter {
		b := s.Filter[i*8:]
		filter[i] = unix.SockFilter{Code: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	return &unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}, nil
}

func envPath(env []string) string {
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			return e[5:]
		}
	}
	return "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
}

func lookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(name); err != nil {
			return "", err
		}
		return name, nil
	}
	for _, d := range filepath.SplitList(path) {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// sandboxEnv applies the plan's env and rmenv lines, in order, to the
// caller's environment.
func sandboxEnv(s *setup) []string {
	env := append([]string{}, s.Env...)
	del := func(name string) {
		out := env[:0]
		for _, e := range env {
			if !strings.HasPrefix(e, name+"=") {
				out = append(out, e)
			}
		}
		env = out
	}
	for _, op := range s.Plan.Environment {
		del(op.Name)
		if op.Op == "set" {
			env = append(env, op.Name+"="+op.Value)
		}
	}
	if s.User.UID != 0 {
		del("HOME")
		del("USER")
		del("LOGNAME")
		env = append(env, "HOME="+s.User.Home, "USER="+s.User.Name, "LOGNAME="+s.User.Name)
	}
	return env
}

func chdir(s *setup) *StepError {
	dir := s.Cwd
	if c := s.Plan.Filesystem.PrivateCwd; c != nil {
		dir = c.Value
		if dir == "" {
			dir = s.User.Home
		}
		if err := os.Chdir(dir); err != nil {
			return stepErr("cwd", "chdir", dir, &c.Origin, err)
		}
		return nil
	}
	// Firejail keeps the working directory when it is visible, else uses
	// the home directory, else /.
	for _, d := range []string{dir, s.User.Home, "/"} {
		if d != "" && os.Chdir(d) == nil {
			return nil
		}
	}
	return stepErr("cwd", "chdir", "/", nil, errorf("no usable working directory"))
}

func closeDescriptors(keep *os.File) *StepError {
	// Mark everything above 2 close-on-exec; the exec-stage socket is
	// close-on-exec already and closes when execve succeeds.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return stepErr("descriptors", "close_range", "", nil, err)
	}
	return nil
}

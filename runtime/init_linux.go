package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/debug"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/plan"
)

// initMain is pid 1 of the sandbox: it builds the filesystem view, starts
// the exec stage, then reaps every child and forwards signals until the
// program exits. Its exit status is the program's.
func initMain() int {
	goruntime.LockOSThread()
	// Catch the forwarded signals at once: a SIGTERM arriving while the
	// sandbox is built would otherwise make Go's runtime exit with status 2
	// (and pid 1 ignores what it does not handle). They are delivered to
	// the program once it runs.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, append(forwardedSignals(), syscall.SIGCHLD)...)
	// Setup is short and allocates little beyond the plan: no collector
	// until the sandbox runs (it costs more than it saves here).
	debug.SetGCPercent(-1)
	sock := os.NewFile(3, "jailrun-sock")
	fail := func(e *StepError) int {
		send(sock, reply{Err: e})
		return 1
	}
	var s setup
	if err := recv(sock, &s); err != nil {
		return fail(stepErr("launch", "read setup", "", nil, err))
	}
	// Nothing in the sandbox may ptrace us or open /proc/1/exe (the
	// CVE-2019-5736 class: overwriting the runner from inside).
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fail(stepErr("init", "prctl PR_SET_DUMPABLE", "", nil, err))
	}
	if e := buildSandbox(&s); e != nil {
		return fail(e)
	}

	// Start the exec stage with its own channel; the channel is
	// close-on-exec, so EOF without a message means the program started.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(stepErr("launch", "socketpair", "", nil, err))
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "init"), os.NewFile(uintptr(fds[1]), "exec")
	self := "/proc/self/exe"
	attr := &os.ProcAttr{
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr, theirs},
		Env:   []string{},
	}
	if noroot(&s) {
		keep, e := capBits(s.Plan.Credentials.Bounding)
		if e == nil {
			e = dropBounding(keep, s.Plan.Credentials.CapsOrigin)
		}
		if e != nil {
			return fail(e)
		}
		// noroot: the program runs in a user namespace where only its own
		// user and group exist (no root, no other ids; setgroups denied).
		// A Go process cannot unshare a user namespace itself (it has
		// threads), so the exec stage is started inside one.
		u := s.User
		// The id switch happens in the child before it executes the exec
		// stage: after execve a non-root process has no capabilities in
		// the new namespace to change ids with.
		attr.Sys = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			Credential:  &syscall.Credential{Uid: uint32(u.UID), Gid: uint32(u.GID), NoSetGroups: true},
			UidMappings: []syscall.SysProcIDMap{{ContainerID: u.UID, HostID: u.UID, Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: u.GID, HostID: u.GID, Size: 1}},
		}
	}
	proc, err := os.StartProcess(self, []string{"jailrun-exec", stageExec}, attr)
	theirs.Close()
	if err != nil {
		return fail(stepErr("exec", "start exec stage", self, nil, err))
	}
	// The exec stage needs credentials, limits, environment and the
	// filter, not the filesystem view.
	final := s
	trimmed := *s.Plan
	trimmed.Filesystem = plan.Filesystem{}
	trimmed.Seccomp.Policies = nil
	trimmed.Ignored, trimmed.Files = nil, nil
	final.Plan = &trimmed
	if err := send(mine, final); err != nil {
		proc.Kill()
		return fail(stepErr("exec", "send setup", "", nil, err))
	}
	var r reply
	err = recv(mine, &r)
	mine.Close()
	if err == nil && r.Err != nil {
		proc.Wait()
		return fail(r.Err)
	}
	send(sock, reply{Ready: true})
	sock.Close()
	s = setup{}
	debug.SetGCPercent(100)
	return reap(proc.Pid, sigs)
}

// noroot reports whether the exec stage gets a user namespace: the plan
// says noroot and the program does not run as root (for root Firejail
// ignores noroot).
func noroot(s *setup) bool { return s.Plan.Namespaces.User != nil && s.User.UID != 0 }

// reap waits for every child (orphans reparent to pid 1) and forwards
// signals to the program; it returns the program's status when the
// program exits. Leaving pid 1 kills whatever else still runs.
func reap(main int, sigs chan os.Signal) int {
	for {
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil || pid <= 0 {
				if errors.Is(err, syscall.ECHILD) {
					return 0
				}
				break
			}
			if pid == main {
				if ws.Signaled() {
					return 128 + int(ws.Signal())
				}
				return ws.ExitStatus()
			}
		}
		sig := <-sigs
		if sig != syscall.SIGCHLD {
			syscall.Kill(main, sig.(syscall.Signal))
		}
	}
}

var errInjected = errors.New("injected fault (test)")

// step runs one setup step, honouring fault injection.
func (s *setup) step(name string, f func() *StepError) *StepError {
	if s.Inject == name {
		return &StepError{Step: name, Op: "injected", Err: errInjected.Error()}
	}
	if e := f(); e != nil {
		return e
	}
	return nil
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

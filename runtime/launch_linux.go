package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/plan"
)

// Stage names used as argv[1] when the runner re-executes itself.
const (
	stageInit = "__jailrun_init"
	stageExec = "__jailrun_exec"
)

// StagingDir is where init mounts its private scratch tmpfs. It must exist
// on the host; Launch creates it.
const StagingDir = "/run/jailc"

// Options for Launch.
type Options struct {
	Plan *plan.Plan
	Argv []string
	// Filter is the compiled seccomp program (raw struct sock_filter array)
	// for this host; required when the plan enables seccomp.
	Filter []byte
	// AllowUnsupported starts even when the plan has features this runtime
	// does not implement; each ignored rule is printed to Warn.
	AllowUnsupported bool
	Stdin            *os.File
	Stdout, Stderr   *os.File
	Warn             io.Writer
	// Inject makes the named setup step fail (fault-injection tests).
	Inject string
	// ReExec builds the sandbox in re-executed init and exec stages even
	// where jailrun can do it in-process: the path that rootless and
	// noroot launches and other architectures take (tests cover it).
	ReExec bool
	// Signals, when set, are the signals caught since CatchSignals; Launch
	// catches them itself otherwise.
	Signals *Signals
}

// Signals are the signals jailrun forwards to the program, caught from
// CatchSignals on: one that arrives while the sandbox is being built is
// delivered to the program once it runs.
type Signals struct {
	c        chan os.Signal
	notified chan struct{} // closed once signal.Notify has returned
}

// CatchSignals starts catching the forwarded signals. The first
// signal.Notify of a process starts two threads (a third of a millisecond
// here): it runs on its own goroutine, and jailrun calls this first thing,
// so that it is done long before the program may start (which waits for
// it).
func CatchSignals() *Signals {
	sg := &Signals{c: make(chan os.Signal, 8), notified: make(chan struct{})}
	go func() {
		signal.Notify(sg.c, forwardedSignals()...)
		close(sg.notified)
	}()
	return sg
}

// forwardedSignals are the signals the runner passes on to the program:
// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 — except those
// the runner was started with ignored (Go keeps an inherited SIG_IGN for
// SIGHUP and SIGINT: under nohup). Catching one would replace SIG_IGN
// with a handler, and the program would lose the ignored disposition it
// inherits as if it ran directly.
func forwardedSignals() []os.Signal {
	var out []os.Signal
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2} {
		if !signal.Ignored(sig) {
			out = append(out, sig)
		}
	}
	return out
}

// stop stops catching. signal.Stop waits for the signal loop to go idle,
// so it runs on its own goroutine after Launch has returned.
func (sg *Signals) stop() {
	go func() {
		<-sg.notified
		signal.Stop(sg.c)
	}()
}

// Unsupported returns the plan's features this runtime does not
// implement, one line each with its origin.
func Unsupported(p *plan.Plan) []string {
	var out []string
	for _, u := range p.Unsupported {
		out = append(out, fmt.Sprintf("%s: %s (rule `%s` at %s)", u.Code, u.Message, u.Origin.Text, u.Origin))
	}
	for _, it := range p.Misc.KeepFD {
		out = append(out, fmt.Sprintf("keep-fd: passing file descriptor %s (rule `%s` at %s)", it.Value, it.Origin.Text, it.Origin))
	}
	return out
}

// Launch runs argv in the sandbox and returns its exit status (128+N when
// killed by signal N). An error means the program did not start.
func Launch(o Options) (int, error) {
	p := o.Plan
	if p == nil || p.Version != plan.Version {
		return 0, errors.New("no plan, or a plan of another version")
	}
	if len(o.Argv) == 0 {
		return 0, errors.New("no program to run")
	}
	if o.Warn == nil {
		o.Warn = io.Discard
	}
	if uns := Unsupported(p); len(uns) > 0 {
		if !o.AllowUnsupported {
			return 0, fmt.Errorf("the plan uses features jailrun does not implement; refusing to start (use --allow-unsupported to run without them):\n  %s", strings.Join(uns, "\n  "))
		}
		for _, u := range uns {
			fmt.Fprintf(o.Warn, "jailrun: ignoring unsupported %s\n", u)
		}
	}
	if p.Seccomp.Enabled && len(o.Filter) == 0 {
		return 0, errors.New("the plan enables seccomp but no filter was compiled; refusing to start without it")
	}
	rootless := os.Geteuid() != 0
	if rootless && p.Credentials.UID != os.Getuid() {
		return 0, fmt.Errorf("the plan runs the program as uid %d; only root can switch users (compile the plan for yourself, or run jailrun as root)", p.Credentials.UID)
	}
	user, err := LookupUser(p.Credentials.UID)
	if err != nil {
		return 0, err
	}
	staging := StagingDir
	if rootless {
		// A scratch mount point the user owns; init mounts its tmpfs on it
		// inside the sandbox's own mount namespace.
		staging = filepath.Join(os.TempDir(), fmt.Sprintf(".jailc-%d", os.Getuid()))
		if err := os.Mkdir(staging, 0o700); err != nil && !os.IsExist(err) {
			return 0, stepErr("staging", "mkdir", staging, nil, err)
		}
		if st, err := os.Lstat(staging); err != nil || !st.IsDir() || st.Sys().(*syscall.Stat_t).Uid != uint32(os.Getuid()) {
			return 0, stepErr("staging", "check owner", staging, nil, errors.New("not a directory owned by you"))
		}
	} else if err := os.MkdirAll(staging, 0o755); err != nil {
		return 0, stepErr("staging", "mkdir", staging, nil, err)
	}
	cwd, _ := os.Getwd()
	s := setup{Plan: p, User: user, Argv: o.Argv, Env: os.Environ(), Cwd: cwd, Filter: o.Filter, Inject: o.Inject,
		NetNone: p.Namespaces.NetNone != nil, Staging: staging, Rootless: rootless}

	sg := o.Signals
	if sg == nil {
		sg = CatchSignals()
	}
	defer sg.stop()

	if haveDirect && !o.ReExec && !rootless && !noroot(&s) {
		return launchDirect(o, &s, sg)
	}

	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, stepErr("launch", "socketpair", "", nil, err)
	}
	parentSock := os.NewFile(uintptr(fds[0]), "jailrun-parent")
	childSock := os.NewFile(uintptr(fds[1]), "jailrun-child")
	defer parentSock.Close()

	flags := uintptr(unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS)
	if p.Namespaces.IPC != nil {
		flags |= unix.CLONE_NEWIPC
	}
	if s.NetNone {
		flags |= unix.CLONE_NEWNET
	}
	self, err := os.Executable()
	if err != nil {
		return 0, stepErr("launch", "locate runner binary", "", nil, err)
	}
	sys := &syscall.SysProcAttr{Cloneflags: flags, Pdeathsig: syscall.SIGKILL}
	if rootless {
		// Rootless: init runs in a user namespace where the user maps to
		// itself, holding as ambient capabilities (kept across its exec)
		// only what building the sandbox needs; they are valid in the
		// sandbox's own namespaces, not on the host.
		sys.Cloneflags |= syscall.CLONE_NEWUSER
		sys.UidMappings = []syscall.SysProcIDMap{{ContainerID: user.UID, HostID: os.Getuid(), Size: 1}}
		sys.GidMappings = []syscall.SysProcIDMap{{ContainerID: user.GID, HostID: os.Getgid(), Size: 1}}
		sys.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_SETPCAP, unix.CAP_NET_ADMIN, unix.CAP_CHOWN,
			unix.CAP_DAC_OVERRIDE, unix.CAP_FOWNER, unix.CAP_SETUID, unix.CAP_SETGID}
	}
	attr := &os.ProcAttr{
		Files: []*os.File{orStd(o.Stdin, os.Stdin), orStd(o.Stdout, os.Stdout), orStd(o.Stderr, os.Stderr), childSock},
		Env:   []string{},
		Sys:   sys,
	}
	<-sg.notified
	proc, err := os.StartProcess(self, []string{"jailrun-init", stageInit}, attr)
	childSock.Close()
	if err != nil {
		return 0, stepErr("namespaces", "clone", "", nil, err)
	}
	if err := send(parentSock, s); err != nil {
		proc.Kill()
		proc.Wait()
		return 0, stepErr("launch", "send setup", "", nil, err)
	}
	var r reply
	if err := recv(parentSock, &r); err != nil {
		st, _ := proc.Wait()
		return 0, fmt.Errorf("sandbox init exited before the program started (%v, %v); the program was not started", err, st)
	}
	if r.Err != nil {
		proc.Wait()
		return 0, r.Err
	}

	done := make(chan int, 1)
	go func() {
		st, _ := proc.Wait()
		done <- exitStatus(st)
	}()
	return supervise(o, p, sg.c, done, func(sig os.Signal) { proc.Signal(sig) })
}

// supervise runs while the program does: it forwards signals to the
// sandbox's pid 1, which forwards them to the program, and enforces the
// timeout by killing pid 1 and with it the whole pid namespace.
func supervise(o Options, p *plan.Plan, sigs chan os.Signal, done chan int, forward func(os.Signal)) (int, error) {
	var timeout <-chan time.Time
	if p.Resources.TimeoutSeconds > 0 {
		timeout = time.After(time.Duration(p.Resources.TimeoutSeconds) * time.Second)
	}
	for {
		select {
		case sig := <-sigs:
			forward(sig)
		case <-timeout:
			fmt.Fprintf(o.Warn, "jailrun: timeout of %ds reached, killing the sandbox\n", p.Resources.TimeoutSeconds)
			forward(syscall.SIGKILL)
		case code := <-done:
			return code, nil
		}
	}
}

func orStd(f, def *os.File) *os.File {
	if f != nil {
		return f
	}
	return def
}

func exitStatus(st *os.ProcessState) int {
	if st == nil {
		return 1
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// LookupUser reads /etc/passwd and /etc/group directly (no cgo, no NSS:
// the runner must not load code it does not control).
func LookupUser(uid int) (User, error) {
	u := User{UID: uid, GID: -1}
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return u, stepErr("user", "open", "/etc/passwd", nil, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Split(sc.Text(), ":")
		if len(fl) < 7 {
			continue
		}
		if id, err := strconv.Atoi(fl[2]); err == nil && id == uid {
			u.Name, u.Home = fl[0], fl[5]
			u.GID, _ = strconv.Atoi(fl[3])
			break
		}
	}
	if u.GID < 0 {
		return u, fmt.Errorf("uid %d has no entry in /etc/passwd; create the user or compile the plan with --user for an existing one", uid)
	}
	u.Groups = []int{u.GID}
	if g, err := os.Open("/etc/group"); err == nil {
		defer g.Close()
		sc := bufio.NewScanner(g)
		for sc.Scan() {
			fl := strings.Split(sc.Text(), ":")
			if len(fl) < 4 {
				continue
			}
			for _, m := range strings.Split(fl[3], ",") {
				if m == u.Name {
					if id, err := strconv.Atoi(fl[2]); err == nil && id != u.GID {
						u.Groups = append(u.Groups, id)
					}
				}
			}
		}
	}
	u.Home = filepath.Clean(u.Home)
	return u, nil
}

// Stage runs the sandbox stages when the runner re-executes itself. Both
// jailrun and jailc call it first thing in main; it returns only when argv
// names no stage.
func Stage() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[1] {
	case stageInit:
		os.Exit(initMain())
	case stageExec:
		os.Exit(execMain())
	}
}

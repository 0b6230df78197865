//go:build amd64 || arm64

package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	goruntime "runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/plan"
)

// haveDirect: this architecture builds the sandbox in-process (the
// children in child_linux.go use its system call numbers and layouts).
const haveDirect = true

// directStep maps fault-injection names to the children's steps.
var directStep = map[string]int32{
	"rlimits": cstepRlimits, "cpu": cstepCPU, "nice": cstepNice, "cwd": cstepCwd,
	"capabilities": cstepCapget, "no_new_privs": cstepNoNewPrivs, "descriptors": cstepDescriptors,
	"seccomp": cstepSeccomp,
	// pid 1 moving the standard streams into place, after it reported
	// ready (only this launch path has the step).
	"init-descriptors": cstepStdio,
	// pid 1 makes the network namespace for net none (buildDirect).
	"loopback": cstepLoopback,
}

// launchDirect is Launch for root without a user namespace, with no
// re-executed runner: one of jailrun's threads unshares the namespaces and
// builds the filesystem view in them with the same code init uses; pid 1
// (clone(CLONE_VM): jailrun's memory, its own stack, no runtime) mounts
// /proc and starts the process that, once the view is ready, sets limits,
// credentials and seccomp and executes the program.
//
//	jailrun thread T (new mount/uts/ipc ns)      pid 1 (no runtime)            program (no runtime)
//	───────────────────────────────────────────  ───────────────────────────   ────────────────────
//	unshare, make / private
//	start pid 1 ───────────────────────────────▶ mount /proc, report ready
//	staging tmpfs, the view up to /proc          net none: new net ns, lo up
//	wait for ready, the rest of the view         start ──────────────────────▶ wait for the go byte
//	go byte ─────────────────────────────────────────────────────────────────▶ limits, cwd, creds,
//	◀─────────────── error record, or EOF once execve succeeded ────────────── nnp, fds, seccomp, execve
//	wait for pid 1                               reap, forward signals
//
// The thread never returns to Go's scheduler pool: it keeps the sandbox's
// namespaces and dies with its goroutine once pid 1 has exited (pid 1's
// parent-death signal is tied to it).
func launchDirect(o Options, s *setup, sg *Signals) (int, error) {
	a, err := prepareChild(o, s)
	if err != nil {
		return 0, err
	}
	// The children's stacks, outside Go's heap: neither the garbage
	// collector nor a goroutine's stack growth may touch them. They are
	// unmapped once pid 1 has been reaped (it outlives the program's
	// process: leaving the namespace's init waits for the rest).
	stacks, err := unix.Mmap(-1, 0, 2*childStackSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_STACK)
	if err != nil {
		return 0, stepErr("launch", "mmap the children's stacks", "", nil, err)
	}
	base := uintptr(unsafe.Pointer(&stacks[0]))
	a.initStack, a.programStack = base+childStackSize, base+2*childStackSize
	type started struct {
		pid, pidfd int
		err        error
	}
	res := make(chan started, 1)
	done := make(chan int, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked, on purpose (see above)
		pid, err := buildDirect(s, a, sg.notified)
		goruntime.KeepAlive(o)
		// The children share our memory: a and the stacks stay until
		// they are gone.
		release := func() {
			goruntime.KeepAlive(a)
			unix.Munmap(stacks)
		}
		// Opened before this thread can reap pid 1 (below).
		pidfd := -1
		if err == nil {
			if fd, e := unix.PidfdOpen(pid, 0); e == nil {
				pidfd = fd
			}
		}
		res <- started{pid, pidfd, err}
		if err != nil {
			release() // buildDirect reaped pid 1 if it had started it
			return
		}
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
				break
			}
		}
		release()
		done <- waitCode(ws)
	}()
	st := <-res
	if st.err != nil {
		return 0, st.err
	}
	// Signal pid 1 through a pidfd, opened before it could be reaped: once
	// reaped, its number may belong to another process; the pidfd still
	// names pid 1 (and the signal fails).
	kill := func(sig os.Signal) { unix.Kill(st.pid, sig.(syscall.Signal)) }
	if st.pidfd >= 0 {
		defer unix.Close(st.pidfd)
		kill = func(sig os.Signal) { unix.PidfdSendSignal(st.pidfd, sig.(syscall.Signal), nil, 0) }
	}
	return supervise(o, s.Plan, sg.c, done, kill)
}

func waitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// buildDirect runs on the locked thread: namespaces, the filesystem view,
// pid 1 and the program. It returns pid 1's pid once the program runs.
func buildDirect(s *setup, a *childArgs, notified chan struct{}) (int, error) {
	p := s.Plan
	flags := unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS
	if p.Namespaces.IPC != nil {
		flags |= unix.CLONE_NEWIPC
	}
	// No CLONE_NEWNET: pid 1 makes the network namespace for net none,
	// beside the view (pid1Main).
	if err := unix.Unshare(flags); err != nil {
		return 0, stepErr("namespaces", "unshare", "", nil, err)
	}
	// This thread's working directory is the host's /proc: our
	// descriptors stay reachable as self/fd/N once pid 1 has mounted the
	// sandbox's /proc over it (the thread has its own fs_struct now).
	if err := unix.Chdir("/proc"); err != nil {
		return 0, stepErr("namespaces", "chdir", "/proc", nil, err)
	}
	var goPipe, errPipe [2]int
	if err := pipeAbove2(&goPipe); err != nil {
		return 0, stepErr("launch", "pipe", "", nil, err)
	}
	if err := pipeAbove2(&errPipe); err != nil {
		unix.Close(goPipe[0])
		unix.Close(goPipe[1])
		return 0, stepErr("launch", "pipe", "", nil, err)
	}
	// goPipe[0] and errPipe[1] are pid 1's ends: ours until the fork.
	childEnds := true
	closeChildEnds := func() {
		if childEnds {
			unix.Close(goPipe[0])
			unix.Close(errPipe[1])
			childEnds = false
		}
	}
	defer func() {
		closeChildEnds()
		unix.Close(errPipe[0])
		if goPipe[1] >= 0 {
			unix.Close(goPipe[1])
		}
	}()
	a.goFD, a.errFD = uintptr(goPipe[0]), uintptr(errPipe[1])
	pid := 0
	sb := &sandbox{s: s, fdDir: "self/fd"}
	sb.startInit = func() *StepError {
		syscall.ForkLock.Lock()
		child, e := forkInit(a)
		syscall.ForkLock.Unlock()
		closeChildEnds()
		if e != 0 {
			return stepErr("proc", "start pid 1", "", nil, e)
		}
		pid = int(child)
		return nil
	}
	// pid 1 mounts /proc while this thread builds the parts of the view
	// that do not look into it.
	sb.awaitInit = func() *StepError {
		rec, err := readRecord(errPipe[0])
		if err != nil {
			return stepErr("proc", "start pid 1", "", nil, err)
		}
		if rec.step != cstepReady {
			return childError(rec, s)
		}
		return nil
	}
	// On failure pid 1 reads EOF instead of the go byte, and exits.
	fail := func(err error) (int, error) {
		if pid > 0 {
			unix.Close(goPipe[1])
			goPipe[1] = -1
			var ws unix.WaitStatus
			for {
				if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
					break
				}
			}
		}
		return 0, err
	}
	if e := sb.build(); e != nil {
		return fail(e)
	}
	<-notified // signals reach the program from its first instruction
	// If pid 1 failed after it was ready (moving the standard streams,
	// forking), nobody reads the byte, and its record says why.
	_, werr := unix.Write(goPipe[1], []byte{1})
	rec, err := readRecord(errPipe[0])
	if err == nil {
		return fail(childError(rec, s))
	}
	if werr != nil {
		return fail(stepErr("launch", "start program", "", nil, werr))
	}
	if err != errEOF {
		return fail(stepErr("launch", "read program status", "", nil, err))
	}
	return pid, nil
}

// forkInit starts pid 1 with every signal blocked (no Go handler may run
// in the child). pid 1 shares jailrun's memory (CLONE_VM) and runs on a
// stack of its own: a plain fork would make every page jailrun writes
// while it builds the view a copy-on-write fault, each with a TLB
// shootdown on the other CPU (0.6–0.7 ms a launch; README, Launching).
//
//go:nosplit
//go:norace
func forkInit(a *childArgs) (pid uintptr, e syscall.Errno) {
	var all, old uint64
	all = ^uint64(0)
	syscall.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&all)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	pid, errno := cloneVM(unix.CLONE_VM|uintptr(syscall.SIGCHLD), a.initStack, a, 0)
	syscall.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&old)), 0, 8, 0, 0)
	return pid, syscall.Errno(errno)
}

// cloneVM is clone(2) with the child on its own stack, calling
// pid1Main(a) (entry 0) or programMain(a) (entry 1) there; clone_*.s.
//
//go:noescape
func cloneVM(flags, stack uintptr, a *childArgs, entry uintptr) (pid uintptr, errno uintptr)

// childStackSize is each child's stack: their nosplit call chains stay
// within the linker's 800-byte limit; the rest is margin.
const childStackSize = 64 << 10

// pipeAbove2 makes a close-on-exec pipe whose ends are not 0, 1 or 2 (a
// runner started with a standard stream closed must not mix them up).
func pipeAbove2(p *[2]int) error {
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return err
	}
	for i := range p {
		if p[i] > 2 {
			continue
		}
		fd, err := unix.FcntlInt(uintptr(p[i]), unix.F_DUPFD_CLOEXEC, 3)
		unix.Close(p[i])
		if err != nil {
			return err
		}
		p[i] = fd
	}
	return nil
}

var errEOF = errors.New("EOF")

func readRecord(fd int) (childRecord, error) {
	var rec childRecord
	buf := (*[unsafe.Sizeof(rec)]byte)(unsafe.Pointer(&rec))[:]
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return rec, err
		}
		if n == 0 {
			return rec, errEOF
		}
		if n != len(buf) {
			return rec, fmt.Errorf("short status record (%d bytes)", n)
		}
		return rec, nil
	}
}

// prepareChild computes everything the children do, so that they only
// make system calls. Plan errors are reported here, before any fork.
func prepareChild(o Options, s *setup) (*childArgs, error) {
	p := s.Plan
	c := p.Credentials
	a := &childArgs{
		stdio:   [3]uintptr{orStd(o.Stdin, os.Stdin).Fd(), orStd(o.Stdout, os.Stdout).Fd(), orStd(o.Stderr, os.Stderr).Fd()},
		procSrc: cstr("proc"), procDir: cstr("/proc"), root: cstr("/"),
		initName: cstr(initName),
		lastCap:  lastCap(),
		nnp:      c.NoNewPrivs != nil,
		netNone:  s.NetNone,
		uid:      uintptr(s.User.UID), gid: uintptr(s.User.GID),
	}
	cwdFD := unix.AT_FDCWD
	a.atCWD = uintptr(cwdFD)
	copy(a.ifr[:], "lo")
	if s.Inject != "" {
		a.inject = directStep[s.Inject]
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGCHLD} {
		a.waitSet |= 1 << (uint(sig) - 1)
	}
	for _, r := range p.Resources.Rlimits {
		id, ok := rlimitIDs[r.Name]
		if !ok {
			return nil, stepErr("rlimits", "look up limit", r.Name, &r.Origin, errorf("unknown resource limit"))
		}
		a.rlimits = append(a.rlimits, childRlimit{uintptr(id), unix.Rlimit{Cur: r.Value, Max: r.Value}})
	}
	if len(p.Resources.CPUs) > 0 {
		a.cpuset = new(unix.CPUSet)
		for _, n := range p.Resources.CPUs {
			a.cpuset.Set(n)
		}
	}
	if n := p.Resources.Nice; n != nil {
		a.nice = true
		a.niceValue, _ = strconv.Atoi(n.Value)
	}
	i := 0
	if pc := p.Filesystem.PrivateCwd; pc != nil {
		dir := pc.Value
		if dir == "" {
			dir = s.User.Home
		}
		a.cwd[0], a.cwdStrict = cstr(dir), true
	} else {
		for _, d := range []string{s.Cwd, s.User.Home, "/"} {
			if d != "" {
				a.cwd[i] = cstr(d)
				i++
			}
		}
	}
	cr, e := planCredentials(s)
	if e != nil {
		return nil, e
	}
	// This path is root without a user namespace: the bounding set is
	// dropped and the groups are set here (see setCredentials).
	a.dropBound, a.setGroups = true, true
	a.keep, a.ambient, a.want, a.keepCaps = cr.keep, cr.ambient, cr.want, cr.keepCaps
	for _, g := range cr.groups {
		a.groups = append(a.groups, uint32(g))
	}
	if a.prog, e = seccompProgram(s); e != nil {
		return nil, e
	}
	name := s.Argv[0]
	if strings.Contains(name, "/") {
		a.candidates = []*byte{cstr(name)}
	} else {
		a.needExec = true
		for _, d := range strings.Split(envPath(s.Env), ":") {
			if d != "" {
				a.candidates = append(a.candidates, cstr(d+"/"+name))
			}
		}
	}
	argv, err := syscall.SlicePtrFromStrings(s.Argv)
	if err != nil {
		return nil, stepErr("exec", "prepare arguments", name, nil, err)
	}
	envv, err := syscall.SlicePtrFromStrings(sandboxEnv(s))
	if err != nil {
		return nil, stepErr("exec", "prepare environment", name, nil, err)
	}
	a.argv, a.envv = &argv[0], &envv[0]
	return a, nil
}

func cstr(s string) *byte {
	b, err := syscall.BytePtrFromString(s)
	if err != nil {
		return &[]byte{0}[0] // a NUL in a path: the empty path fails with ENOENT
	}
	return b
}

// childError turns a child's record into the error the Go stages would
// have reported for the same failure.
func childError(r childRecord, s *setup) *StepError {
	p := s.Plan
	c := p.Credentials
	o := c.CapsOrigin
	errno := syscall.Errno(r.errno)
	if r.injected != 0 {
		for k, v := range directStep {
			if v == r.step {
				return &StepError{Step: k, Op: "injected", Err: errInjected.Error()}
			}
		}
	}
	capName := func(i int32) string {
		if int(i) < len(capNames) && i >= 0 {
			return capNames[i]
		}
		return strconv.Itoa(int(i))
	}
	switch r.step {
	case cstepProc:
		return stepErr("proc", "mount proc", "/proc", nil, errno)
	case cstepFork:
		return stepErr("exec", "fork program", "", nil, errno)
	case cstepRlimits:
		if int(r.detail) < len(p.Resources.Rlimits) {
			rl := p.Resources.Rlimits[r.detail]
			return stepErr("rlimits", "setrlimit", "rlimit-"+rl.Name, &rl.Origin, errno)
		}
		return stepErr("rlimits", "setrlimit", "", nil, errno)
	case cstepCPU:
		var from *plan.Origin
		if len(p.Resources.CPUFrom) > 0 {
			from = &p.Resources.CPUFrom[0]
		}
		return stepErr("cpu", "sched_setaffinity", "", from, errno)
	case cstepNice:
		return stepErr("nice", "setpriority", p.Resources.Nice.Value, &p.Resources.Nice.Origin, errno)
	case cstepCwd:
		if pc := p.Filesystem.PrivateCwd; r.detail == 1 && pc != nil {
			dir := pc.Value
			if dir == "" {
				dir = s.User.Home
			}
			return stepErr("cwd", "chdir", dir, &pc.Origin, errno)
		}
		return stepErr("cwd", "chdir", "/", nil, errorf("no usable working directory"))
	case cstepCapget:
		return stepErr("capabilities", "capget", "", o, errno)
	case cstepBounding:
		return stepErr("capabilities", "prctl PR_CAPBSET_DROP", capName(r.detail), o, errno)
	case cstepGroups:
		return stepErr("capabilities", "setgroups", "", originOf(c.NoGroups), errno)
	case cstepKeepCaps:
		return stepErr("capabilities", "prctl PR_SET_KEEPCAPS", "", o, errno)
	case cstepSetgid:
		return stepErr("capabilities", "setresgid", strconv.Itoa(s.User.GID), nil, errno)
	case cstepSetuid:
		return stepErr("capabilities", "setresuid", strconv.Itoa(s.User.UID), nil, errno)
	case cstepCapset:
		return stepErr("capabilities", "capset", "", o, errno)
	case cstepAmbient:
		return stepErr("capabilities", "raise ambient capability", capName(r.detail), o, errno)
	case cstepNoNewPrivs:
		var from *plan.Origin
		if c.NoNewPrivs != nil {
			from = &c.NoNewPrivs.Origin
		}
		return stepErr("no_new_privs", "prctl PR_SET_NO_NEW_PRIVS", "", from, errno)
	case cstepDescriptors:
		return stepErr("descriptors", "close_range", "", nil, errno)
	case cstepNetns:
		return stepErr("namespaces", "unshare CLONE_NEWNET", "", originOf(p.Namespaces.NetNone), errno)
	case cstepLoopback:
		op := [...]string{"socket", "SIOCGIFFLAGS", "SIOCSIFFLAGS"}[min(max(r.detail, 0), 2)]
		return stepErr("loopback", op, "lo", originOf(p.Namespaces.NetNone), errno)
	case cstepStdio:
		return stepErr("descriptors", "move the standard streams into place", "", nil, errno)
	case cstepFind:
		if r.detail == 1 {
			return stepErr("exec", "find program", s.Argv[0], nil, exec.ErrNotFound)
		}
		return stepErr("exec", "find program", s.Argv[0], nil, &fs.PathError{Op: "stat", Path: s.Argv[0], Err: errno})
	case cstepSigmask:
		return stepErr("exec", "rt_sigprocmask", "", nil, errno)
	case cstepSeccomp:
		return stepErr("seccomp", "seccomp(SET_MODE_FILTER)", "", seccompOrigin(p), errno)
	case cstepExec:
		return stepErr("exec", "execve", s.Argv[0], nil, errno)
	}
	return stepErr("launch", "child", "", nil, fmt.Errorf("unknown status record %+v", r))
}

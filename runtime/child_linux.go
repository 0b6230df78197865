//go:build amd64 || arm64

package runtime

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The code in this file runs in the processes jailrun starts without
// execve: the sandbox's pid 1 and, started by it, the process that becomes
// the program. Both share jailrun's memory (CLONE_VM, see forkInit) and run
// on stacks of their own, outside Go's heap, with no Go runtime of their
// own — as in the syscall package's forkAndExecInChild, these functions
// must not allocate, grow the stack, take locks, write pointers or call
// anything but raw system calls: every function is nosplit and norace, and
// everything they need was prepared in childArgs before. What they write
// to memory jailrun sees; they write only childArgs' scratch fields, which
// jailrun no longer reads. Saving the two Go runtime starts of a
// re-executed runner is most of the launch time (see README, launch
// benchmark).

// Steps the children report, in childRecord.step.
const (
	cstepReady    = iota + 1 // pid 1 mounted /proc; not an error
	cstepProc                // mount proc
	cstepFork                // fork the program
	cstepRlimits             // detail: index into the plan's rlimits
	cstepCPU                 // sched_setaffinity
	cstepNice                // setpriority
	cstepCwd                 // detail: 1 when private-cwd failed
	cstepCapget              // capabilities: capget
	cstepBounding            // detail: capability number
	cstepGroups              // setgroups
	cstepKeepCaps            // PR_SET_KEEPCAPS
	cstepSetgid              // setresgid
	cstepSetuid              // setresuid
	cstepCapset              // capset
	cstepAmbient             // detail: capability number
	cstepNoNewPrivs
	cstepDescriptors
	cstepFind // detail: 1 when no PATH directory held the program
	cstepSeccomp
	cstepExec
	cstepSigmask
	cstepStdio    // pid 1: moving the standard streams into place
	cstepNetns    // pid 1: unshare(CLONE_NEWNET) for net none
	cstepLoopback // pid 1: bringing lo up; detail: 0 socket, 1 get flags, 2 set flags
)

// childRecord is what a child writes to the error pipe: one record,
// smaller than PIPE_BUF, so it arrives whole.
// maxFD is close_range's "up to the last descriptor" (~0U).
const maxFD = uintptr(^uint32(0))

type childRecord struct {
	step, errno, detail, injected int32
}

type childRlimit struct {
	resource uintptr
	lim      unix.Rlimit
}

// childArgs holds everything the children need, prepared before the fork.
// Nothing in it is written by the children except through system calls
// (the kernel's writes need no write barrier).
type childArgs struct {
	goFD, errFD uintptr    // pipe from the parent ("go" byte), pipe to the parent (records)
	stdio       [3]uintptr // descriptors that become 0, 1, 2
	inject      int32      // fault injection: the cstep that fails

	procSrc, procDir *byte    // "proc", "/proc"
	root             *byte    // "/"
	initName         *byte    // "jailrun-init", NUL-terminated
	initStack        uintptr  // top of pid 1's stack
	netNone          bool     // pid 1 makes the network namespace (lo only, up)
	ifr              [40]byte // struct ifreq for "lo"
	programStack     uintptr  // top of the program process's stack

	rlimits    []childRlimit
	cpuset     *unix.CPUSet
	nice       bool
	niceValue  int
	cwd        [3]*byte // candidates in order; nil ends the list
	cwdStrict  bool     // private-cwd: the first must work
	dropBound  bool     // drop the bounding set (root launch without noroot)
	keep       uint64   // bounding set to keep
	lastCap    int
	setGroups  bool
	groups     []uint32
	keepCaps   bool
	uid, gid   uintptr
	want       uint64 // capability sets wanted (before masking with permitted)
	ambient    uint64
	nnp        bool
	prog       *unix.SockFprog
	candidates []*byte // program paths to try, in order
	needExec   bool    // PATH search: only executable regular files count
	argv, envv **byte

	// Scratch the kernel writes into.
	capHdr  unix.CapUserHeader
	capData [2]unix.CapUserData
	st      unix.Statx_t
	atCWD   uintptr   // AT_FDCWD
	sa      [4]uint64 // struct sigaction, large enough for every supported arch
	ws      uint32
	rec     childRecord
	buf     [1]byte
	waitSet uint64 // signals pid 1 waits for: the forwarded ones and SIGCHLD
	noSigs  uint64
}

// raw3 is syscall.RawSyscall without its frame (it inlines), which keeps
// the children's nosplit call chains within the linker's limit.
//
//go:nosplit
//go:norace
func raw3(trap, a1, a2, a3 uintptr) (uintptr, uintptr, syscall.Errno) {
	return syscall.RawSyscall6(trap, a1, a2, a3, 0, 0, 0)
}

//go:nosplit
//go:norace
func childReport(a *childArgs, step int32, errno syscall.Errno, detail int32) {
	a.rec.step, a.rec.errno, a.rec.detail, a.rec.injected = step, int32(errno), detail, 0
	if a.inject == step && step != cstepReady {
		a.rec.injected = 1
	}
	raw3(unix.SYS_WRITE, a.errFD, uintptr(unsafe.Pointer(&a.rec)), unsafe.Sizeof(a.rec))
}

//go:nosplit
//go:norace
func childFail(a *childArgs, step int32, errno syscall.Errno, detail int32) {
	childReport(a, step, errno, detail)
	for {
		raw3(unix.SYS_EXIT_GROUP, 127, 0, 0)
	}
}

// childCheck fails the step on an error or when the step is injected.
//
//go:nosplit
//go:norace
func childCheck(a *childArgs, step int32, errno syscall.Errno, detail int32) {
	if errno != 0 || a.inject == step {
		childFail(a, step, errno, detail)
	}
}

//go:nosplit
//go:norace
func closeFrom(first, last uintptr) {
	if first <= last {
		raw3(unix.SYS_CLOSE_RANGE, first, last, 0)
	}
}

// pid1Main is the sandbox's init. It never returns.
//
//go:nosplit
//go:norace
func pid1Main(a *childArgs) {
	var (
		pid, r uintptr
		e      syscall.Errno
		sig    uintptr
		lo, hi uintptr
	)
	// If jailrun dies, so does the sandbox (the creating thread stays
	// alive as long as we do; see launchDirect).
	raw3(unix.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)
	// A fresh /proc for the new pid namespace: only a process inside it
	// can mount one that shows the sandbox's processes.
	_, _, e = syscall.RawSyscall6(unix.SYS_MOUNT, uintptr(unsafe.Pointer(a.procSrc)), uintptr(unsafe.Pointer(a.procDir)),
		uintptr(unsafe.Pointer(a.procSrc)), syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, 0, 0)
	childCheck(a, cstepProc, e, 0)
	childReport(a, cstepReady, 0, 0)
	// jailrun builds the filesystem view from here on; the rest of our own
	// set-up runs beside it, on the other CPU.
	// Nothing in the sandbox may ptrace us or open /proc/1/exe (the
	// CVE-2019-5736 class: overwriting the runner from inside).
	raw3(unix.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
	// Our thread's name; the command line the sandbox sees as ours is a
	// file jailrun binds over /proc/1/cmdline (the one the kernel has is
	// jailrun's: we share its memory).
	raw3(unix.SYS_PRCTL, syscall.PR_SET_NAME, uintptr(unsafe.Pointer(a.initName)), 0)
	// The standard streams, then close everything but the two pipes.
	for i := uintptr(0); i < 3; i++ {
		if a.stdio[i] != i {
			// Move each source out of the way first so that no dup2
			// overwrites a later source.
			r, _, e = raw3(unix.SYS_FCNTL, a.stdio[i], syscall.F_DUPFD_CLOEXEC, 100)
			childCheck(a, cstepStdio, e, 0)
			a.stdio[i] = r
		}
	}
	for i := uintptr(0); i < 3; i++ {
		if a.stdio[i] != i {
			_, _, e = raw3(unix.SYS_DUP3, a.stdio[i], i, 0)
			childCheck(a, cstepStdio, e, 0)
		}
	}
	lo, hi = a.goFD, a.errFD
	if lo > hi {
		lo, hi = hi, lo
	}
	closeFrom(3, lo-1)
	closeFrom(lo+1, hi-1)
	closeFrom(hi+1, maxFD)
	// Signal handlers are the Go runtime's and there is no runtime here:
	// every caught signal goes back to its default (ignored ones stay
	// ignored, as execve would leave them). All signals stay blocked.
	for sig = 1; sig < 65; sig++ {
		a.sa = [4]uint64{}
		if _, _, e = syscall.RawSyscall6(unix.SYS_RT_SIGACTION, sig, 0, uintptr(unsafe.Pointer(&a.sa)), 8, 0, 0); e != 0 {
			continue
		}
		if *(*uintptr)(unsafe.Pointer(&a.sa[0])) == 1 && sig != uintptr(syscall.SIGCHLD) { // SIG_IGN
			continue
		}
		a.sa = [4]uint64{}
		syscall.RawSyscall6(unix.SYS_RT_SIGACTION, sig, uintptr(unsafe.Pointer(&a.sa)), 0, 8, 0, 0)
	}
	raw3(unix.SYS_CHDIR, uintptr(unsafe.Pointer(a.root)), 0, 0)
	// net none: a network namespace with only the loopback interface, up.
	// Made here, beside jailrun building the view, rather than in
	// jailrun's unshare: creating one takes ~0.45 ms. The program's
	// process, started next, is born in it; nothing jailrun mounts
	// depends on it.
	if a.netNone {
		_, _, e = raw3(unix.SYS_UNSHARE, unix.CLONE_NEWNET, 0, 0)
		childCheck(a, cstepNetns, e, 0)
		var fd uintptr
		fd, _, e = raw3(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		childCheck(a, cstepLoopback, e, 0)
		_, _, e = raw3(unix.SYS_IOCTL, fd, unix.SIOCGIFFLAGS, uintptr(unsafe.Pointer(&a.ifr[0])))
		childCheck(a, cstepLoopback, e, 1)
		// ifr_flags: a short after the name, little-endian on amd64 and
		// arm64; IFF_UP is in its low byte.
		a.ifr[unix.IFNAMSIZ] |= unix.IFF_UP
		_, _, e = raw3(unix.SYS_IOCTL, fd, unix.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&a.ifr[0])))
		childCheck(a, cstepLoopback, e, 2)
		raw3(unix.SYS_CLOSE, fd, 0, 0)
	}
	// Start the program's process now, while jailrun still builds the
	// filesystem view: it waits for the view (programMain), so this is
	// off the launch's critical path. It shares the memory too, until its
	// execve.
	pid, r = cloneVM(unix.CLONE_VM|uintptr(syscall.SIGCHLD), a.programStack, a, 1)
	if r != 0 {
		childFail(a, cstepFork, syscall.Errno(r), 0)
	}
	raw3(unix.SYS_CLOSE, a.goFD, 0, 0)
	raw3(unix.SYS_CLOSE, a.errFD, 0, 0)
	pid1Reap(a, pid)
}

// pid1Reap waits for every child (orphans reparent to pid 1) and forwards
// signals to the program; it exits with the program's status when the
// program exits (128+N when killed by signal N). Leaving pid 1 kills
// whatever else still runs in the sandbox.
//
//go:nosplit
//go:norace
func pid1Reap(a *childArgs, main uintptr) {
	var (
		pid, sig uintptr
		e        syscall.Errno
		ws       uintptr
	)
	for {
		for {
			pid, _, e = syscall.RawSyscall6(unix.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(&a.ws)), syscall.WNOHANG, 0, 0, 0)
			if e == syscall.EINTR {
				continue
			}
			if e == syscall.ECHILD {
				raw3(unix.SYS_EXIT_GROUP, 0, 0, 0)
			}
			if e != 0 || pid == 0 {
				break
			}
			if pid == main {
				// Exited: status in bits 8-15; killed: signal in bits 0-6.
				ws = uintptr(a.ws)
				if ws&0x7f != 0 && ws&0x7f != 0x7f {
					raw3(unix.SYS_EXIT_GROUP, 128+ws&0x7f, 0, 0)
				}
				raw3(unix.SYS_EXIT_GROUP, ws>>8&0xff, 0, 0)
			}
		}
		// The signals are blocked, so they wait for us here even though
		// pid 1 has no handlers (a signal to a namespace's init without
		// a handler would otherwise be dropped).
		sig, _, e = syscall.RawSyscall6(unix.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(&a.waitSet)), 0, 0, 8, 0, 0)
		if e == 0 && sig != uintptr(syscall.SIGCHLD) {
			raw3(unix.SYS_KILL, main, sig, 0)
		}
	}
}

// programMain applies limits, working directory, credentials,
// no_new_privs, descriptors and seccomp, then executes the program; on any
// failure it reports the step and exits. The order and the reasons are
// those of execSteps in exec_linux.go.
//
//go:nosplit
//go:norace
func programMain(a *childArgs) {
	var (
		r    uintptr
		e    syscall.Errno
		i    int
		p    *byte
		perm uint64
	)
	// Wait until jailrun has built the filesystem view: one byte, or EOF
	// when setup failed (then the program never starts).
	for {
		r, _, e = raw3(unix.SYS_READ, a.goFD, uintptr(unsafe.Pointer(&a.buf[0])), 1)
		if e != syscall.EINTR {
			break
		}
	}
	if e != 0 || r != 1 {
		raw3(unix.SYS_EXIT_GROUP, 1, 0, 0)
	}
	raw3(unix.SYS_CLOSE, a.goFD, 0, 0)
	// Limits first: they need no privilege to lower, and are inherited
	// through execve.
	for i = range a.rlimits {
		_, _, e = syscall.RawSyscall6(unix.SYS_PRLIMIT64, 0, a.rlimits[i].resource, uintptr(unsafe.Pointer(&a.rlimits[i].lim)), 0, 0, 0)
		childCheck(a, cstepRlimits, e, int32(i))
	}
	childCheck(a, cstepRlimits, 0, 0)
	if a.cpuset != nil {
		_, _, e = raw3(unix.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(*a.cpuset), uintptr(unsafe.Pointer(a.cpuset)))
	}
	childCheck(a, cstepCPU, e, 0)
	if a.nice {
		_, _, e = raw3(unix.SYS_SETPRIORITY, syscall.PRIO_PROCESS, 0, uintptr(a.niceValue))
	}
	childCheck(a, cstepNice, e, 0)
	// The working directory is chosen while we can still see everything
	// root can.
	e = syscall.ENOENT
	for i = 0; i < len(a.cwd) && a.cwd[i] != nil; i++ {
		if _, _, e = raw3(unix.SYS_CHDIR, uintptr(unsafe.Pointer(a.cwd[i])), 0, 0); e == 0 || a.cwdStrict {
			break
		}
	}
	if a.cwdStrict {
		childCheck(a, cstepCwd, e, 1)
	}
	childCheck(a, cstepCwd, e, 0)
	// Credentials: bounding set, groups, gid, uid (after uid we could no
	// longer change the others), keeping capabilities across the switch
	// only when the plan asks for ambient ones; then the sets.
	a.capHdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	_, _, e = raw3(unix.SYS_CAPGET, uintptr(unsafe.Pointer(&a.capHdr)), uintptr(unsafe.Pointer(&a.capData[0])), 0)
	childCheck(a, cstepCapget, e, 0)
	perm = uint64(a.capData[0].Permitted) | uint64(a.capData[1].Permitted)<<32
	if a.dropBound {
		for i = 0; i <= a.lastCap; i++ {
			if a.keep&(1<<uint(i)) != 0 {
				continue
			}
			_, _, e = raw3(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(i), 0)
			childCheck(a, cstepBounding, e, int32(i))
		}
	}
	childCheck(a, cstepBounding, 0, -1)
	if a.setGroups {
		var g uintptr
		if len(a.groups) > 0 {
			g = uintptr(unsafe.Pointer(&a.groups[0]))
		}
		_, _, e = raw3(unix.SYS_SETGROUPS, uintptr(len(a.groups)), g, 0)
		childCheck(a, cstepGroups, e, 0)
	}
	if a.keepCaps {
		_, _, e = raw3(unix.SYS_PRCTL, syscall.PR_SET_KEEPCAPS, 1, 0)
		childCheck(a, cstepKeepCaps, e, 0)
	}
	_, _, e = raw3(unix.SYS_SETRESGID, a.gid, a.gid, a.gid)
	childCheck(a, cstepSetgid, e, 0)
	_, _, e = raw3(unix.SYS_SETRESUID, a.uid, a.uid, a.uid)
	childCheck(a, cstepSetuid, e, 0)
	// Changing the uid set the memory's dumpable flag to
	// fs.suid_dumpable, and the memory is jailrun's and pid 1's: keep them
	// out of reach of ptrace and /proc/PID/mem whatever that sysctl says.
	raw3(unix.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
	// The process can only keep what it has (a container or VM may have
	// removed some capabilities already).
	a.want &= perm
	a.ambient &= perm
	a.capHdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	a.capHdr.Pid = 0
	a.capData[0] = unix.CapUserData{Effective: uint32(a.want), Permitted: uint32(a.want), Inheritable: uint32(a.want)}
	a.capData[1] = unix.CapUserData{Effective: uint32(a.want >> 32), Permitted: uint32(a.want >> 32), Inheritable: uint32(a.want >> 32)}
	_, _, e = raw3(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&a.capHdr)), uintptr(unsafe.Pointer(&a.capData[0])), 0)
	childCheck(a, cstepCapset, e, 0)
	for i = 0; i < 64; i++ {
		if a.ambient&(1<<uint(i)) == 0 {
			continue
		}
		_, _, e = syscall.RawSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(i), 0, 0, 0)
		childCheck(a, cstepAmbient, e, int32(i))
	}
	if a.nnp {
		_, _, e = syscall.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
	}
	childCheck(a, cstepNoNewPrivs, e, 0)
	// Only 0, 1 and 2 reach the program; the error pipe is close-on-exec
	// and closes when execve succeeds.
	_, _, e = raw3(unix.SYS_CLOSE_RANGE, 3, maxFD, unix.CLOSE_RANGE_CLOEXEC)
	childCheck(a, cstepDescriptors, e, 0)
	// Find the program in the sandbox's view, before seccomp.
	p = nil
	e = syscall.ENOENT
	for i = range a.candidates {
		_, _, e = syscall.RawSyscall6(unix.SYS_STATX, a.atCWD, uintptr(unsafe.Pointer(a.candidates[i])), 0, unix.STATX_TYPE|unix.STATX_MODE, uintptr(unsafe.Pointer(&a.st)), 0)
		if e == 0 && (!a.needExec || (a.st.Mode&syscall.S_IFMT == syscall.S_IFREG && a.st.Mode&0o111 != 0)) {
			p = a.candidates[i]
			break
		}
	}
	if p == nil {
		if a.needExec {
			childFail(a, cstepFind, syscall.ENOENT, 1)
		}
		childFail(a, cstepFind, e, 0)
	}
	// pid 1's blocked signals must not reach the program.
	_, _, e = syscall.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&a.noSigs)), 0, 8, 0, 0)
	childCheck(a, cstepSigmask, e, 0)
	// Seccomp goes in last, right before execve.
	if a.prog != nil {
		_, _, e = raw3(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(a.prog)))
	}
	childCheck(a, cstepSeccomp, e, 0)
	_, _, e = raw3(unix.SYS_EXECVE, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(a.argv)), uintptr(unsafe.Pointer(a.envv)))
	childFail(a, cstepExec, e, 0)
}

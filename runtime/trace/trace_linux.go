// Package trace observes what a program does, for `jailc learn`: every
// system call of the program and all its children (per architecture),
// socket families, ports bound, programs executed and files opened. It uses
// ptrace with PTRACE_GET_SYSCALL_INFO, so no strace is needed and x86_64 and
// i386 calls are told apart by the kernel's own architecture field.
package trace

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"sort"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/sysnum"
)

// Report is what one run did.
type Report struct {
	Syscalls  map[string]map[string]int // arch name → syscall name → count
	Unknown   map[string][]uint64       // arch name → numbers not in our tables
	Families  map[int]bool              // socket(2) address families
	RawSocket bool                      // SOCK_RAW or AF_PACKET sockets
	LowPorts  map[int]bool              // TCP/UDP ports below 1024 bound
	SetID     bool                      // setuid/setgid family called
	Execs     map[string]bool           // programs executed
	Opened    map[string]bool           // files opened (absolute paths)
	ExitCode  int
}

const ptraceGetSyscallInfo = 0x420e

// syscallInfo is struct ptrace_syscall_info (linux/ptrace.h).
type syscallInfo struct {
	Op   uint8
	_    [3]uint8
	Arch uint32
	IP   uint64
	SP   uint64
	Nr   uint64 // entry: nr; exit: rval
	Args [6]uint64
	_    uint32
}

const (
	opEntry = 1
)

// Run starts argv traced, follows every child, and returns what it saw.
// The program reads this process's stdin and writes to stdout and stderr.
func Run(argv []string, stdout, stderr *os.File) (*Report, error) {
	goruntime.LockOSThread() // every ptrace request must come from the tracing thread
	defer goruntime.UnlockOSThread()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pid := cmd.Process.Pid
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		return nil, err
	}
	opts := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK |
		unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL
	if err := unix.PtraceSetOptions(pid, opts); err != nil {
		return nil, fmt.Errorf("ptrace options: %w", err)
	}
	r := &Report{Syscalls: map[string]map[string]int{}, Unknown: map[string][]uint64{}, Families: map[int]bool{},
		LowPorts: map[int]bool{}, Execs: map[string]bool{argv[0]: true}, Opened: map[string]bool{}}
	// The execve that started the program happened before tracing.
	r.add(sysnum.X86_64, 59)
	if err := unix.PtraceSyscall(pid, 0); err != nil {
		return nil, err
	}
	live := map[int]bool{pid: true}
	for len(live) > 0 {
		wpid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			break
		}
		if ws.Exited() || ws.Signaled() {
			if wpid == pid {
				if ws.Exited() {
					r.ExitCode = ws.ExitStatus()
				} else {
					r.ExitCode = 128 + int(ws.Signal())
				}
			}
			delete(live, wpid)
			continue
		}
		live[wpid] = true
		sig := 0
		if ws.Stopped() {
			switch s := ws.StopSignal(); {
			case s == syscall.SIGTRAP|0x80:
				r.syscall(wpid)
			case s == syscall.SIGTRAP:
				// exec, clone, fork, vfork events: nothing to deliver
			case s == syscall.SIGSTOP && ws.TrapCause() != 0:
			case s == syscall.SIGSTOP && !live[wpid]:
			default:
				if ws.TrapCause() == 0 && s != syscall.SIGSTOP {
					sig = int(s)
				}
			}
		}
		unix.PtraceSyscall(wpid, sig)
	}
	return r, nil
}

func (r *Report) add(a *sysnum.Arch, nr uint64) {
	name, ok := a.SyscallName(int(nr))
	if !ok {
		r.Unknown[a.Name] = append(r.Unknown[a.Name], nr)
		return
	}
	if r.Syscalls[a.Name] == nil {
		r.Syscalls[a.Name] = map[string]int{}
	}
	r.Syscalls[a.Name][name]++
}

func archOf(audit uint32) *sysnum.Arch {
	for _, a := range sysnum.Arches() {
		if a.AuditArch == audit {
			return a
		}
	}
	return nil
}

func (r *Report) syscall(pid int) {
	var info syscallInfo
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, ptraceGetSyscallInfo, uintptr(pid), unsafe.Sizeof(info), uintptr(unsafe.Pointer(&info)), 0, 0)
	if e != 0 || info.Op != opEntry {
		return
	}
	a := archOf(info.Arch)
	if a == nil {
		return
	}
	r.add(a, info.Nr)
	name, _ := a.SyscallName(int(info.Nr))
	switch name {
	case "socket":
		fam, typ := int(info.Args[0]), int(info.Args[1])&0xf
		r.Families[fam] = true
		if typ == unix.SOCK_RAW || fam == unix.AF_PACKET {
			r.RawSocket = true
		}
	case "bind":
		var sa [4]byte
		if n, _ := unix.PtracePeekData(pid, uintptr(info.Args[1]), sa[:]); n == 4 {
			fam := binary.LittleEndian.Uint16(sa[:2])
			port := int(binary.BigEndian.Uint16(sa[2:4]))
			if (fam == unix.AF_INET || fam == unix.AF_INET6) && port > 0 && port < 1024 {
				r.LowPorts[port] = true
			}
		}
	case "setuid", "setgid", "setresuid", "setresgid", "setreuid", "setregid", "setgroups", "setfsuid", "setfsgid":
		r.SetID = true
	case "execve":
		if p := peekString(pid, uintptr(info.Args[0])); p != "" {
			r.Execs[p] = true
		}
	case "openat":
		if p := peekString(pid, uintptr(info.Args[1])); strings.HasPrefix(p, "/") {
			r.Opened[p] = true
		}
	case "open":
		if p := peekString(pid, uintptr(info.Args[0])); strings.HasPrefix(p, "/") {
			r.Opened[p] = true
		}
	}
}

func peekString(pid int, addr uintptr) string {
	var out []byte
	buf := make([]byte, 64)
	for len(out) < 4096 {
		n, err := unix.PtracePeekData(pid, addr+uintptr(len(out)), buf)
		if err != nil || n == 0 {
			break
		}
		for i := 0; i < n; i++ {
			if buf[i] == 0 {
				return string(append(out, buf[:i]...))
			}
		}
		out = append(out, buf[:n]...)
	}
	return ""
}

// Names returns the syscall names seen on an architecture, sorted.
func (r *Report) Names(arch string) []string {
	var out []string
	for n := range r.Syscalls[arch] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

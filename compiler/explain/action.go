package explain

import (
	"fmt"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/names"
)

// Action is what the filter returned, as far as the record tells.
type Action struct {
	// Kind is kill-process, kill-thread, trap, errno, user-notif, trace,
	// log or allow; "kill" when an interpreted record cannot tell the two
	// kills apart; "unknown" when the record has no code.
	Kind string
	// Errno is the error number when the record carries it (never in
	// kernel records, which drop the action's data), else -1.
	Errno int
	// Denied is true when the call did not run (everything but log and
	// allow, and user-notif/trace, which depend on a supervisor).
	Denied  bool
	Meaning string
}

// ActionOf decodes a record's code (and sig when there is no code).
func ActionOf(r *Record) Action {
	if !r.HasCode {
		switch r.CodeName {
		case "kill":
			return Action{Kind: "kill", Errno: -1, Denied: true, Meaning: "the thread or the whole process was killed with SIGSYS (ausearch -i prints both SECCOMP_RET_KILL_THREAD and SECCOMP_RET_KILL_PROCESS as \"kill\"; the raw record's code tells them apart)"}
		case "errno":
			return Action{Kind: "errno", Errno: -1, Denied: true, Meaning: "the call did not run and failed with an error number (SECCOMP_RET_ERRNO); the record does not say which"}
		case "trap", "trace", "log", "allow":
			a := actionOf(map[string]uint32{"trap": seccomp.RetTrap, "trace": seccomp.RetTrace, "log": seccomp.RetLog, "allow": seccomp.RetAllow}[r.CodeName])
			return a
		}
		if r.Sig == 31 {
			return Action{Kind: "kill", Errno: -1, Denied: true, Meaning: "the record has no action code; sig=31 (SIGSYS) means the kernel killed the caller"}
		}
		return Action{Kind: "unknown", Errno: -1, Meaning: "the record has no action code jailc can read"}
	}
	return actionOf(r.Code)
}

func actionOf(code uint32) Action {
	data := int(code & 0xffff)
	switch code & 0xffff0000 {
	case seccomp.RetKillProcess:
		return Action{Kind: "kill-process", Errno: -1, Denied: true, Meaning: "SECCOMP_RET_KILL_PROCESS: the call did not run and the kernel killed the whole process with SIGSYS"}
	case seccomp.RetKillThread:
		return Action{Kind: "kill-thread", Errno: -1, Denied: true, Meaning: "SECCOMP_RET_KILL_THREAD (Firejail's \"kill\"): the call did not run and the kernel killed the calling thread with SIGSYS, which ends a single-threaded program"}
	case seccomp.RetTrap:
		return Action{Kind: "trap", Errno: -1, Denied: true, Meaning: "SECCOMP_RET_TRAP: the call did not run and the thread received SIGSYS, which it may catch"}
	case seccomp.RetErrno:
		a := Action{Kind: "errno", Errno: -1, Denied: true}
		if data != 0 {
			a.Errno = data
			a.Meaning = fmt.Sprintf("SECCOMP_RET_ERRNO: the call did not run and failed with %s", errnoText(data))
		} else {
			a.Meaning = "SECCOMP_RET_ERRNO: the call did not run and failed with an error number; the kernel logs the action without the number (code=0x50000 for any errno)"
		}
		return a
	case seccomp.RetUserNotif:
		return Action{Kind: "user-notif", Errno: -1, Meaning: "SECCOMP_RET_USER_NOTIF: a supervising process was asked to decide"}
	case seccomp.RetTrace:
		return Action{Kind: "trace", Errno: -1, Meaning: "SECCOMP_RET_TRACE: handed to a ptrace tracer; without one the call fails with ENOSYS"}
	case seccomp.RetLog:
		return Action{Kind: "log", Errno: -1, Meaning: "SECCOMP_RET_LOG: the call ran and was logged (Firejail's seccomp-error-action log logs what the filter would deny)"}
	case seccomp.RetAllow:
		return Action{Kind: "allow", Errno: -1, Meaning: "SECCOMP_RET_ALLOW: the call was allowed"}
	}
	return Action{Kind: "unknown", Errno: -1, Denied: true, Meaning: fmt.Sprintf("code 0x%x is no seccomp action; the kernel treats unknown actions as SECCOMP_RET_KILL_PROCESS", code)}
}

func errnoText(n int) string {
	if name := names.ErrnoName(n); name != "" {
		return fmt.Sprintf("%s (%d)", name, n)
	}
	return fmt.Sprintf("errno %d", n)
}

// ArchText names an AUDIT_ARCH value, saying plainly when it is unknown.
func ArchText(r *Record) string {
	if a := ArchOf(r.Arch); a != nil {
		return a.Name
	}
	if r.ArchName != "" {
		return fmt.Sprintf("%s (jailc has no syscall table for it)", r.ArchName)
	}
	return fmt.Sprintf("unknown architecture (AUDIT_ARCH 0x%08x)", r.Arch)
}

// Call is the syscall a record names, resolved on its architecture.
type Call struct {
	Arch *sysnum.Arch // nil when jailc has no table for the architecture
	Nr   int          // without the x32 bit
	X32  bool         // an x32 call (x86_64 numbering with 0x40000000 set)
	// Compat32 marks AUDIT_ARCH_X86_64 with compat=1 and no x32 bit,
	// read as i386 (see CallOf).
	Compat32 bool
	Name     string // "" when the number is not in the table
}

// CallOf resolves a record's syscall. compat=1 means in_compat_syscall():
// an i386 call or an x32 call. The kernel reports an i386 call, even one a
// 64-bit process makes with int 0x80, as AUDIT_ARCH_I386 (observed here),
// and an x32 call as AUDIT_ARCH_X86_64 with the x32 bit in the number
// (syscall_get_arch: "x32 tasks should be considered AUDIT_ARCH_X86_64").
// AUDIT_ARCH_X86_64 with compat=1 and no x32 bit can then only be an i386
// call logged with the wrong architecture, so its number is read as i386's.
func CallOf(r *Record) Call {
	c := Call{Arch: ArchOf(r.Arch), Nr: r.Syscall, Name: r.SyscallName}
	if c.Arch == sysnum.X86_64 && c.Nr >= 0 {
		switch {
		case c.Nr&sysnum.X32SyscallBit != 0:
			c.X32, c.Nr = true, c.Nr&^sysnum.X32SyscallBit
		case r.Compat == 1 && r.Form != FormInterpreted:
			c.Arch, c.Compat32 = sysnum.I386, true
		}
	}
	if c.Arch != nil && c.Nr >= 0 {
		if name, ok := c.Arch.SyscallName(c.Nr); ok {
			c.Name = name
		} else if r.Form != FormInterpreted {
			c.Name = ""
		}
	}
	return c
}

// signalText names the sig field.
func signalText(sig int) string {
	switch sig {
	case -1:
		return ""
	case 0:
		return "0 (no signal)"
	case 31:
		return "31 (SIGSYS)"
	}
	return fmt.Sprint(sig)
}

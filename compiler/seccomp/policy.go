// Package seccomp is the abstract syscall policy between the plan and the
// BPF backend: for each architecture, what happens to each syscall number,
// possibly depending on argument values. It has no notion of profiles (the
// plan builder fills it) and none of BPF (compiler/bpf compiles it). Eval is
// the reference semantics every compiled program must reproduce exactly.
package seccomp

import (
	"fmt"
	"sort"

	"github.com/jailc/jailc/compiler/sysnum"
)

// Kind of action, in the kernel's precedence order (lower value wins when
// several filters answer; see seccomp(2)).
type Kind uint8

const (
	KillProcess Kind = iota
	KillThread
	Trap
	Errno
	UserNotif
	Trace
	Log
	Allow
)

// Action is what the kernel does with a syscall.
type Action struct {
	Kind  Kind
	Errno uint16 // for Errno
}

// Common actions.
var (
	ActAllow       = Action{Kind: Allow}
	ActKillProcess = Action{Kind: KillProcess}
	ActKillThread  = Action{Kind: KillThread}
	ActLog         = Action{Kind: Log}
)

// ActErrno returns an Errno action.
func ActErrno(n uint16) Action { return Action{Kind: Errno, Errno: n} }

// Return values of SECCOMP_RET_* (include/uapi/linux/seccomp.h).
const (
	RetKillProcess = 0x80000000
	RetKillThread  = 0x00000000
	RetTrap        = 0x00030000
	RetErrno       = 0x00050000
	RetUserNotif   = 0x7fc00000
	RetTrace       = 0x7ff00000
	RetLog         = 0x7ffc0000
	RetAllow       = 0x7fff0000
)

// Ret encodes the action as a seccomp filter return value.
func (a Action) Ret() uint32 {
	switch a.Kind {
	case KillProcess:
		return RetKillProcess
	case KillThread:
		return RetKillThread
	case Trap:
		return RetTrap
	case Errno:
		return RetErrno | uint32(a.Errno)
	case UserNotif:
		return RetUserNotif
	case Trace:
		return RetTrace
	case Log:
		return RetLog
	}
	return RetAllow
}

// ActionOf decodes a filter return value.
func ActionOf(ret uint32) Action {
	switch ret & 0xffff0000 {
	case RetKillProcess:
		return ActKillProcess
	case RetKillThread:
		return ActKillThread
	case RetTrap:
		return Action{Kind: Trap}
	case RetErrno:
		return ActErrno(uint16(ret & 0xffff))
	case RetUserNotif:
		return Action{Kind: UserNotif}
	case RetTrace:
		return Action{Kind: Trace}
	case RetLog:
		return ActLog
	case RetAllow:
		return ActAllow
	}
	// The kernel treats unknown actions as kill-process.
	return ActKillProcess
}

func (a Action) String() string {
	switch a.Kind {
	case KillProcess:
		return "kill-process"
	case KillThread:
		return "kill-thread"
	case Trap:
		return "trap"
	case Errno:
		return fmt.Sprintf("errno(%d)", a.Errno)
	case UserNotif:
		return "user-notif"
	case Trace:
		return "trace"
	case Log:
		return "log"
	}
	return "allow"
}

// Op compares an argument with a value.
type Op uint8

const (
	OpEQ       Op = iota // arg == Value
	OpNE                 // arg != Value
	OpMaskedEQ           // arg & Mask == Value
	OpGE                 // arg >= Value (unsigned)
	OpGT                 // arg > Value (unsigned)
	OpLE                 // arg <= Value (unsigned)
	OpLT                 // arg < Value (unsigned)
)

// Cond tests one syscall argument. Width 32 compares only the low 32 bits
// (the kernel ABI passes int arguments such as socket's domain in the low
// half; the high half is unspecified); width 64 compares both halves.
type Cond struct {
	Arg   int // 0..5
	Op    Op
	Mask  uint64 // for OpMaskedEQ
	Value uint64
	Width int // 32 or 64
}

// Matches reports whether the condition holds for an argument value.
func (c Cond) Matches(v uint64) bool {
	mask := c.Mask
	val := c.Value
	if c.Width == 32 {
		v &= 0xffffffff
		mask &= 0xffffffff
		val &= 0xffffffff
	}
	switch c.Op {
	case OpEQ:
		return v == val
	case OpNE:
		return v != val
	case OpMaskedEQ:
		return v&mask == val
	case OpGE:
		return v >= val
	case OpGT:
		return v > val
	case OpLE:
		return v <= val
	case OpLT:
		return v < val
	}
	return false
}

// Rule applies Action when all Conds hold (an empty Conds always holds).
type Rule struct {
	Conds  []Cond
	Action Action
}

// Syscall is the policy for one syscall number: the first matching rule
// wins; if none matches, Else applies.
type Syscall struct {
	Nr    int
	Rules []Rule
	Else  Action
}

// Unconditional reports whether the outcome does not depend on arguments,
// and returns it.
func (s *Syscall) Unconditional() (Action, bool) {
	for _, r := range s.Rules {
		if len(r.Conds) == 0 {
			return r.Action, true
		}
		if r.Action != s.Else {
			return Action{}, false
		}
	}
	return s.Else, true
}

// Policy is the whole filter for one architecture.
type Policy struct {
	Arch *sysnum.Arch
	// Default applies to numbers without an entry in Syscalls.
	Default  Action
	Syscalls []Syscall // sorted by Nr, unique
	// X32 applies on x86_64 to every number >= 0x40000000 (unsigned): the x32
	// ABI and anything above it.
	X32 Action
}

// Set adds or replaces the entry for nr, keeping Syscalls sorted.
func (p *Policy) Set(s Syscall) {
	i := sort.Search(len(p.Syscalls), func(i int) bool { return p.Syscalls[i].Nr >= s.Nr })
	if i < len(p.Syscalls) && p.Syscalls[i].Nr == s.Nr {
		p.Syscalls[i] = s
		return
	}
	p.Syscalls = append(p.Syscalls, Syscall{})
	copy(p.Syscalls[i+1:], p.Syscalls[i:])
	p.Syscalls[i] = s
}

// Lookup returns the entry for nr, if any.
func (p *Policy) Lookup(nr int) (*Syscall, bool) {
	i := sort.Search(len(p.Syscalls), func(i int) bool { return p.Syscalls[i].Nr >= nr })
	if i < len(p.Syscalls) && p.Syscalls[i].Nr == nr {
		return &p.Syscalls[i], true
	}
	return nil, false
}

// Data is struct seccomp_data as the kernel passes it to a filter.
type Data struct {
	Nr                 int32
	Arch               uint32
	InstructionPointer uint64
	Args               [6]uint64
}

// Filter is what one compiled program must implement: the policies of the
// architectures it accepts (the native one first, then e.g. i386 on an
// x86_64 host) and the action for every other architecture.
type Filter struct {
	Policies []*Policy
	Foreign  Action
}

// Eval is the reference semantics of a Filter.
func (f *Filter) Eval(d Data) Action {
	for _, p := range f.Policies {
		if p.Arch.AuditArch == d.Arch {
			return p.Eval(d)
		}
	}
	return f.Foreign
}

// Eval is the reference semantics of one architecture's policy.
func (p *Policy) Eval(d Data) Action {
	nr := uint32(d.Nr)
	if p.Arch == sysnum.X86_64 && nr >= sysnum.X32SyscallBit {
		return p.X32
	}
	s, ok := p.Lookup(int(d.Nr))
	if !ok {
		return p.Default
	}
	for _, r := range s.Rules {
		all := true
		for _, c := range r.Conds {
			if !c.Matches(d.Args[c.Arg]) {
				all = false
				break
			}
		}
		if all {
			return r.Action
		}
	}
	return s.Else
}

package check

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/names"
)

// Codes for syscall lists.
const (
	CodeSyscallListChars  = "invalid-syscall-list"
	CodeUnknownSyscall    = "unknown-syscall"
	CodeSyscallNotOnArch  = "syscall-not-on-arch"
	CodeSyscallTooNew     = "syscall-unknown-to-firejail"
	CodeUnknownGroup      = "unknown-syscall-group"
	CodeGroupErrno        = "group-with-action"
	CodeNegatedGroup      = "negated-group"
	CodeUnknownSysErrno   = "unknown-errno"
	CodeSyscallLog        = "syscall-log"
	CodeSyscallNumber     = "invalid-syscall-number"
	CodeEmptySyscallEntry = "empty-list"
)

func groupNames() []string {
	out := make([]string, len(names.Groups))
	for i, g := range names.Groups {
		out[i] = g.Name
	}
	return out
}

// syscalls checks a seccomp list (reference §7.1). Names are looked up in
// the table of the architecture the list applies to: i386 for seccomp.32*,
// x86_64 otherwise (the filters Firejail builds on this machine).
func (c *checker) syscalls(spec *directive.Spec, cmd *ast.Command) {
	arg := cmd.Arg
	for i := 0; i < len(arg); i++ {
		ch := arg[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("_,:@-$!", ch) >= 0
		if !ok {
			// Name the whole character, not its first byte.
			r, size := utf8.DecodeRuneInString(arg[i:])
			what := fmt.Sprintf("%q", string(r))
			if r == utf8.RuneError {
				what, size = fmt.Sprintf("byte 0x%02x", ch), 1
			}
			det := "syscall lists may contain only letters, digits and _ , : @ - $ !"
			if ch == ' ' {
				what = "a space"
				det = "separate items with commas only, no spaces"
			}
			c.errorf(CodeSyscallListChars, cmd.ArgSpanOf(i, i+size), fmt.Sprintf("invalid character %s in syscall list", what), det)
			return
		}
	}
	arch := sysnum.X86_64
	if strings.HasPrefix(spec.Name, "seccomp.32") {
		arch = sysnum.I386
	}
	nonEmpty := 0
	for _, it := range splitList(arg) {
		if it.text == "" {
			continue
		}
		nonEmpty++
		c.syscallItem(cmd, arch, it)
	}
	if nonEmpty == 0 {
		c.errorf(CodeEmptySyscallEntry, cmd.ArgSpan, "syscall list has no entries", "Firejail refuses an empty syscall list")
	}
}

func (c *checker) syscallItem(cmd *ast.Command, arch *sysnum.Arch, it item) {
	t, from := it.text, it.from
	span := func(i, j int) { _ = i }
	_ = span
	neg := false
	if strings.HasPrefix(t, "!") {
		neg, t, from = true, t[1:], from+1
	}
	name, action, hasAction := strings.Cut(t, ":")
	nameSpan := cmd.ArgSpanOf(from, from+len(name))
	if strings.HasPrefix(name, "@") {
		if neg {
			c.warnf(CodeNegatedGroup, cmd.ArgSpanOf(from-1, it.to), fmt.Sprintf("%q is ignored", "!"+t),
				"Firejail looks !@group up as a syscall name, finds none and drops it silently; list the syscalls to allow one by one")
			return
		}
		if hasAction {
			c.errorf(CodeGroupErrno, cmd.ArgSpanOf(from, it.to), fmt.Sprintf("a group cannot carry an action: %q", t),
				fmt.Sprintf("Firejail looks %q up as a group name and stops with \"unknown syscall group\"; list the group's syscalls with :%s one by one", t, action))
			return
		}
		if _, ok := names.LookupGroup(name); !ok {
			c.errorf(CodeUnknownGroup, nameSpan, fmt.Sprintf("unknown syscall group %q", name),
				strings.TrimSpace(suggestion(name, groupNames())+"`jailc syscalls` lists the groups; Firejail stops when the sandbox starts"))
		}
		return
	}
	if strings.HasPrefix(name, "$") {
		n, err := strconv.ParseInt(name[1:], 0, 64)
		if err != nil || n < 0 {
			c.warnf(CodeSyscallNumber, nameSpan, fmt.Sprintf("%q is not a syscall number", name),
				"Firejail reads it with strtol and uses whatever number that yields (often 0, which is read); write $ followed by a decimal number")
		} else if _, ok := arch.SyscallName(int(n)); !ok {
			c.warnf(CodeSyscallNumber, nameSpan, fmt.Sprintf("%s is not a syscall number on %s", name, arch.Name))
		}
	} else if _, ok := arch.Number(name); !ok {
		switch {
		case sysnum.KnownAnywhere(name):
			var on []string
			for _, a := range sysnum.Arches() {
				if _, ok := a.Number(name); ok {
					on = append(on, a.Name)
				}
			}
			c.warnf(CodeSyscallNotOnArch, nameSpan, fmt.Sprintf("%q is not a syscall on %s", name, arch.Name),
				fmt.Sprintf("it exists on %s; Firejail silently ignores it here", strings.Join(on, ", ")))
		default:
			c.warnf(CodeUnknownSyscall, nameSpan, fmt.Sprintf("unknown syscall %q", name),
				strings.TrimSpace(suggestion(name, sysnum.AllNames())+"Firejail silently ignores unknown names, so this line does not do what it says"))
		}
		return
	} else if !arch.FirejailKnows(name) {
		c.warnf(CodeSyscallTooNew, nameSpan, fmt.Sprintf("Firejail 0.9.72 does not know syscall %q", name),
			fmt.Sprintf("its %s table predates this syscall, so Firejail silently ignores it; jailc filters it", arch.Name))
	}
	if !hasAction {
		return
	}
	aspan := cmd.ArgSpanOf(from+len(name)+1, it.to)
	switch {
	case action == "kill":
	case action == "log":
		c.warnf(CodeSyscallLog, aspan, fmt.Sprintf("%q is dropped by Firejail 0.9.72", t),
			"Firejail 0.9.72 looks :log up as an errno name, fails and drops the whole entry; use seccomp-error-action log, or :kill or :ERRNO")
	default:
		if _, ok := names.ErrnoNumber(action); !ok {
			c.warnf(CodeUnknownSysErrno, aspan, fmt.Sprintf("unknown errno %q", action),
				strings.TrimSpace(suggestion(strings.ToUpper(action), errnoNames())+fmt.Sprintf("Firejail silently drops the whole entry %q", t)))
		}
	}
}

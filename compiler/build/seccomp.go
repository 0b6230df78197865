package build

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/names"
)

type seccompState struct {
	bare           *plan.Origin
	list           *plan.Value // seccomp LIST
	drop, keep     *plan.Value
	s32            map[string]*plan.Value
	errAction      *plan.Value
	blockSecondary *plan.Flag
	mdwx           *plan.Flag
	allowDebuggers *plan.Flag
}

func (b *builder) seccompLine(kw, arg string, o plan.Origin) {
	s := &b.sc
	switch kw {
	case "seccomp":
		if arg == "" {
			if s.bare == nil {
				s.bare = &o
			}
		} else {
			s.list = b.setLast("seccomp", arg, o)
		}
	case "seccomp.drop":
		s.drop = b.setLast("seccomp.drop", arg, o)
	case "seccomp.keep":
		s.keep = b.setLast("seccomp.keep", arg, o)
	case "seccomp.32", "seccomp.32.drop", "seccomp.32.keep":
		if s.s32 == nil {
			s.s32 = map[string]*plan.Value{}
		}
		s.s32[kw] = b.setLast(kw, arg, o)
	case "seccomp-error-action":
		s.errAction = b.setLast("seccomp-error-action", arg, o)
	case "seccomp.block-secondary":
		s.blockSecondary = b.setFlag(kw, o)
	case "memory-deny-write-execute":
		s.mdwx = b.setFlag(kw, o)
	case "allow-debuggers":
		s.allowDebuggers = b.setFlag(kw, o)
	case "protocol":
		b.protocol = check.ApplyAlgebra(b.protocol, arg)
		b.protoFrom = append(b.protoFrom, o)
	case "restrict-namespaces":
		if arg == "" {
			arg = "cgroup,ipc,net,mnt,pid,time,user,uts"
		}
		b.namespaces = check.ApplyAlgebra(b.namespaces, arg)
		b.nsFrom = append(b.nsFrom, o)
	}
}

// listItem is one entry of a syscall list after parsing.
type listItem struct {
	raw    string
	names  []string // resolved on the target arch
	neg    bool
	action *seccomp.Action // :ERRNO, :kill, :log
	origin plan.Origin
}

const (
	modeNone    = "none"
	modeDefault = "default"
	modeDrop    = "drop"
	modeKeep    = "keep"
)

// errorAction returns A: the profile's seccomp-error-action unless
// firejail.config sets one (reference §7.5); EPERM by default.
func (b *builder) errorAction() (seccomp.Action, string, *plan.Origin) {
	text, o := "EPERM", (*plan.Origin)(nil)
	if v := b.sc.errAction; v != nil {
		text, o = v.Value, &v.Origin
	}
	if v, ok := b.opts.Config.Get("seccomp-error-action"); ok && v != "" {
		text, o = v, &plan.Origin{File: "firejail.config", Text: "seccomp-error-action " + v}
	}
	switch text {
	case "kill":
		b.diverge("kill-process", "Firejail's kill action (SECCOMP_RET_KILL) kills only the calling thread; jailc kills the whole process", originOr(o))
		return seccomp.ActKillProcess, text, o
	case "log":
		return seccomp.ActLog, text, o
	}
	n, ok := names.ErrnoNumber(text)
	if !ok {
		n = 1
	}
	return seccomp.ActErrno(uint16(n)), text, o
}

func originOr(o *plan.Origin) plan.Origin {
	if o == nil {
		return plan.Origin{}
	}
	return *o
}

func (b *builder) seccomp() {
	s := &b.sc
	out := &b.p.Seccomp
	A, _, aOrigin := b.errorAction()
	out.ErrorAction, out.ErrorActionOrigin = plan.FormatAction(A), aOrigin
	out.AllowDebuggers, out.BlockSecondary, out.MDWX = s.allowDebuggers, s.blockSecondary, s.mdwx
	out.Foreign = plan.FormatAction(seccomp.ActKillProcess)

	mode, list := modeNone, (*plan.Value)(nil)
	switch {
	case s.keep != nil:
		mode, list = modeKeep, s.keep
	case s.drop != nil:
		mode, list = modeDrop, s.drop
	case s.list != nil:
		mode, list = modeDefault, s.list
	case s.bare != nil:
		mode = modeDefault
	}
	out.Mode = mode
	if list != nil {
		out.ModeOrigin = &list.Origin
		out.List = items(list.Value, list.Origin)
	} else if s.bare != nil {
		out.ModeOrigin = s.bare
	}
	for _, p := range b.protocol {
		out.Protocol = append(out.Protocol, plan.Item{Value: p, Origin: b.protoFrom[len(b.protoFrom)-1]})
	}
	for _, n := range b.namespaces {
		out.RestrictNamespaces = append(out.RestrictNamespaces, plan.Item{Value: n, Origin: b.nsFrom[len(b.nsFrom)-1]})
	}
	out.Enabled = mode != modeNone || len(b.protoFrom) > 0 || len(b.nsFrom) > 0 || s.mdwx != nil || s.blockSecondary != nil
	if !out.Enabled {
		return
	}
	mo := originOr(out.ModeOrigin)
	if mo.File == "" && len(b.protoFrom) > 0 {
		mo = b.protoFrom[0]
	}
	b.diverge("foreign-arch", "Firejail's filter allows every architecture it was not built for; jailc kills the process on any architecture other than the native one and its 32-bit compat", mo)

	// The 32-bit list, if any, and how Firejail would (mis)handle it.
	kind32, list32 := "", (*plan.Value)(nil)
	for _, k := range []string{"seccomp.32.keep", "seccomp.32.drop", "seccomp.32"} {
		if v := s.s32[k]; v != nil {
			kind32, list32 = k, v
			break
		}
	}
	if list32 != nil {
		out.List32, out.List32Kind = items(list32.Value, list32.Origin), kind32
		switch {
		case kind32 == "seccomp.32.keep":
			b.diverge("seccomp32-keep-native", "Firejail 0.9.72 builds a native keep filter from seccomp.32.keep; jailc applies it to the 32-bit architectures only", list32.Origin)
		case mode == modeNone || mode == modeKeep || (mode == modeDefault && s.list == nil):
			b.diverge("seccomp32-ignored", "Firejail ignores this 32-bit list next to the native form used here and loads its precompiled 32-bit filter; jailc applies the list to i386 and arm", list32.Origin)
		}
	}
	if mode == modeDrop || mode == modeKeep {
		if s.blockSecondary == nil {
			b.diverge("i386-unfiltered", "with seccomp."+mode+" Firejail installs no 32-bit filter, so i386 syscalls pass unfiltered; jailc applies the same list with i386 numbers", mo)
		}
	}
	if mode == modeDefault && list32 == nil && s.blockSecondary == nil {
		b.diverge("default32-list", "Firejail's 32-bit default filter is a hard-coded list that differs from @default; jailc filters i386 with the same list as x86_64, in i386 numbers", mo)
	}

	for _, arch := range sysnum.Arches() {
		secondary := arch == sysnum.I386 || arch == sysnum.ARM
		var pol *seccomp.Policy
		origins := map[int][]plan.Origin{}
		switch {
		case secondary && s.blockSecondary != nil:
			pol = &seccomp.Policy{Arch: arch, Default: A, X32: A}
		case secondary && list32 != nil:
			m := map[string]string{"seccomp.32": modeDefault, "seccomp.32.drop": modeDrop, "seccomp.32.keep": modeKeep}[kind32]
			pol = b.mainPolicy(arch, sysnum.I386, m, list32, A, origins)
		default:
			pol = b.mainPolicy(arch, sysnum.X86_64, mode, list, A, origins)
		}
		if !(secondary && s.blockSecondary != nil) {
			b.components(pol, A, origins)
		}
		if !secondary && s.blockSecondary != nil {
			b.personality(pol, A, s.blockSecondary.Origin, origins)
		}
		out.Policies = append(out.Policies, plan.FromPolicy(pol, origins))
	}
}

// parseList parses a syscall list for arch. $N numbers are read in the
// table of numArch (the list's own architecture) and mapped by name.
func (b *builder) parseList(v *plan.Value, arch, numArch *sysnum.Arch, keepMode bool) []listItem {
	var out []listItem
	for _, raw := range strings.Split(v.Value, ",") {
		if raw == "" {
			continue
		}
		it := listItem{raw: raw, origin: v.Origin}
		t := raw
		if strings.HasPrefix(t, "!") {
			it.neg, t = true, t[1:]
			if strings.HasPrefix(t, "@") {
				continue // Firejail looks !@group up as a name and drops it; the checker warns
			}
		}
		name, act, hasAct := strings.Cut(t, ":")
		if hasAct {
			switch a := act; {
			case a == "kill":
				k := seccomp.ActKillProcess
				it.action = &k
				if arch == sysnum.X86_64 {
					b.diverge("kill-process", fmt.Sprintf("%q: Firejail's :kill (SECCOMP_RET_KILL) kills only the calling thread; jailc kills the whole process", raw), v.Origin)
				}
			case a == "log":
				if keepMode {
					b.diverge("syscall-log", fmt.Sprintf("%q: Firejail 0.9.72 drops the entry; in a keep list jailc does not allow it either", raw), v.Origin)
					continue
				}
				l := seccomp.ActLog
				it.action = &l
				if arch == sysnum.X86_64 {
					b.diverge("syscall-log", fmt.Sprintf("%q: Firejail 0.9.72 drops the entry; jailc logs the syscall as firejail(1) documents", raw), v.Origin)
				}
			default:
				n, ok := names.ErrnoNumber(a)
				e := seccomp.ActErrno(uint16(n))
				if !ok {
					// Firejail drops the entry; the safe reading denies
					// the syscall with the error action.
					if arch == sysnum.X86_64 {
						b.diverge("unknown-errno", fmt.Sprintf("%q: Firejail drops the entry because of the unknown errno; jailc denies the syscall with the error action", raw), v.Origin)
					}
					it.action = nil
					if keepMode {
						continue
					}
				} else {
					it.action = &e
				}
			}
		}
		switch {
		case strings.HasPrefix(name, "@"):
			members, err := names.ExpandGroup(name, arch)
			if err != nil {
				continue // the checker reported it
			}
			it.names = members
		case strings.HasPrefix(name, "$"):
			n, err := strconv.ParseInt(name[1:], 0, 64)
			if err != nil {
				continue
			}
			if sc, ok := numArch.SyscallName(int(n)); ok {
				if _, on := arch.Number(sc); on {
					it.names = []string{sc}
				}
			}
		default:
			if _, ok := arch.Number(name); ok {
				it.names = []string{name}
				if !arch.FirejailKnows(name) {
					b.diverge("unknown-to-firejail", fmt.Sprintf("%s: Firejail 0.9.72's %s table lacks %q and silently ignores it; jailc filters it", raw, arch.Name, name), v.Origin)
				}
			}
		}
		out = append(out, it)
	}
	return out
}

var defaultKeep = []string{"execveat", "execve", "prctl"}

// mainPolicy builds the main list's policy for arch (reference §7.4 order:
// explicit actions first, then the default group, then plain items).
func (b *builder) mainPolicy(arch, numArch *sysnum.Arch, mode string, list *plan.Value, A seccomp.Action, origins map[int][]plan.Origin) *seccomp.Policy {
	pol := &seccomp.Policy{Arch: arch, Default: seccomp.ActAllow, X32: A}
	if mode == modeKeep {
		pol.Default = A
	}
	set := map[int]bool{}
	put := func(name string, a seccomp.Action, o plan.Origin) {
		nr, ok := arch.Number(name)
		if !ok || set[nr] {
			return
		}
		set[nr] = true
		pol.Set(seccomp.Syscall{Nr: nr, Else: a})
		origins[nr] = append(origins[nr], o)
	}
	var its []listItem
	if list != nil {
		its = b.parseList(list, arch, numArch, mode == modeKeep)
	}
	if mode == modeNone {
		return pol
	}
	// Pass 1: explicit actions in list order.
	for _, it := range its {
		for _, n := range it.names {
			switch {
			case it.neg && mode == modeKeep:
				put(n, A, it.origin)
			case it.neg:
				put(n, seccomp.ActAllow, it.origin)
			case it.action != nil:
				put(n, *it.action, it.origin)
			}
		}
	}
	if mode == modeKeep {
		for _, n := range defaultKeep {
			put(n, seccomp.ActAllow, plan.Origin{Text: "seccomp.keep always allows execve, execveat and prctl"})
		}
		for _, it := range its {
			if !it.neg && it.action == nil {
				for _, n := range it.names {
					put(n, seccomp.ActAllow, it.origin)
				}
			}
		}
		return pol
	}
	if mode == modeDefault {
		group := "@default-nodebuggers"
		if b.sc.allowDebuggers != nil {
			group = "@default"
		}
		members, _ := names.ExpandGroup(group, arch)
		o := originOr(b.p.Seccomp.ModeOrigin)
		o.Text = "seccomp (" + group + ")"
		for _, n := range members {
			put(n, A, o)
		}
	}
	for _, it := range its {
		if it.neg || it.action != nil {
			continue
		}
		for _, n := range it.names {
			if contains(defaultKeep, n) {
				if arch == sysnum.X86_64 {
					b.p.Seccomp.PostExec = append(b.p.Seccomp.PostExec, plan.Item{Value: n, Origin: it.origin})
				}
				continue
			}
			put(n, A, it.origin)
		}
	}
	return pol
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ruled installs argument rules for a syscall unless the main list already
// denies it outright (the most restrictive filter wins).
func ruled(pol *seccomp.Policy, arch *sysnum.Arch, name string, rules []seccomp.Rule, els seccomp.Action, o plan.Origin, origins map[int][]plan.Origin) {
	nr, ok := arch.Number(name)
	if !ok {
		return
	}
	if s, ok := pol.Lookup(nr); ok {
		if a, unc := s.Unconditional(); unc && a != seccomp.ActAllow {
			return
		}
	} else if pol.Default != seccomp.ActAllow {
		return
	}
	pol.Set(seccomp.Syscall{Nr: nr, Rules: rules, Else: els})
	origins[nr] = append(origins[nr], o)
}

func low32(arg int, op seccomp.Op, mask, value uint64) seccomp.Cond {
	return seccomp.Cond{Arg: arg, Op: op, Mask: mask, Value: value, Width: 32}
}

// components merges protocol, restrict-namespaces and
// memory-deny-write-execute into the policy (reference §7.7–7.9).
func (b *builder) components(pol *seccomp.Policy, A seccomp.Action, origins map[int][]plan.Origin) {
	arch := pol.Arch
	allow := seccomp.ActAllow
	if len(b.protoFrom) > 0 {
		o := b.protoFrom[len(b.protoFrom)-1]
		var rules []seccomp.Rule
		for _, p := range b.protocol {
			for _, pr := range names.Protocols {
				if pr.Name == p {
					rules = append(rules, seccomp.Rule{Conds: []seccomp.Cond{low32(0, seccomp.OpEQ, 0, uint64(pr.Family))}, Action: allow})
				}
			}
		}
		ruled(pol, arch, "socket", rules, seccomp.ActErrno(95), o, origins)
		if _, ok := arch.Number("socketcall"); ok {
			ruled(pol, arch, "socketcall", nil, seccomp.ActErrno(95), o, origins)
			if arch == sysnum.I386 {
				b.diverge("socketcall-unfiltered", "Firejail's protocol filter does not cover i386 socketcall, so any socket family can be opened through it; jailc denies socketcall with EOPNOTSUPP", o)
			}
		}
	}
	if len(b.nsFrom) > 0 {
		o := b.nsFrom[len(b.nsFrom)-1]
		var mask uint64
		for _, n := range b.namespaces {
			for _, ns := range names.Namespaces {
				if ns.Name == n {
					mask |= uint64(ns.Flag)
				}
			}
		}
		cloneMask := mask &^ 0x80 // CLONE_NEWTIME overlaps clone's CSIGNAL bits
		ruled(pol, arch, "clone", []seccomp.Rule{{Conds: []seccomp.Cond{low32(0, seccomp.OpMaskedEQ, cloneMask, 0)}, Action: allow}}, A, o, origins)
		ruled(pol, arch, "clone3", nil, seccomp.ActErrno(38), o, origins)
		ruled(pol, arch, "unshare", []seccomp.Rule{{Conds: []seccomp.Cond{low32(0, seccomp.OpMaskedEQ, mask, 0)}, Action: allow}}, A, o, origins)
		ruled(pol, arch, "setns", []seccomp.Rule{
			{Conds: []seccomp.Cond{low32(1, seccomp.OpEQ, 0, 0)}, Action: A},
			{Conds: []seccomp.Cond{low32(1, seccomp.OpMaskedEQ, mask, 0)}, Action: allow},
		}, A, o, origins)
	}
	if f := b.sc.mdwx; f != nil {
		o := f.Origin
		wx := []seccomp.Rule{{Conds: []seccomp.Cond{low32(2, seccomp.OpMaskedEQ, 6, 6)}, Action: A}}
		if arch == sysnum.I386 {
			ruled(pol, arch, "mmap", nil, A, o, origins) // old mmap takes a pointer: deny outright
		} else {
			ruled(pol, arch, "mmap", wx, allow, o, origins)
		}
		ruled(pol, arch, "mmap2", wx, allow, o, origins)
		noExec := []seccomp.Rule{{Conds: []seccomp.Cond{low32(2, seccomp.OpMaskedEQ, 4, 0)}, Action: allow}}
		ruled(pol, arch, "mprotect", noExec, A, o, origins)
		ruled(pol, arch, "pkey_mprotect", noExec, A, o, origins)
		ruled(pol, arch, "shmat", []seccomp.Rule{{Conds: []seccomp.Cond{low32(2, seccomp.OpMaskedEQ, 0x8000, 0)}, Action: allow}}, A, o, origins)
		ruled(pol, arch, "memfd_create", nil, A, o, origins)
	}
}

// personality: with block-secondary only PER_LINUX (0) and the query
// 0xffffffff are allowed, high half zero (reference §7.6).
func (b *builder) personality(pol *seccomp.Policy, A seccomp.Action, o plan.Origin, origins map[int][]plan.Origin) {
	ruled(pol, pol.Arch, "personality", []seccomp.Rule{
		{Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEQ, Value: 0, Width: 64}}, Action: seccomp.ActAllow},
		{Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEQ, Value: 0xffffffff, Width: 64}}, Action: seccomp.ActAllow},
	}, A, o, origins)
}

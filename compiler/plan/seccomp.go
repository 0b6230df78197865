package plan

import (
	"fmt"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// Seccomp is the syscall policy. Mode is the winning main list ("none",
// "default", "drop", "keep"; keep beats drop beats default). Policies hold
// the resolved result per architecture, with protocol, restrict-namespaces,
// memory-deny-write-execute and block-secondary already merged in, so the
// BPF backend and the runtime need no knowledge of the language.
type Seccomp struct {
	Enabled            bool         `json:"enabled"`
	Mode               string       `json:"mode"`
	ModeOrigin         *Origin      `json:"mode_origin,omitempty"`
	ErrorAction        string       `json:"error_action" jsonschema:"pattern=^(allow|log|kill-process|kill-thread|trap|errno\\(\\d+\\))$"`
	ErrorActionOrigin  *Origin      `json:"error_action_origin,omitempty"`
	List               []Item       `json:"list"`   // the winning native list, as written
	List32             []Item       `json:"list32"` // the 32-bit list, as written
	List32Kind         string       `json:"list32_kind,omitempty"`
	AllowDebuggers     *Flag        `json:"allow_debuggers,omitempty"`
	BlockSecondary     *Flag        `json:"block_secondary,omitempty"`
	Protocol           []Item       `json:"protocol"`
	RestrictNamespaces []Item       `json:"restrict_namespaces"`
	MDWX               *Flag        `json:"memory_deny_write_execute,omitempty"`
	PostExec           []Item       `json:"post_exec"`
	Foreign            string       `json:"foreign_arch_action" jsonschema:"pattern=^(allow|log|kill-process|kill-thread|trap|errno\\(\\d+\\))$"`
	Policies           []ArchPolicy `json:"policies"`
}

// ArchPolicy is the policy for one architecture.
type ArchPolicy struct {
	Arch     string        `json:"arch" jsonschema:"enum=x86_64,enum=i386,enum=aarch64,enum=arm"`
	Default  string        `json:"default" jsonschema:"pattern=^(allow|log|kill-process|kill-thread|trap|errno\\(\\d+\\))$"`
	X32      string        `json:"x32,omitempty" jsonschema:"pattern=^(allow|log|kill-process|kill-thread|trap|errno\\(\\d+\\))$"`
	Syscalls []SyscallRule `json:"syscalls"`
}

// SyscallRule is the outcome for one syscall number: Rules in order, first
// match wins, else Else. An unconditional outcome has no Rules.
type SyscallRule struct {
	Nr      int       `json:"nr" jsonschema:"minimum=0"`
	Name    string    `json:"name"`
	Rules   []ArgRule `json:"rules,omitempty"`
	Else    string    `json:"action" jsonschema:"pattern=^(allow|log|kill-process|kill-thread|trap|errno\\(\\d+\\))$"`
	Origins []Origin  `json:"origins,omitempty"`
}

// ArgRule applies Action when every condition holds.
type ArgRule struct {
	Conds  []ArgCond `json:"conds"`
	Action string    `json:"action" jsonschema:"pattern=^(allow|log|kill-process|kill-thread|trap|errno\\(\\d+\\))$"`
}

// ArgCond compares argument Arg; Op is eq, ne, masked-eq, ge, gt, le, lt;
// Width 32 compares the low half only.
type ArgCond struct {
	Arg   int    `json:"arg" jsonschema:"minimum=0,maximum=5"`
	Op    string `json:"op" jsonschema:"enum=eq,enum=ne,enum=masked-eq,enum=ge,enum=gt,enum=le,enum=lt"`
	Mask  uint64 `json:"mask,omitempty"`
	Value uint64 `json:"value"`
	Width int    `json:"width" jsonschema:"enum=32,enum=64"`
}

var opNames = []string{"eq", "ne", "masked-eq", "ge", "gt", "le", "lt"}

// ParseAction reads an action written by FormatAction.
func ParseAction(s string) (seccomp.Action, error) {
	switch s {
	case "allow":
		return seccomp.ActAllow, nil
	case "log":
		return seccomp.ActLog, nil
	case "kill-process":
		return seccomp.ActKillProcess, nil
	case "kill-thread":
		return seccomp.ActKillThread, nil
	case "trap":
		return seccomp.Action{Kind: seccomp.Trap}, nil
	}
	var n uint16
	if _, err := fmt.Sscanf(s, "errno(%d)", &n); err == nil && fmt.Sprintf("errno(%d)", n) == s {
		return seccomp.ActErrno(n), nil
	}
	return seccomp.Action{}, fmt.Errorf("unknown seccomp action %q", s)
}

// FormatAction writes an action for the plan.
func FormatAction(a seccomp.Action) string { return a.String() }

// FromPolicy converts a resolved policy into plan form.
func FromPolicy(p *seccomp.Policy, origins map[int][]Origin) ArchPolicy {
	ap := ArchPolicy{Arch: p.Arch.Name, Default: FormatAction(p.Default), Syscalls: []SyscallRule{}}
	if p.Arch == sysnum.X86_64 {
		ap.X32 = FormatAction(p.X32)
	}
	for _, s := range p.Syscalls {
		name, _ := p.Arch.SyscallName(s.Nr)
		r := SyscallRule{Nr: s.Nr, Name: name, Else: FormatAction(s.Else), Origins: origins[s.Nr]}
		for _, rule := range s.Rules {
			ar := ArgRule{Action: FormatAction(rule.Action), Conds: []ArgCond{}}
			for _, c := range rule.Conds {
				ar.Conds = append(ar.Conds, ArgCond{Arg: c.Arg, Op: opNames[c.Op], Mask: c.Mask, Value: c.Value, Width: c.Width})
			}
			r.Rules = append(r.Rules, ar)
		}
		ap.Syscalls = append(ap.Syscalls, r)
	}
	return ap
}

// ToPolicy converts plan form back into a policy for the BPF backend.
func (ap ArchPolicy) ToPolicy() (*seccomp.Policy, error) {
	arch := sysnum.Lookup(ap.Arch)
	if arch == nil {
		return nil, fmt.Errorf("plan names unknown architecture %q", ap.Arch)
	}
	def, err := ParseAction(ap.Default)
	if err != nil {
		return nil, err
	}
	p := &seccomp.Policy{Arch: arch, Default: def, X32: def}
	if ap.X32 != "" {
		if p.X32, err = ParseAction(ap.X32); err != nil {
			return nil, err
		}
	}
	for _, s := range ap.Syscalls {
		e, err := ParseAction(s.Else)
		if err != nil {
			return nil, err
		}
		sc := seccomp.Syscall{Nr: s.Nr, Else: e}
		for _, r := range s.Rules {
			a, err := ParseAction(r.Action)
			if err != nil {
				return nil, err
			}
			rule := seccomp.Rule{Action: a}
			for _, c := range r.Conds {
				op := -1
				for i, n := range opNames {
					if n == c.Op {
						op = i
					}
				}
				if op < 0 || c.Arg < 0 || c.Arg > 5 || (c.Width != 32 && c.Width != 64) {
					return nil, fmt.Errorf("syscall %s: invalid argument condition %+v", s.Name, c)
				}
				rule.Conds = append(rule.Conds, seccomp.Cond{Arg: c.Arg, Op: seccomp.Op(op), Mask: c.Mask, Value: c.Value, Width: c.Width})
			}
			sc.Rules = append(sc.Rules, rule)
		}
		p.Set(sc)
	}
	return p, nil
}

// Filter returns what one BPF program for a host architecture must
// implement: the host's policy and, for x86_64 and aarch64, the 32-bit
// compat architecture's (unless block-secondary dropped it). nil when the
// plan installs no seccomp filter.
func (s *Seccomp) Filter(host *sysnum.Arch) (*seccomp.Filter, error) {
	if !s.Enabled {
		return nil, nil
	}
	foreign, err := ParseAction(s.Foreign)
	if err != nil {
		return nil, err
	}
	want := []*sysnum.Arch{host}
	switch host {
	case sysnum.X86_64:
		want = append(want, sysnum.I386)
	case sysnum.AArch64:
		want = append(want, sysnum.ARM)
	}
	f := &seccomp.Filter{Foreign: foreign}
	for _, a := range want {
		for _, ap := range s.Policies {
			if ap.Arch == a.Name {
				p, err := ap.ToPolicy()
				if err != nil {
					return nil, err
				}
				f.Policies = append(f.Policies, p)
			}
		}
	}
	if len(f.Policies) == 0 || f.Policies[0].Arch != host {
		return nil, fmt.Errorf("plan has no seccomp policy for %s", host.Name)
	}
	return f, nil
}

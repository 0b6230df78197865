package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// Syscalls are compared on the resolved per-architecture policies, not on
// list text: for every syscall number of every architecture, what the
// kernel would do under each plan (seccomp.Policy.Eval). A call a policy
// answers by argument is evaluated at the boundary values of every
// condition of both policies (each constant, ±1, mask bits, high halves),
// which decides the comparison operators exactly and masked tests for
// every bit either side tests. Differences are grouped by outcome, and
// architectures with identical groups are reported together.

func permits(a seccomp.Action) bool { return a.Kind == seccomp.Allow || a.Kind == seccomp.Log }

func actionKind(o, n seccomp.Action) (Kind, bool) {
	switch {
	case o == n:
		return "", false
	case permits(n) && !permits(o):
		return Loosen, true
	case permits(o) && !permits(n):
		return Tighten, true
	}
	return Changed, true
}

type archPolicy struct {
	pol     *seccomp.Policy
	origins map[int][]plan.Origin
	detail  string        // why the default applies
	defBy   []plan.Origin // the line behind the default
}

func policyFor(s *plan.Seccomp, arch *sysnum.Arch) (*archPolicy, error) {
	if !s.Enabled {
		return &archPolicy{pol: &seccomp.Policy{Arch: arch, Default: seccomp.ActAllow, X32: seccomp.ActAllow}, detail: "no seccomp filter"}, nil
	}
	var defBy []plan.Origin
	if s.ModeOrigin != nil {
		defBy = []plan.Origin{*s.ModeOrigin}
	}
	if s.BlockSecondary != nil && (arch == sysnum.I386 || arch == sysnum.ARM) {
		defBy = []plan.Origin{s.BlockSecondary.Origin}
	}
	if s.ErrorActionOrigin != nil {
		defBy = append(defBy, *s.ErrorActionOrigin)
	}
	for _, ap := range s.Policies {
		if ap.Arch != arch.Name {
			continue
		}
		pol, err := ap.ToPolicy()
		if err != nil {
			return nil, err
		}
		o := map[int][]plan.Origin{}
		for _, r := range ap.Syscalls {
			o[r.Nr] = r.Origins
		}
		return &archPolicy{pol: pol, origins: o, detail: "not listed: the default action", defBy: defBy}, nil
	}
	f, err := plan.ParseAction(s.Foreign)
	if err != nil {
		return nil, err
	}
	return &archPolicy{pol: &seccomp.Policy{Arch: arch, Default: f, X32: f}, detail: "no policy for this architecture: the foreign-architecture action"}, nil
}

var opSyms = map[seccomp.Op]string{seccomp.OpEQ: "==", seccomp.OpNE: "!=", seccomp.OpGE: ">=", seccomp.OpGT: ">", seccomp.OpLE: "<=", seccomp.OpLT: "<"}

func condText(c seccomp.Cond) string {
	arg := fmt.Sprintf("arg%d", c.Arg)
	if c.Width == 32 {
		arg = "low32(" + arg + ")"
	}
	if c.Op == seccomp.OpMaskedEQ {
		return fmt.Sprintf("%s & %#x == %#x", arg, c.Mask, c.Value)
	}
	return fmt.Sprintf("%s %s %#x", arg, opSyms[c.Op], c.Value)
}

// describe renders what a policy does with nr. Runs of rules that allow
// one argument equal to one of several values read as "argN in {…}".
func describe(p *seccomp.Policy, nr int) string {
	s, ok := p.Lookup(nr)
	if !ok {
		return p.Default.String()
	}
	if a, unc := s.Unconditional(); unc {
		return a.String()
	}
	var parts []string
	for i := 0; i < len(s.Rules); {
		r := s.Rules[i]
		if len(r.Conds) == 1 && r.Conds[0].Op == seccomp.OpEQ {
			c := r.Conds[0]
			vals := []string{fmt.Sprintf("%#x", c.Value)}
			j := i + 1
			for ; j < len(s.Rules); j++ {
				n := s.Rules[j]
				if len(n.Conds) != 1 || n.Action != r.Action || n.Conds[0].Op != seccomp.OpEQ || n.Conds[0].Arg != c.Arg || n.Conds[0].Width != c.Width {
					break
				}
				vals = append(vals, fmt.Sprintf("%#x", n.Conds[0].Value))
			}
			if len(vals) > 1 {
				arg := fmt.Sprintf("arg%d", c.Arg)
				if c.Width == 32 {
					arg = "low32(" + arg + ")"
				}
				parts = append(parts, fmt.Sprintf("if %s in {%s}: %s", arg, strings.Join(vals, ","), r.Action))
				i = j
				continue
			}
		}
		var cs []string
		for _, c := range r.Conds {
			cs = append(cs, condText(c))
		}
		if len(cs) == 0 {
			parts = append(parts, "always: "+r.Action.String())
		} else {
			parts = append(parts, "if "+strings.Join(cs, " and ")+": "+r.Action.String())
		}
		i++
	}
	parts = append(parts, "else "+s.Else.String())
	return strings.Join(parts, "; ")
}

// samples returns argument vectors that tell the two entries apart
// wherever they differ.
func samples(entries ...*seccomp.Syscall) [][6]uint64 {
	var vals [6]map[uint64]bool
	wide := [6]bool{}
	for _, s := range entries {
		if s == nil {
			continue
		}
		for _, r := range s.Rules {
			for _, c := range r.Conds {
				if c.Width == 64 {
					wide[c.Arg] = true
				}
			}
		}
	}
	for _, s := range entries {
		if s == nil {
			continue
		}
		for _, r := range s.Rules {
			for _, c := range r.Conds {
				m := vals[c.Arg]
				if m == nil {
					m = map[uint64]bool{0: true, ^uint64(0): true}
					vals[c.Arg] = m
				}
				base := []uint64{c.Value, c.Value + 1, c.Value - 1}
				if c.Op == seccomp.OpMaskedEQ {
					base = append(base, c.Mask, c.Value|c.Mask, c.Value&^c.Mask)
					for b := 0; b < 64; b++ {
						if c.Mask&(1<<b) != 0 {
							base = append(base, c.Value^(1<<b), 1<<b)
						}
					}
				}
				for _, v := range base {
					m[v] = true
					if wide[c.Arg] || c.Width == 32 {
						m[v&0xffffffff] = true
						m[v|0xffffffff00000000] = true
					}
				}
			}
		}
	}
	out := [][6]uint64{{}}
	for arg := 0; arg < 6; arg++ {
		if vals[arg] == nil {
			continue
		}
		vs := make([]uint64, 0, len(vals[arg]))
		for v := range vals[arg] {
			vs = append(vs, v)
		}
		sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
		if len(out)*len(vs) > 1<<16 {
			continue // too many combinations: this argument keeps value 0
		}
		next := make([][6]uint64, 0, len(out)*len(vs))
		for _, o := range out {
			for _, v := range vs {
				x := o
				x[arg] = v
				next = append(next, x)
			}
		}
		out = next
	}
	return out
}

// compareSyscall returns the kinds of difference between two policies'
// answers for nr (possibly both loosen and tighten, for different
// arguments).
func compareSyscall(po, pn *seccomp.Policy, nr int) []Kind {
	eo, _ := po.Lookup(nr)
	en, _ := pn.Lookup(nr)
	seen := map[Kind]bool{}
	for _, args := range samples(eo, en) {
		d := seccomp.Data{Nr: int32(nr), Args: args}
		if k, ok := actionKind(po.Eval(d), pn.Eval(d)); ok {
			seen[k] = true
		}
	}
	if len(seen) == 0 && describe(po, nr) != describe(pn, nr) {
		seen[Changed] = true // different rules with the same effect at every sample
	}
	if seen[Loosen] || seen[Tighten] {
		delete(seen, Changed)
	}
	var out []Kind
	for _, k := range []Kind{Loosen, Tighten, Changed} {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

type scGroup struct {
	kind             Kind
	old, new         string
	oldDet, newDet   string
	names            []string
	oldOrig, newOrig []plan.Origin
	listedOrig       []plan.Origin // origins of the listed entries only
	archs            []string
	aspect           string
}

func (d *differ) seccomp() error {
	so, sn := &d.old.Seccomp, &d.new.Seccomp

	// The directives merged into the policies, compared as what they say.
	explained := map[string]bool{}
	if d.protocol(so.Protocol, sn.Protocol) {
		for _, it := range append(append([]plan.Item{}, so.Protocol...), sn.Protocol...) {
			explained[originKey(it.Origin)] = true
		}
	}
	before := len(d.out)
	d.itemSet("seccomp", "restrict-namespaces", so.RestrictNamespaces, sn.RestrictNamespaces, Tighten, "denied", "allowed")
	if len(d.out) != before {
		for _, it := range append(append([]plan.Item{}, so.RestrictNamespaces...), sn.RestrictNamespaces...) {
			explained[originKey(it.Origin)] = true
		}
	}
	if (so.MDWX == nil) != (sn.MDWX == nil) {
		d.flag("seccomp", "memory-deny-write-execute", flagOrigin(so.MDWX), flagOrigin(sn.MDWX), Tighten, "on", "off")
		for _, f := range []*plan.Flag{so.MDWX, sn.MDWX} {
			if f != nil {
				explained[originKey(f.Origin)] = true
			}
		}
	}
	d.flag("seccomp", "allow-debuggers", flagOrigin(so.AllowDebuggers), flagOrigin(sn.AllowDebuggers), Loosen, "on", "off")
	d.itemSet("seccomp", "post-exec filter (execve, execveat, prctl)", so.PostExec, sn.PostExec, Tighten, "denied after exec", "allowed after exec")

	var groups []*scGroup
	find := func(arch string, k Kind, aspect, o, n string) *scGroup {
		for _, g := range groups {
			if g.archs[0] == arch && g.kind == k && g.aspect == aspect && g.old == o && g.new == n {
				return g
			}
		}
		g := &scGroup{kind: k, aspect: aspect, old: o, new: n, archs: []string{arch}}
		groups = append(groups, g)
		return g
	}
	for _, arch := range sysnum.Arches() {
		ao, err := policyFor(so, arch)
		if err != nil {
			return fmt.Errorf("old plan: %w", err)
		}
		an, err := policyFor(sn, arch)
		if err != nil {
			return fmt.Errorf("new plan: %w", err)
		}
		nrs := map[int]bool{}
		for _, s := range arch.Syscalls() {
			nrs[s.Nr] = true
		}
		for _, s := range ao.pol.Syscalls {
			nrs[s.Nr] = true
		}
		for _, s := range an.pol.Syscalls {
			nrs[s.Nr] = true
		}
		list := make([]int, 0, len(nrs))
		for nr := range nrs {
			list = append(list, nr)
		}
		sort.Ints(list)
		unlisted := 0
		for _, nr := range list {
			_, lo := ao.pol.Lookup(nr)
			_, ln := an.pol.Lookup(nr)
			if !lo && !ln {
				if ao.pol.Default != an.pol.Default {
					unlisted++
				}
				continue
			}
			kinds := compareSyscall(ao.pol, an.pol, nr)
			if len(kinds) == 0 {
				continue
			}
			name, ok := arch.SyscallName(nr)
			if !ok {
				name = fmt.Sprintf("#%d", nr)
			}
			for _, k := range kinds {
				g := find(arch.Name, k, "syscalls", describe(ao.pol, nr), describe(an.pol, nr))
				g.names = append(g.names, name)
				side := func(s *plan.Seccomp, a *archPolicy, listed bool, orig *[]plan.Origin, det *string) {
					if listed {
						for _, o := range a.origins[nr] {
							*orig = appendOrigin(*orig, o)
							g.listedOrig = appendOrigin(g.listedOrig, o)
						}
						if s.ErrorActionOrigin != nil && describe(a.pol, nr) == s.ErrorAction {
							*orig = appendOrigin(*orig, *s.ErrorActionOrigin)
						}
						return
					}
					*det = a.detail
					for _, o := range a.defBy {
						*orig = appendOrigin(*orig, o)
					}
				}
				side(so, ao, lo, &g.oldOrig, &g.oldDet)
				side(sn, an, ln, &g.newOrig, &g.newDet)
			}
		}
		if unlisted > 0 {
			k, _ := actionKind(ao.pol.Default, an.pol.Default)
			g := find(arch.Name, k, "default", ao.pol.Default.String(), an.pol.Default.String())
			g.oldDet, g.newDet = ao.detail, an.detail
			g.oldOrig, g.newOrig = ao.defBy, an.defBy
			g.names = []string{fmt.Sprintf("%d syscalls neither plan lists", unlisted)}
		}
		if arch == sysnum.X86_64 {
			if k, ok := actionKind(ao.pol.X32, an.pol.X32); ok {
				g := find(arch.Name, k, "x32 syscalls", ao.pol.X32.String(), an.pol.X32.String())
				g.oldOrig, g.newOrig = ao.defBy, an.defBy
				g.oldDet, g.newDet = x32Detail(so), x32Detail(sn)
			}
		}
	}
	// Other architectures (the foreign-architecture action).
	foreign := func(s *plan.Seccomp) (seccomp.Action, error) {
		if !s.Enabled {
			return seccomp.ActAllow, nil
		}
		return plan.ParseAction(s.Foreign)
	}
	fo, err := foreign(so)
	if err != nil {
		return err
	}
	fn, err := foreign(sn)
	if err != nil {
		return err
	}
	if k, ok := actionKind(fo, fn); ok {
		side := func(s *plan.Seccomp, a seccomp.Action) Side {
			if !s.Enabled {
				return Side{State: a.String(), Detail: "no seccomp filter"}
			}
			return Side{State: a.String(), Detail: "the filter's action for architectures it does not know", Origins: origins(s.ModeOrigin)}
		}
		d.add(Change{Kind: k, Area: "seccomp", Subject: "other architectures", Aspect: "foreign", Old: side(so, fo), New: side(sn, fn)})
	}

	// Architectures with the same differences are reported together.
	var merged []*scGroup
	for _, g := range groups {
		if g.aspect == "syscalls" && len(g.listedOrig) > 0 {
			all := true
			for _, o := range g.listedOrig {
				if !explained[originKey(o)] {
					all = false
				}
			}
			if all {
				continue // the protocol / restrict-namespaces / mdwx change above says it
			}
		}
		sort.Strings(g.names)
		found := false
		for _, m := range merged {
			if m.kind == g.kind && m.aspect == g.aspect && m.old == g.old && m.new == g.new && strings.Join(m.names, ",") == strings.Join(g.names, ",") {
				m.archs = append(m.archs, g.archs...)
				for _, o := range g.oldOrig {
					m.oldOrig = appendOrigin(m.oldOrig, o)
				}
				for _, o := range g.newOrig {
					m.newOrig = appendOrigin(m.newOrig, o)
				}
				found = true
				break
			}
		}
		if !found {
			merged = append(merged, g)
		}
	}
	for _, g := range merged {
		c := Change{Kind: g.kind, Area: "seccomp", Subject: strings.Join(g.archs, ", "), Aspect: g.aspect, Items: g.names,
			Old: Side{State: g.old, Detail: g.oldDet, Origins: g.oldOrig},
			New: Side{State: g.new, Detail: g.newDet, Origins: g.newOrig}}
		if g.aspect != "syscalls" {
			c.Items = nil
			if g.aspect == "default" {
				c.Old.Detail = g.names[0] + "; " + g.oldDet
				c.New.Detail = g.names[0] + "; " + g.newDet
			}
		}
		d.add(c)
	}
	return nil
}

// protocol compares the socket families the protocol filter allows (no
// list: every family). It reports whether it found a difference.
func (d *differ) protocol(old, new []plan.Item) bool {
	if len(old) == 0 && len(new) == 0 {
		return false
	}
	names := func(l []plan.Item) (string, []plan.Origin) {
		var n []string
		var o []plan.Origin
		for _, it := range l {
			n = append(n, it.Value)
			o = appendOrigin(o, it.Origin)
		}
		return strings.Join(n, ","), o
	}
	if len(old) == 0 || len(new) == 0 {
		on, oo := names(old)
		nn, no := names(new)
		k := Tighten
		if len(new) == 0 {
			k = Loosen
		}
		all := func(s string) string {
			if s == "" {
				return "every family (no protocol filter)"
			}
			return "only " + s
		}
		d.add(Change{Kind: k, Area: "protocol", Subject: "socket families",
			Old: Side{State: all(on), Origins: oo}, New: Side{State: all(nn), Origins: no}})
		return true
	}
	before := len(d.out)
	d.itemSet("protocol", "socket families", old, new, Loosen, "allowed", "denied")
	return len(d.out) != before
}

func x32Detail(s *plan.Seccomp) string {
	if !s.Enabled {
		return "no seccomp filter"
	}
	return "x32 ABI calls get the error action"
}

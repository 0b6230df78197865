package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
)

func (d *differ) credentials() {
	co, cn := d.old.Credentials, d.new.Credentials
	oo, no := origins(co.CapsOrigin), origins(cn.CapsOrigin)
	capSet := func(subject, in, out string, old, new []string) {
		added, removed := setDiff(old, new)
		mode := func(c plan.Credentials) string { return "capability mode " + c.CapsMode }
		if len(added) > 0 {
			d.add(Change{Kind: Loosen, Area: "capabilities", Subject: subject, Items: added,
				Old: Side{State: out, Detail: mode(co), Origins: oo}, New: Side{State: in, Detail: mode(cn), Origins: no}})
		}
		if len(removed) > 0 {
			d.add(Change{Kind: Tighten, Area: "capabilities", Subject: subject, Items: removed,
				Old: Side{State: in, Detail: mode(co), Origins: oo}, New: Side{State: out, Detail: mode(cn), Origins: no}})
		}
	}
	capSet("bounding set", "kept", "dropped", co.Bounding, cn.Bounding)
	capSet("ambient set", "raised", "not raised", co.Ambient, cn.Ambient)
	if co.User != cn.User || co.UID != cn.UID {
		d.add(Change{Kind: Changed, Area: "credentials", Subject: "user",
			Old: Side{State: fmt.Sprintf("%s (uid %d)", co.User, co.UID)}, New: Side{State: fmt.Sprintf("%s (uid %d)", cn.User, cn.UID)}})
	}
	reason := func(r *plan.Reason) *plan.Origin {
		if r == nil {
			return nil
		}
		return &r.Origin
	}
	d.flag("credentials", "no_new_privs", reason(co.NoNewPrivs), reason(cn.NoNewPrivs), Tighten, "set", "not set")
	d.flag("credentials", "nogroups", flagOrigin(co.NoGroups), flagOrigin(cn.NoGroups), Tighten, "on", "off")
	d.flag("credentials", "noroot (user namespace)", flagOrigin(co.NoRoot), flagOrigin(cn.NoRoot), Tighten, "on", "off")
}

func setDiff(old, new []string) (added, removed []string) {
	om, nm := map[string]bool{}, map[string]bool{}
	for _, s := range old {
		om[s] = true
	}
	for _, s := range new {
		nm[s] = true
	}
	for s := range nm {
		if !om[s] {
			added = append(added, s)
		}
	}
	for s := range om {
		if !nm[s] {
			removed = append(removed, s)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

func (d *differ) namespaces() {
	no, nn := d.old.Namespaces, d.new.Namespaces
	b := func(area, subject string, o, n bool) {
		if o == n {
			return
		}
		k, os, ns := Loosen, "created", "not created"
		if n {
			k, os, ns = Tighten, ns, os
		}
		d.add(Change{Kind: k, Area: area, Subject: subject, Old: Side{State: os}, New: Side{State: ns}})
	}
	b("namespaces", "mount namespace", no.Mount, nn.Mount)
	b("namespaces", "pid namespace", no.PID, nn.PID)
	d.flag("namespaces", "ipc namespace", flagOrigin(no.IPC), flagOrigin(nn.IPC), Tighten, "created", "shared with the host")
	d.value("namespaces", "uts namespace (hostname)", no.UTS, nn.UTS, Tighten, "shared with the host")

	// Network: the host's network < a new namespace with devices < none.
	type netState struct {
		rank  int
		state string
		by    []plan.Origin
	}
	net := func(n plan.Namespaces) netState {
		if n.NetNone != nil {
			return netState{2, "none (loopback only)", []plan.Origin{n.NetNone.Origin}}
		}
		if len(n.NetDevs) > 0 {
			var devs []string
			var by []plan.Origin
			for _, it := range n.NetDevs {
				devs = append(devs, it.Value)
				by = appendOrigin(by, it.Origin)
			}
			return netState{1, "own namespace on " + strings.Join(devs, ","), by}
		}
		return netState{0, "the host's network", nil}
	}
	so, sn := net(no), net(nn)
	if so.state != sn.state {
		k := Changed
		if sn.rank < so.rank {
			k = Loosen
		} else if sn.rank > so.rank {
			k = Tighten
		}
		d.add(Change{Kind: k, Area: "network", Subject: "network namespace",
			Old: Side{State: so.state, Origins: so.by}, New: Side{State: sn.state, Origins: sn.by}})
	}
}

func (d *differ) environment() {
	type envState struct {
		state string
		rank  int // 0 removed, 1 set by the profile, 2 inherited
		o     []plan.Origin
	}
	final := func(ops []plan.EnvOp) map[string]envState {
		m := map[string]envState{}
		for _, e := range ops {
			if e.Op == "unset" {
				m[e.Name] = envState{"removed", 0, []plan.Origin{e.Origin}}
			} else {
				m[e.Name] = envState{"set to " + strconv.Quote(e.Value), 1, []plan.Origin{e.Origin}}
			}
		}
		return m
	}
	om, nm := final(d.old.Environment), final(d.new.Environment)
	names := sortedKeys(om, nm)
	inherited := envState{"inherited", 2, nil}
	for _, n := range names {
		o, ok := om[n]
		if !ok {
			o = inherited
		}
		nw, ok := nm[n]
		if !ok {
			nw = inherited
		}
		if o.state == nw.state {
			continue
		}
		// Removing a variable keeps the caller's value out of the sandbox:
		// passing it again loosens; replacing it by a fixed value changes.
		k := Changed
		switch {
		case o.rank == 0 && nw.rank == 2:
			k = Loosen
		case o.rank == 2 && nw.rank == 0:
			k = Tighten
		}
		d.add(Change{Kind: k, Area: "environment", Subject: n,
			Old: Side{State: o.state, Origins: o.o}, New: Side{State: nw.state, Origins: nw.o}})
	}
}

func (d *differ) resources() {
	ro, rn := d.old.Resources, d.new.Resources
	lim := func(l []plan.Rlimit) map[string]plan.Rlimit {
		m := map[string]plan.Rlimit{}
		for _, r := range l {
			m[r.Name] = r
		}
		return m
	}
	om, nm := lim(ro.Rlimits), lim(rn.Rlimits)
	names := sortedKeys(om, nm)
	for _, n := range names {
		o, ook := om[n]
		nw, nok := nm[n]
		side := func(r plan.Rlimit, ok bool) Side {
			if !ok {
				return Side{State: "unlimited (inherited)"}
			}
			return Side{State: strconv.FormatUint(r.Value, 10), Origins: []plan.Origin{r.Origin}}
		}
		var k Kind
		switch {
		case ook && nok && o.Value == nw.Value:
			continue
		case !ook:
			k = Tighten
		case !nok:
			k = Loosen
		case nw.Value > o.Value:
			k = Loosen
		default:
			k = Tighten
		}
		d.add(Change{Kind: k, Area: "resources", Subject: "rlimit-" + n, Old: side(o, ook), New: side(nw, nok)})
	}
	ints := func(l []int) string {
		if len(l) == 0 {
			return "any"
		}
		s := make([]string, len(l))
		for i, v := range l {
			s[i] = strconv.Itoa(v)
		}
		return strings.Join(s, ",")
	}
	if co, cn := ints(ro.CPUs), ints(rn.CPUs); co != cn {
		k := Changed
		if co == "any" {
			k = Tighten
		} else if cn == "any" {
			k = Loosen
		}
		d.add(Change{Kind: k, Area: "resources", Subject: "cpu", Old: Side{State: co, Origins: ro.CPUFrom}, New: Side{State: cn, Origins: rn.CPUFrom}})
	}
	d.value("resources", "nice", ro.Nice, rn.Nice, Changed, "unchanged")
	if ro.TimeoutSeconds != rn.TimeoutSeconds {
		t := func(s int) string {
			if s == 0 {
				return "none"
			}
			return fmt.Sprintf("%ds", s)
		}
		k := Tighten
		switch {
		case rn.TimeoutSeconds == 0:
			k = Loosen
		case ro.TimeoutSeconds != 0 && rn.TimeoutSeconds > ro.TimeoutSeconds:
			k = Loosen
		}
		d.add(Change{Kind: k, Area: "resources", Subject: "timeout",
			Old: Side{State: t(ro.TimeoutSeconds), Origins: origins(ro.TimeoutOrigin)}, New: Side{State: t(rn.TimeoutSeconds), Origins: origins(rn.TimeoutOrigin)}})
	}
}

// dbusRank orders D-Bus policies from most to least permissive.
func dbusRank(v *plan.Value) (int, string) {
	if v == nil {
		return 0, "allow (no proxy)"
	}
	switch v.Value {
	case "filter":
		return 1, "filter"
	case "none":
		return 2, "none"
	}
	return 0, v.Value
}

func (d *differ) misc() {
	mo, mn := d.old.Misc, d.new.Misc
	for _, bus := range []struct {
		name     string
		old, new *plan.Value
	}{{"dbus-user", mo.DBusUser, mn.DBusUser}, {"dbus-system", mo.DBusSystem, mn.DBusSystem}} {
		ro, so := dbusRank(bus.old)
		rn, sn := dbusRank(bus.new)
		if so == sn {
			continue
		}
		k := Changed
		if rn < ro {
			k = Loosen
		} else if rn > ro {
			k = Tighten
		}
		d.add(Change{Kind: k, Area: "dbus", Subject: bus.name,
			Old: Side{State: so, Origins: origins(valueOrigin(bus.old))}, New: Side{State: sn, Origins: origins(valueOrigin(bus.new))}})
	}
	// Filter rules grant access: more of them loosen.
	d.itemSet("dbus", "filter rules", mo.DBusRules, mn.DBusRules, Loosen, "granted", "not granted")

	// x11 none hides the X server; the other modes run a nested one.
	x11 := func(v *plan.Value) (int, string) {
		switch {
		case v == nil:
			return 0, "the host's display"
		case v.Value == "none":
			return 2, "none"
		}
		return 1, v.Value
	}
	ro, so := x11(mo.X11)
	rn, sn := x11(mn.X11)
	if so != sn {
		k := Changed
		if rn < ro {
			k = Loosen
		} else if rn > ro {
			k = Tighten
		}
		d.add(Change{Kind: k, Area: "x11", Subject: "x11",
			Old: Side{State: so, Origins: origins(valueOrigin(mo.X11))}, New: Side{State: sn, Origins: origins(valueOrigin(mn.X11))}})
	}
	d.value("x11", "xephyr-screen", mo.XephyrScreen, mn.XephyrScreen, Changed, "default")

	d.value("other", "name", mo.Name, mn.Name, Changed, "none")
	d.value("other", "join-or-start", mo.JoinOrStart, mn.JoinOrStart, Changed, "none")
	d.flag("other", "machine-id", flagOrigin(mo.MachineID), flagOrigin(mn.MachineID), Tighten, "random", "the host's")
	if mo.Quiet != mn.Quiet {
		q := func(b bool) string {
			if b {
				return "on"
			}
			return "off"
		}
		d.add(Change{Kind: Changed, Area: "other", Subject: "quiet", Old: Side{State: q(mo.Quiet)}, New: Side{State: q(mn.Quiet)}})
	}
	d.value("other", "apparmor", mo.AppArmor, mn.AppArmor, Tighten, "off")
	d.itemSet("other", "keep-fd", mo.KeepFD, mn.KeepFD, Loosen, "kept open", "closed")
	d.value("network", "hosts-file", mo.HostsFile, mn.HostsFile, Changed, "the host's")

	// Flags: netlock tightens, allow-debuggers loosens (it also shows in
	// the seccomp policies), the rest are behaviour.
	flagKinds := map[string]Kind{"netlock": Tighten, "allow-debuggers": Loosen}
	d.switchSet("other", mo.Flags, mn.Flags, flagKinds, nil)

	// Network settings, "key value": a netfilter firewall tightens, the
	// rest (addresses, dns, mtu, ...) change.
	netKey := func(v string) string { k, _, _ := strings.Cut(v, " "); return k }
	var on, nn, of, nf []plan.Item
	for _, it := range mo.Net {
		if strings.HasPrefix(netKey(it.Value), "netfilter") {
			of = append(of, it)
		} else {
			on = append(on, it)
		}
	}
	for _, it := range mn.Net {
		if strings.HasPrefix(netKey(it.Value), "netfilter") {
			nf = append(nf, it)
		} else {
			nn = append(nn, it)
		}
	}
	d.itemSet("network", "settings", on, nn, Changed, "set", "not set")
	fk := Changed
	if len(of) == 0 || len(nf) == 0 {
		fk = Tighten // adding a firewall tightens, removing it loosens
	}
	d.itemSet("network", "firewall", of, nf, fk, "set", "not set")
}

// context compares what the plans were compiled with and the notes the
// compiler attached: differences there are not policy, but explain others.
func (d *differ) context() {
	bo, bn := d.old.Bindings, d.new.Bindings
	str := func(subject, o, n string) {
		if o != n {
			d.add(Change{Kind: Changed, Area: "context", Subject: subject, Old: Side{State: show(o)}, New: Side{State: show(n)}})
		}
	}
	str("user", bo.User, bn.User)
	str("uid", strconv.Itoa(bo.UID), strconv.Itoa(bn.UID))
	str("home", bo.Home, bn.Home)
	str("runuser", bo.RunUser, bn.RunUser)
	str("cfg", bo.CFG, bn.CFG)
	str("firejail.config", bo.Config, bn.Config)
	xdg := func(l []plan.XDGDir) map[string]string {
		m := map[string]string{}
		for _, x := range l {
			m[x.Macro] = x.Dir
		}
		return m
	}
	xo, xn := xdg(bo.XDG), xdg(bn.XDG)
	macros := sortedKeys(xo, xn)
	for _, k := range macros {
		str(k, xo[k], xn[k])
	}
	cond := func(l []plan.Condition) map[string]bool {
		m := map[string]bool{}
		for _, c := range l {
			m[c.Name] = c.Value
		}
		return m
	}
	co, cn := cond(bo.Conditions), cond(bn.Conditions)
	for _, k := range sortedKeys(co, cn) {
		o, ook := co[k]
		n, nok := cn[k]
		if ook && nok && o != n {
			str("condition "+k, strconv.FormatBool(o), strconv.FormatBool(n))
		}
	}
	issues := func(area string, old, new []plan.Issue) {
		key := func(i plan.Issue) string { return i.Code + ": " + i.Message }
		var oi, ni []plan.Item
		for _, i := range old {
			oi = append(oi, plan.Item{Value: key(i), Origin: i.Origin})
		}
		for _, i := range new {
			ni = append(ni, plan.Item{Value: key(i), Origin: i.Origin})
		}
		d.itemSet("notes", area, oi, ni, Changed, "reported", "not reported")
	}
	issues("unsupported by jailc's runtime", d.old.Unsupported, d.new.Unsupported)
	issues("where jailc differs from Firejail", d.old.Divergences, d.new.Divergences)
}

// sortedKeys returns the keys of a and b, once each, sorted.
func sortedKeys[V any](a, b map[string]V) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// switchSet compares two lists of named switches: one on a side only is
// reported as kinds[name] (Changed when not listed) with the origin of its
// first line; names skip accepts are left to other comparisons.
func (d *differ) switchSet(area string, old, new []plan.Switch, kinds map[string]Kind, skip func(string) bool) {
	first := func(l []plan.Switch) map[string]plan.Origin {
		m := map[string]plan.Origin{}
		for _, s := range l {
			if _, ok := m[s.Name]; !ok {
				m[s.Name] = s.Origin
			}
		}
		return m
	}
	om, nm := first(old), first(new)
	for _, n := range sortedKeys(om, nm) {
		if skip != nil && skip(n) {
			continue
		}
		k, ok := kinds[n]
		if !ok {
			k = Changed
		}
		var o, nw *plan.Origin
		if x, ok := om[n]; ok {
			o = &x
		}
		if x, ok := nm[n]; ok {
			nw = &x
		}
		d.flag(area, n, o, nw, k, "on", "off")
	}
}

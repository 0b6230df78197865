package plan

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints the plan for people: the merged, effective profile,
// grouped by area, each line followed by the file:line it came from.
func WriteText(w io.Writer, p *Plan) error {
	var b strings.Builder
	line := func(text string, o Origin) {
		if o.File == "" && o.Text != "" {
			fmt.Fprintf(&b, "  %-60s # %s\n", text, o.Text)
			return
		}
		fmt.Fprintf(&b, "  %-60s # %s\n", text, o)
	}
	section := func(name string) { fmt.Fprintf(&b, "\n[%s]\n", name) }

	fmt.Fprintf(&b, "# plan v%d for %s, user %s (uid %d, home %s)\n", p.Version, p.Profile, p.Bindings.User, p.Bindings.UID, p.Bindings.Home)
	fmt.Fprintf(&b, "# %d files read; firejail.config: %s\n", len(p.Files), p.Bindings.Config)

	fs := p.Filesystem
	section("filesystem: private")
	if fs.Private != nil {
		v := "private"
		if fs.Private.Value != "" {
			v += " " + fs.Private.Value
		}
		line(v, fs.Private.Origin)
	}
	for _, l := range []struct {
		name  string
		items []Item
	}{{"private-home", fs.PrivateHome}, {"private-etc", fs.PrivateEtc}, {"private-opt", fs.PrivateOpt}, {"private-srv", fs.PrivateSrv}, {"private-bin", fs.PrivateBin}, {"private-lib", fs.PrivateLib}} {
		for _, it := range l.items {
			line(l.name+" "+it.Value, it.Origin)
		}
	}
	if fs.PrivateCwd != nil {
		line(strings.TrimSpace("private-cwd "+fs.PrivateCwd.Value), fs.PrivateCwd.Origin)
	}
	for _, s := range fs.Switches {
		line(s.Name, s.Origin)
	}
	section("filesystem: whitelist pass")
	for _, op := range fs.WhitelistPass {
		line(op.Op+" "+op.Path, op.Origin)
	}
	section("filesystem: blacklist pass")
	for _, op := range fs.BlacklistPass {
		t := op.Op + " " + op.Path
		if op.Target != "" {
			t += "," + op.Target
		}
		o := op.Origin
		if op.Added && o.File == "" {
			o.Text = "added by Firejail at sandbox start"
		}
		line(t, o)
	}

	c := p.Credentials
	section("credentials")
	fmt.Fprintf(&b, "  user %s (uid %d)\n", c.User, c.UID)
	co := Origin{}
	if c.CapsOrigin != nil {
		co = *c.CapsOrigin
	}
	line(fmt.Sprintf("capabilities: %s, keeping %d: %s", c.CapsMode, len(c.Bounding), strings.Join(c.Bounding, ",")), co)
	if len(c.Ambient) > 0 {
		line("ambient: "+strings.Join(c.Ambient, ","), co)
	}
	if c.NoNewPrivs != nil {
		line("no_new_privs ("+c.NoNewPrivs.Why+")", c.NoNewPrivs.Origin)
	}
	if c.NoGroups != nil {
		line("nogroups", c.NoGroups.Origin)
	}
	if c.NoRoot != nil {
		line("noroot", c.NoRoot.Origin)
	}

	s := p.Seccomp
	section("seccomp")
	if !s.Enabled {
		fmt.Fprintf(&b, "  no filter\n")
	} else {
		mo := Origin{}
		if s.ModeOrigin != nil {
			mo = *s.ModeOrigin
		}
		line(fmt.Sprintf("mode %s, error action %s, foreign architectures %s", s.Mode, s.ErrorAction, s.Foreign), mo)
		for _, it := range s.List {
			line("list "+it.Value, it.Origin)
		}
		for _, it := range s.List32 {
			line(s.List32Kind+" "+it.Value, it.Origin)
		}
		if len(s.Protocol) > 0 {
			names := make([]string, len(s.Protocol))
			for i, it := range s.Protocol {
				names[i] = it.Value
			}
			line("protocol "+strings.Join(names, ","), s.Protocol[len(s.Protocol)-1].Origin)
		}
		if len(s.RestrictNamespaces) > 0 {
			names := make([]string, len(s.RestrictNamespaces))
			for i, it := range s.RestrictNamespaces {
				names[i] = it.Value
			}
			line("restrict-namespaces "+strings.Join(names, ","), s.RestrictNamespaces[0].Origin)
		}
		if s.MDWX != nil {
			line("memory-deny-write-execute", s.MDWX.Origin)
		}
		if s.BlockSecondary != nil {
			line("seccomp.block-secondary", s.BlockSecondary.Origin)
		}
		for _, ap := range s.Policies {
			allowed, denied, cond := 0, 0, 0
			for _, r := range ap.Syscalls {
				switch {
				case len(r.Rules) > 0:
					cond++
				case r.Else == "allow":
					allowed++
				default:
					denied++
				}
			}
			fmt.Fprintf(&b, "  %-8s default %s: %d listed allowed, %d listed denied, %d argument-dependent\n", ap.Arch, ap.Default, allowed, denied, cond)
		}
	}

	n := p.Namespaces
	section("namespaces")
	fmt.Fprintf(&b, "  mount, pid\n")
	if n.IPC != nil {
		line("ipc", n.IPC.Origin)
	}
	if n.UTS != nil {
		line("uts, hostname "+n.UTS.Value, n.UTS.Origin)
	}
	if n.NetNone != nil {
		line("net none (loopback only)", n.NetNone.Origin)
	}
	for _, d := range n.NetDevs {
		line("net "+d.Value, d.Origin)
	}
	if n.User != nil {
		line("user (noroot)", n.User.Origin)
	}

	if len(p.Environment) > 0 {
		section("environment")
		for _, e := range p.Environment {
			if e.Op == "set" {
				line(e.Name+"="+e.Value, e.Origin)
			} else {
				line("unset "+e.Name, e.Origin)
			}
		}
	}
	r := p.Resources
	if len(r.Rlimits) > 0 || len(r.CPUs) > 0 || r.Nice != nil || r.TimeoutSeconds > 0 {
		section("resources")
		for _, l := range r.Rlimits {
			line(fmt.Sprintf("rlimit-%s %d", l.Name, l.Value), l.Origin)
		}
		if len(r.CPUs) > 0 {
			line(fmt.Sprintf("cpu %v", r.CPUs), r.CPUFrom[0])
		}
		if r.Nice != nil {
			line("nice "+r.Nice.Value, r.Nice.Origin)
		}
		if r.TimeoutOrigin != nil {
			line(fmt.Sprintf("timeout %ds", r.TimeoutSeconds), *r.TimeoutOrigin)
		}
	}
	m := p.Misc
	section("other")
	for _, v := range []struct {
		k string
		v *Value
	}{{"name", m.Name}, {"join-or-start", m.JoinOrStart}, {"x11", m.X11}, {"xephyr-screen", m.XephyrScreen}, {"dbus-user", m.DBusUser}, {"dbus-system", m.DBusSystem}, {"apparmor", m.AppArmor}, {"hosts-file", m.HostsFile}} {
		if v.v != nil {
			line(v.k+" "+v.v.Value, v.v.Origin)
		}
	}
	if m.MachineID != nil {
		line("machine-id", m.MachineID.Origin)
	}
	for _, it := range m.DBusRules {
		line(it.Value, it.Origin)
	}
	for _, it := range m.Net {
		line(it.Value, it.Origin)
	}
	for _, it := range m.KeepFD {
		line("keep-fd "+it.Value, it.Origin)
	}
	for _, f := range m.Flags {
		line(f.Name, f.Origin)
	}
	if len(p.Unsupported) > 0 {
		section("unsupported by jailc's runtime")
		for _, u := range p.Unsupported {
			line(u.Code+": "+u.Message, u.Origin)
		}
	}
	if len(p.Divergences) > 0 {
		section("where jailc differs from Firejail")
		for _, d := range p.Divergences {
			line(d.Code+": "+d.Message, d.Origin)
		}
	}
	if len(p.Ignored) > 0 {
		section("lines not applied")
		for _, ig := range p.Ignored {
			line(fmt.Sprintf("%s  (%s: %s)", ig.Origin.Text, ig.Why, ig.By), ig.Origin)
		}
	}
	_, err := io.WriteString(w, strings.TrimLeft(b.String(), "\n"))
	return err
}

package build

import (
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/names"
)

// builtinHidden are the paths Firejail 0.9.72 hides in every sandbox,
// with or without a profile (kernel internals and boot files), appended
// after the profile's own entries.
var builtinHidden = []string{
	"/boot", "/sys/firmware", "/sys/power", "/sys/kernel/debug", "/sys/kernel/vmcoreinfo", "/sys/fs", "/sys/module",
	"/proc/kallsyms", "/proc/sys/kernel/core_pattern", "/proc/sys/fs/binfmt_misc", "/proc/sys/vm/panic_on_oom",
	"/proc/timer_list", "/proc/irq", "/proc/bus",
}

// defaultCapsDrop is what `caps` removes (reference §2.3).
var defaultCapsDrop = []string{"sys_module", "sys_rawio", "sys_boot", "sys_nice", "sys_tty_config", "syslog", "mknod", "sys_admin"}

func (b *builder) finish() {
	p := b.p
	fs := &p.Filesystem
	// Entries Firejail appends when the sandbox starts (reference §6.1).
	for _, s := range fs.Switches {
		if s.Name == "private-cache" {
			op := b.fsOp("tmpfs", "${HOME}/.cache", s.Origin)
			op.Added = true
			fs.BlacklistPass = append(fs.BlacklistPass, op)
		}
	}
	mnt := b.flagSwitch("disable-mnt")
	if mnt == nil && b.opts.Config.Enabled("disable-mnt") && configSet(b, "disable-mnt") {
		mnt = &plan.Origin{File: "firejail.config", Text: "disable-mnt yes"}
	}
	if mnt != nil {
		for _, d := range []string{"/mnt", "/media", "/run/mount", "/run/media"} {
			op := b.fsOp("blacklist", d, *mnt)
			op.Added = true
			fs.BlacklistPass = append(fs.BlacklistPass, op)
		}
	}
	// Firejail hides these in every sandbox (observed with --noprofile).
	for _, d := range builtinHidden {
		op := b.fsOp("blacklist", d, plan.Origin{})
		op.Added = true
		fs.BlacklistPass = append(fs.BlacklistPass, op)
	}

	b.credentials()
	p.Namespaces.Mount, p.Namespaces.PID = true, true
	if p.Namespaces.IPC == nil && b.opts.Env.UID == 0 {
		// firejail-profile(5): "IPC namespace is enabled by default for
		// sandboxes started as root."
		p.Namespaces.IPC = &plan.Flag{Origin: plan.Origin{Text: "Firejail creates an IPC namespace for every sandbox started as root"}}
	}
	for i, v := range b.keepFD {
		o := b.fdFrom[len(b.fdFrom)-1]
		_ = i
		p.Misc.KeepFD = append(p.Misc.KeepFD, plan.Item{Value: v, Origin: o})
	}
	b.seccomp()
	if p.Seccomp.Enabled && p.Credentials.NoNewPrivs == nil {
		o := plan.Origin{}
		if p.Seccomp.ModeOrigin != nil {
			o = *p.Seccomp.ModeOrigin
		}
		p.Credentials.NoNewPrivs = &plan.Reason{Why: "installing a seccomp filter sets no_new_privs", Origin: o}
	}
	b.unsupportedFeatures()
	normalise(p)
}

func configSet(b *builder, key string) bool {
	v, ok := b.opts.Config.Get(key)
	return ok && v == "yes"
}

func (b *builder) flagSwitch(name string) *plan.Origin {
	for _, s := range b.p.Filesystem.Switches {
		if s.Name == name {
			o := s.Origin
			return &o
		}
	}
	return nil
}

// credentials applies Firejail's capability precedence: caps.drop all >
// caps.drop LIST > caps.keep LIST > caps; a root sandbox without caps.keep
// also loses dac_override and dac_read_search.
func (b *builder) credentials() {
	c := &b.p.Credentials
	env := b.opts.Env
	c.User, c.UID = env.User, env.UID
	keep := map[string]bool{}
	for _, n := range names.Capabilities {
		keep[n] = true
	}
	drop := func(list []string) {
		for _, n := range list {
			delete(keep, n)
		}
	}
	switch {
	case b.flags["caps.drop all"] != nil:
		c.CapsMode = "drop-all"
		o := b.flags["caps.drop all"].Origin
		c.CapsOrigin = &o
		keep = map[string]bool{}
	case b.capsDrop:
		c.CapsMode, c.CapsOrigin = "drop", b.capsListFrom
		drop(b.capsList)
	case b.capsKeep:
		c.CapsMode, c.CapsOrigin = "keep", b.capsListFrom
		keep = map[string]bool{}
		for _, n := range b.capsList {
			keep[n] = true
		}
	case b.flags["caps"] != nil:
		c.CapsMode = "default-filter"
		o := b.flags["caps"].Origin
		c.CapsOrigin = &o
		drop(defaultCapsDrop)
	default:
		c.CapsMode = "unchanged"
	}
	if env.UID == 0 && c.CapsMode != "keep" {
		drop([]string{"dac_override", "dac_read_search"})
	}
	for _, n := range names.Capabilities {
		if keep[n] {
			c.Bounding = append(c.Bounding, n)
		} else {
			c.Dropped = append(c.Dropped, n)
		}
	}
	if c.CapsMode == "keep" && env.UID != 0 {
		c.Ambient = append(c.Ambient, c.Bounding...)
	}
	if f := b.flags["nonewprivs"]; f != nil {
		c.NoNewPrivs = &plan.Reason{Why: "nonewprivs", Origin: f.Origin}
	}
	c.NoGroups = b.flags["nogroups"]
	c.NoRoot = b.flags["noroot"]
}

// unsupportedFeatures lists what jailc's runtime does not implement, so it
// can refuse to start rather than silently drop them.
func (b *builder) unsupportedFeatures() {
	p := b.p
	m := &p.Misc
	if m.X11 != nil && m.X11.Value != "none" {
		b.unsupported("x11", "X11 sandboxing with a nested or secured X server (x11 "+m.X11.Value+")", m.X11.Origin)
	}
	for _, v := range []*plan.Value{m.DBusUser, m.DBusSystem} {
		if v != nil && v.Value == "filter" {
			b.unsupported("dbus-filter", "D-Bus filtering through xdg-dbus-proxy", v.Origin)
		}
	}
	for _, d := range p.Namespaces.NetDevs {
		b.unsupported("net-device", "network device "+d.Value+" (bridge/macvlan networking)", d.Origin)
	}
	for _, n := range m.Net {
		if len(p.Namespaces.NetDevs) > 0 || n.Value[:min(6, len(n.Value))] == "netns " {
			b.unsupported("network-setup", n.Value, n.Origin)
		}
	}
	if m.AppArmor != nil {
		b.unsupported("apparmor", "AppArmor confinement ("+m.AppArmor.Value+")", m.AppArmor.Origin)
	}
	if m.JoinOrStart != nil {
		b.unsupported("join", "joining a running sandbox (join-or-start)", m.JoinOrStart.Origin)
	}
	if p.Filesystem.PrivateLibOn != nil {
		b.unsupported("private-lib", "private /lib built from the program's dependencies", p.Filesystem.PrivateLibOn.Origin)
	}
	for _, s := range m.Flags {
		switch s.Name {
		case "tracelog":
			b.unsupported("tracelog", "logging blacklist violations to syslog", s.Origin)
		case "netlock":
			b.unsupported("netlock", "network lock filter", s.Origin)
		}
	}
	for _, it := range p.Seccomp.PostExec {
		b.unsupported("seccomp-postexec", "denying "+it.Value+" after exec (Firejail's post-exec preload filter)", it.Origin)
	}
}

// normalise turns nil slices into empty ones so the JSON is the same
// shape for every profile.
func normalise(p *plan.Plan) {
	fs := &p.Filesystem
	for _, s := range []*[]plan.Item{&fs.PrivateHome, &fs.PrivateEtc, &fs.PrivateOpt, &fs.PrivateSrv, &fs.PrivateBin, &fs.PrivateLib,
		&p.Namespaces.NetDevs, &p.Misc.DBusRules, &p.Misc.KeepFD, &p.Misc.Net, &p.Seccomp.List, &p.Seccomp.List32,
		&p.Seccomp.Protocol, &p.Seccomp.RestrictNamespaces, &p.Seccomp.PostExec} {
		if *s == nil {
			*s = []plan.Item{}
		}
	}
	if fs.Switches == nil {
		fs.Switches = []plan.Switch{}
	}
	if p.Misc.Flags == nil {
		p.Misc.Flags = []plan.Switch{}
	}
	for _, s := range []*[]plan.FSOp{&fs.WhitelistPass, &fs.BlacklistPass} {
		if *s == nil {
			*s = []plan.FSOp{}
		}
	}
	for _, s := range []*[]string{&p.Credentials.Bounding, &p.Credentials.Dropped, &p.Credentials.Ambient, &p.Files} {
		if *s == nil {
			*s = []string{}
		}
	}
	if p.Environment == nil {
		p.Environment = []plan.EnvOp{}
	}
	if p.Resources.Rlimits == nil {
		p.Resources.Rlimits = []plan.Rlimit{}
	}
	if p.Resources.CPUs == nil {
		p.Resources.CPUs = []int{}
	}
	if p.Unsupported == nil {
		p.Unsupported = []plan.Issue{}
	}
	if p.Divergences == nil {
		p.Divergences = []plan.Issue{}
	}
	if p.Ignored == nil {
		p.Ignored = []plan.IgnoredOp{}
	}
	if p.Seccomp.Policies == nil {
		p.Seccomp.Policies = []plan.ArchPolicy{}
	}
}

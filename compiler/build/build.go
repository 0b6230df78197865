// Package build turns a checked profile into a plan. It is the only place
// that applies the language's combination rules (reference §6): last-wins
// versus accumulate, list algebra, the whitelist and blacklist passes,
// capability precedence, the seccomp list precedence and filters, and the
// entries Firejail appends at sandbox time. Each item of the plan records
// the line that produced it.
package build

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// Options give the compile-time bindings.
type Options struct {
	Env        macro.Env
	Config     *config.Config
	ConfigPath string // for the record; "" = Debian's defaults
}

// Build compiles a checked unit. It refuses a unit with errors: the plan of
// a profile Firejail or jailc rejects would not mean anything.
func Build(res *check.Result, opts Options) (*plan.Plan, error) {
	if res.Diags.HasErrors() {
		n := res.Diags.Count(diag.Error)
		return nil, fmt.Errorf("%s has %d error(s); run `jailc check` to see them", res.Unit.Root, n)
	}
	if opts.Config == nil {
		opts.Config = config.Default()
	}
	b := &builder{opts: opts, u: res.Unit, last: map[string]*plan.Value{}, flags: map[string]*plan.Flag{}}
	b.p = &plan.Plan{Version: plan.Version, Profile: res.Unit.Root}
	b.bindings()
	for _, f := range res.Unit.Files {
		b.p.Files = append(b.p.Files, f.Src.Name)
	}
	for _, e := range res.Unit.Entries {
		b.entry(e)
	}
	b.finish()
	return b.p, nil
}

type builder struct {
	opts  Options
	u     *resolve.Unit
	p     *plan.Plan
	last  map[string]*plan.Value
	flags map[string]*plan.Flag
	// seccomp state
	sc seccompState
	// list algebra state
	protocol, namespaces, keepFD []string
	protoFrom, nsFrom, fdFrom    []plan.Origin
	// capability state
	capsList     []string
	capsListFrom *plan.Origin
	capsDrop     bool
	capsKeep     bool
	// network and D-Bus
	dbusNone map[string]bool
}

func (b *builder) root() bool { return b.opts.Env.UID == 0 }

func origin(e *resolve.Entry) plan.Origin {
	o := plan.Origin{}
	if e == nil {
		return o
	}
	p := e.Line.Span.Pos()
	o.File, o.Line, o.Col = p.File, p.Line, p.Col
	if e.Line.Cmd != nil {
		o.Text = e.Line.Text
	}
	for _, c := range e.Chain {
		o.Chain = append(o.Chain, fmt.Sprintf("%s:%d", c.File, c.Line))
	}
	return o
}

func (b *builder) bindings() {
	env := b.opts.Env
	bd := plan.Bindings{User: env.User, UID: env.UID, Home: env.Home, RunUser: env.RunUser, CFG: env.CFG,
		Config: b.opts.ConfigPath, XDG: []plan.XDGDir{}, Conditions: []plan.Condition{}}
	if bd.Config == "" {
		bd.Config = "defaults"
	}
	for _, x := range macro.XDG {
		d, _ := env.ResolveXDG(x.Macro)
		bd.XDG = append(bd.XDG, plan.XDGDir{Macro: x.Macro, Dir: d})
	}
	b.p.Bindings = bd
}

func (b *builder) setLast(key, value string, o plan.Origin) *plan.Value {
	v := &plan.Value{Value: value, Origin: o}
	if prev := b.last[key]; prev != nil {
		v.Overridden = append(append([]plan.Origin{}, prev.Overridden...), prev.Origin)
	}
	b.last[key] = v
	return v
}

func (b *builder) setFlag(key string, o plan.Origin) *plan.Flag {
	if f := b.flags[key]; f != nil {
		return f
	}
	f := &plan.Flag{Origin: o}
	b.flags[key] = f
	return f
}

func (b *builder) unsupported(code, msg string, o plan.Origin) {
	b.p.Unsupported = append(b.p.Unsupported, plan.Issue{Code: code, Message: msg, Origin: o})
}

func (b *builder) diverge(code, msg string, o plan.Origin) {
	b.p.Divergences = append(b.p.Divergences, plan.Issue{Code: code, Message: msg, Origin: o})
}

// gated reports whether firejail.config (or restricted-network for a
// non-root target user) makes Firejail ignore the line.
func (b *builder) gated(spec *directive.Spec, arg string) string {
	cfg := b.opts.Config
	key := spec.Gate
	network := spec.Network
	switch spec.Name {
	case "net":
		if arg == "none" {
			return ""
		}
		key, network = "network", true
	case "x11":
		if arg == "none" {
			return ""
		}
	case "dbus-user", "dbus-system":
		key = ""
	}
	if key != "" && !cfg.Enabled(key) {
		return fmt.Sprintf("%s no in firejail.config", key)
	}
	if network && !b.root() && cfg.Enabled("restricted-network") {
		return "restricted-network yes in firejail.config (non-root user)"
	}
	return ""
}

func (b *builder) entry(e *resolve.Entry) {
	o := origin(e)
	cmd := e.Line.Cmd
	if len(e.Line.Conds) > 0 && !e.CondError {
		name, _, _ := directive.MatchCondition(e.Line.Conds[0].Name)
		b.p.Bindings.Conditions = append(b.p.Bindings.Conditions, plan.Condition{Name: name, Value: e.FalseCond == nil, Origin: o})
	}
	if !e.Active || cmd == nil {
		switch {
		case e.IgnoredBy != nil:
			b.p.Ignored = append(b.p.Ignored, plan.IgnoredOp{Why: "ignore", By: origin(e.IgnoredBy).String(), Origin: o})
		case e.FalseCond != nil:
			b.p.Ignored = append(b.p.Ignored, plan.IgnoredOp{Why: "condition", By: "?" + e.FalseCond.Name + " is false", Origin: o})
		}
		return
	}
	if e.Include != nil || cmd.Keyword == "include" {
		return
	}
	kw, arg := cmd.Keyword, cmd.Arg
	spec, ok := directive.Lookup(kw)
	if !ok {
		if strings.HasPrefix(kw, "private-lib") {
			spec, _ = directive.Lookup("private-lib")
			kw, arg = "private-lib", ""
			cmd = nil
		} else {
			return // the checker reported it; Build refuses units with errors
		}
	}
	if why := b.gated(spec, arg); why != "" {
		b.p.Ignored = append(b.p.Ignored, plan.IgnoredOp{Why: "config", By: why, Origin: o})
		return
	}
	_ = cmd
	switch spec.Section {
	default:
	}
	switch {
	case spec.Entry:
		b.fsEntry(kw, arg, o)
		return
	case strings.HasPrefix(kw, "seccomp") || kw == "protocol" || kw == "restrict-namespaces" ||
		kw == "memory-deny-write-execute" || kw == "allow-debuggers":
		b.seccompLine(kw, arg, o)
		return
	}
	b.other(kw, arg, o)
}

// fsEntry adds an entry-list directive: whitelist/nowhitelist to the
// whitelist pass, the rest to the blacklist pass, in reading order.
func (b *builder) fsEntry(kw, arg string, o plan.Origin) {
	fs := &b.p.Filesystem
	switch kw {
	case "whitelist-ro":
		fs.WhitelistPass = append(fs.WhitelistPass, b.fsOp("whitelist", arg, o))
		fs.BlacklistPass = append(fs.BlacklistPass, b.fsOp("read-only", arg, o))
	case "whitelist", "nowhitelist":
		fs.WhitelistPass = append(fs.WhitelistPass, b.fsOp(kw, arg, o))
	case "noprinters":
		// Firejail adds these at the place of the line, so a later
		// noblacklist cannot undo them.
		fs.BlacklistPass = append(fs.BlacklistPass, b.fsOp("blacklist", "/dev/lp*", o), b.fsOp("blacklist", "/run/cups/cups.sock", o))
		b.switchOn("noprinters", o)
	case "bind":
		src, dst, _ := strings.Cut(arg, ",")
		op := b.fsOp("bind", src, o)
		op.Target = dst
		fs.BlacklistPass = append(fs.BlacklistPass, op)
	case "dbus-user.see", "dbus-user.talk", "dbus-user.own", "dbus-user.call", "dbus-user.broadcast",
		"dbus-system.see", "dbus-system.talk", "dbus-system.own", "dbus-system.call", "dbus-system.broadcast":
		b.p.Misc.DBusRules = append(b.p.Misc.DBusRules, plan.Item{Value: kw + " " + arg, Origin: o})
	default:
		fs.BlacklistPass = append(fs.BlacklistPass, b.fsOp(kw, arg, o))
	}
}

func (b *builder) fsOp(op, arg string, o plan.Origin) plan.FSOp {
	path := arg
	macroPATH := strings.HasPrefix(arg, "${PATH}")
	if !macroPATH {
		path = b.opts.Env.Expand(arg)
	}
	return plan.FSOp{Op: op, Path: path, Glob: strings.ContainsAny(path, "*?["), PathMacro: macroPATH, Origin: o}
}

func (b *builder) switchOn(name string, o plan.Origin) {
	for _, s := range b.p.Filesystem.Switches {
		if s.Name == name {
			return
		}
	}
	b.p.Filesystem.Switches = append(b.p.Filesystem.Switches, plan.Switch{Name: name, Origin: o})
}

func (b *builder) miscFlag(name string, o plan.Origin) {
	for _, s := range b.p.Misc.Flags {
		if s.Name == name {
			return
		}
	}
	b.p.Misc.Flags = append(b.p.Misc.Flags, plan.Switch{Name: name, Origin: o})
}

func items(list string, o plan.Origin) []plan.Item {
	var out []plan.Item
	for _, it := range strings.Split(list, ",") {
		if it != "" {
			out = append(out, plan.Item{Value: it, Origin: o})
		}
	}
	return out
}

// other handles directives that change global state.
func (b *builder) other(kw, arg string, o plan.Origin) {
	p := b.p
	fs := &p.Filesystem
	switch kw {
	case "quiet":
		p.Misc.Quiet = true
	case "ignore":
	case "private":
		fs.Private = b.setLast("private", b.opts.Env.Expand(arg), o)
	case "private-home":
		// Entries are recorded as names in the home directory.
		for _, it := range items(arg, o) {
			it.Value = check.TrimHomePrefix(it.Value, b.opts.Env.Home)
			fs.PrivateHome = append(fs.PrivateHome, it)
		}
		if fs.Private == nil {
			fs.Private = &plan.Value{Value: "", Origin: o}
		}
	case "private-etc":
		fs.PrivateEtc = append(fs.PrivateEtc, items(arg, o)...)
	case "private-opt":
		fs.PrivateOpt = append(fs.PrivateOpt, items(arg, o)...)
	case "private-srv":
		fs.PrivateSrv = append(fs.PrivateSrv, items(arg, o)...)
	case "private-bin":
		fs.PrivateBin = append(fs.PrivateBin, items(arg, o)...)
	case "private-lib":
		fs.PrivateLibOn = b.setFlag("private-lib", o)
		fs.PrivateLib = append(fs.PrivateLib, items(arg, o)...)
	case "private-cwd":
		v := arg
		if v != "" {
			v = b.opts.Env.Expand(arg)
		}
		fs.PrivateCwd = b.setLast("private-cwd", v, o)
	case "private-tmp", "private-dev", "private-cache", "disable-mnt", "writable-etc", "writable-var",
		"writable-var-log", "writable-run-user", "keep-var-tmp", "keep-dev-shm", "keep-config-pulse",
		"nosound", "no3d", "nodvd", "notv", "novideo", "noinput", "nou2f", "allusers":
		b.switchOn(kw, o)
	case "noautopulse":
		b.switchOn("keep-config-pulse", o)
	case "tracelog", "deterministic-exit-code", "deterministic-shutdown", "tab", "netlock":
		b.miscFlag(kw, o)
	case "caps":
		b.setFlag("caps", o)
	case "caps.drop":
		if arg == "all" {
			b.setFlag("caps.drop all", o)
			break
		}
		b.capsDrop = true
		b.capsList, b.capsListFrom = strings.Split(arg, ","), &o
	case "caps.keep":
		b.capsKeep = true
		b.capsList, b.capsListFrom = strings.Split(arg, ","), &o
	case "nonewprivs":
		b.setFlag("nonewprivs", o)
	case "noroot":
		p.Namespaces.User = b.setFlag("noroot", o)
	case "nogroups":
		b.setFlag("nogroups", o)
	case "apparmor":
		v := arg
		if v == "" {
			v = "firejail-default"
		}
		p.Misc.AppArmor = b.setLast("apparmor", v, o)
	case "apparmor-replace", "apparmor-stack":
		b.miscFlag(kw, o)
	case "net":
		if arg == "none" {
			p.Namespaces.NetNone = &plan.Flag{Origin: o}
			p.Namespaces.NetDevs = nil
		} else {
			p.Namespaces.NetDevs = append(p.Namespaces.NetDevs, plan.Item{Value: arg, Origin: o})
		}
	case "veth-name", "ip", "ip6", "iprange", "mac", "mtu", "netmask", "defaultgw", "dns", "netfilter", "netfilter6", "netns":
		p.Misc.Net = append(p.Misc.Net, plan.Item{Value: strings.TrimSpace(kw + " " + arg), Origin: o})
	case "hostname":
		p.Namespaces.UTS = b.setLast("hostname", arg, o)
	case "hosts-file":
		p.Misc.HostsFile = b.setLast("hosts-file", b.opts.Env.Expand(arg), o)
	case "ipc-namespace":
		p.Namespaces.IPC = b.setFlag("ipc-namespace", o)
	case "x11":
		v := arg
		if v == "" {
			v = "auto"
		}
		p.Misc.X11 = b.setLast("x11", v, o)
	case "xephyr-screen":
		p.Misc.XephyrScreen = b.setLast("xephyr-screen", arg, o)
	case "dbus-user", "dbus-system":
		if b.dbusNone == nil {
			b.dbusNone = map[string]bool{}
		}
		if b.dbusNone[kw] && arg != "none" {
			break // none cannot be relaxed
		}
		b.dbusNone[kw] = arg == "none"
		v := b.setLast(kw, arg, o)
		if kw == "dbus-user" {
			p.Misc.DBusUser = v
		} else {
			p.Misc.DBusSystem = v
		}
	case "nodbus":
		if b.dbusNone == nil {
			b.dbusNone = map[string]bool{}
		}
		b.dbusNone["dbus-user"], b.dbusNone["dbus-system"] = true, true
		p.Misc.DBusUser = b.setLast("dbus-user", "none", o)
		p.Misc.DBusSystem = b.setLast("dbus-system", "none", o)
	case "machine-id":
		p.Misc.MachineID = b.setFlag("machine-id", o)
	case "env":
		name, value, _ := strings.Cut(arg, "=")
		p.Environment = append(p.Environment, plan.EnvOp{Op: "set", Name: name, Value: value, Origin: o})
	case "rmenv":
		p.Environment = append(p.Environment, plan.EnvOp{Op: "unset", Name: arg, Origin: o})
	case "rlimit-nofile", "rlimit-nproc", "rlimit-cpu", "rlimit-sigpending", "rlimit-as", "rlimit-fsize":
		b.rlimit(kw, arg, o)
	case "timeout":
		f := strings.Split(arg, ":")
		h, _ := strconv.Atoi(f[0])
		m, _ := strconv.Atoi(f[1])
		s, _ := strconv.Atoi(f[2])
		p.Resources.TimeoutSeconds = h*3600 + m*60 + s
		p.Resources.TimeoutOrigin = &o
	case "cpu":
		for _, c := range strings.Split(arg, ",") {
			if n, err := strconv.Atoi(c); err == nil && !containsInt(p.Resources.CPUs, n) {
				p.Resources.CPUs = append(p.Resources.CPUs, n)
			}
		}
		sort.Ints(p.Resources.CPUs)
		p.Resources.CPUFrom = append(p.Resources.CPUFrom, o)
	case "nice":
		n, _ := strconv.Atoi(strings.TrimSpace(arg))
		p.Resources.Nice = b.setLast("nice", strconv.Itoa(n), o)
	case "name":
		p.Misc.Name = b.setLast("name", arg, o)
	case "join-or-start":
		p.Misc.JoinOrStart = b.setLast("join-or-start", arg, o)
	case "keep-fd":
		b.keepFD = check.ApplyAlgebra(b.keepFD, arg)
		b.fdFrom = append(b.fdFrom, o)
	case "shell":
		// `shell none` is the default.
	}
}

func containsInt(l []int, n int) bool {
	for _, x := range l {
		if x == n {
			return true
		}
	}
	return false
}

func (b *builder) rlimit(kw, arg string, o plan.Origin) {
	name := strings.TrimPrefix(kw, "rlimit-")
	num, _, _ := strings.Cut(arg, " ")
	mult := uint64(1)
	switch {
	case strings.HasSuffix(num, "k"):
		mult, num = 1024, num[:len(num)-1]
	case strings.HasSuffix(num, "m"):
		mult, num = 1024*1024, num[:len(num)-1]
	case strings.HasSuffix(num, "g"):
		mult, num = 1024*1024*1024, num[:len(num)-1]
	}
	v, _ := strconv.ParseUint(num, 10, 64)
	r := &b.p.Resources
	for i := range r.Rlimits {
		if r.Rlimits[i].Name == name {
			r.Rlimits[i] = plan.Rlimit{Name: name, Value: v * mult, Origin: o}
			return
		}
	}
	r.Rlimits = append(r.Rlimits, plan.Rlimit{Name: name, Value: v * mult, Origin: o})
}

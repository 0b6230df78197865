// Package directive is THE table of Firejail 0.9.72 profile commands: for
// each keyword, which argument it takes, how repeats combine, which
// firejail.config key gates it, and which section of Firejail's profile
// template it belongs to. The checker, the plan builder, lint, fmt and the
// documentation all read this one table.
package directive

import "sort"

// Arg is the kind of argument a directive takes.
type Arg int

const (
	ArgNone        Arg = iota
	ArgPath            // blacklist family: prefix macros, XDG, ${PATH}, globs
	ArgWhitelist       // whitelist / nowhitelist: prefix macros, XDG, absolute
	ArgWhitelistRO     // whitelist-ro: expanded before validation; Firejail checks nothing
	ArgMkPath          // mkdir / mkfile: no globs, under home, /tmp or /run/user/UID
	ArgBind            // SRC,DST
	ArgPrivateDir      // private DIR
	ArgPrivateHome     // list of names in the home directory
	ArgPrivateEtc      // list of names relative to /etc, /opt or /srv
	ArgPrivateBin      // list of program names
	ArgPrivateLib      // list of libraries
	ArgCwd             // private-cwd DIR
	ArgSyscalls        // seccomp syscall list
	ArgErrorAction     // kill, log or an errno name
	ArgNamespaces      // restrict-namespaces list (list algebra)
	ArgProtocols       // protocol list (list algebra)
	ArgCapsDrop        // "all" or a capability list
	ArgCaps            // capability list
	ArgText            // any non-empty text
	ArgNet             // "none" or an interface name
	ArgIfName          // veth-name
	ArgIP              // IPv4, none or dhcp
	ArgIP6             // IPv6[/len] or dhcp
	ArgIPRange         // IPv4,IPv4
	ArgMAC             // xx:xx:xx:xx:xx:xx
	ArgMTU             // 576..9198
	ArgIPv4            // netmask, defaultgw
	ArgIPAny           // dns: IPv4 or IPv6
	ArgFile            // hosts-file, netfilter FILE
	ArgNetns           // netns NAME
	ArgX11             // none, xephyr, xpra, xvfb, xorg
	ArgScreen          // WxH
	ArgDBusPolicy      // filter or none
	ArgDBusName        // see / talk / own
	ArgDBusRule        // call / broadcast
	ArgEnv             // NAME=VALUE
	ArgEnvName         // NAME
	ArgUint            // rlimit counts
	ArgSize            // rlimit-as, rlimit-fsize
	ArgTimeout         // h:m:s
	ArgCPU             // CPU list
	ArgInt             // nice
	ArgKeepFD          // all or fd list (list algebra)
	ArgShell           // none
	ArgIgnore          // ignore TEXT
	ArgInclude         // include FILE
)

// Repeat says how several lines of one directive combine (reference §6.5).
type Repeat int

const (
	_      Repeat = iota
	Flag          // idempotent switch
	Last          // a later line replaces an earlier one
	Acc           // values accumulate
	Ord           // adds an entry to the ordered filesystem/D-Bus entry list
	Action        // acts at once when read (include, x11, join-or-start)
)

func (r Repeat) String() string {
	return [...]string{"", "flag", "last-wins", "accumulate", "ordered", "action"}[r]
}

// Section is a section of Firejail's profile template, in template order.
type Section int

const (
	SecNone Section = iota
	SecInclude
	SecIgnore
	SecNoblacklist
	SecBlacklist
	SecNowhitelist
	SecMkdir
	SecWhitelist
	SecOptions
	SecPrivate
	SecDBus
	SecSpecial
)

// Spec describes one keyword.
type Spec struct {
	Name string
	// Bare is true when the keyword may stand alone; Arg is the argument
	// kind when one is given (ArgNone: no argument is accepted).
	Bare   bool
	Arg    Arg
	Repeat Repeat
	// Gate is the firejail.config key that enables the directive and
	// GateLabel the feature name Firejail prints when it is off.
	Gate      string
	GateLabel string
	// GateSilent: when the gate is off Firejail ignores the line without a
	// warning (tracelog).
	GateSilent bool
	// Network directives are disabled for non-root users by Debian's
	// restricted-network setting.
	Network bool
	// RootOnly directives fail for non-root users.
	RootOnly bool
	// Entry directives go to the ordered entry list applied at start.
	Entry   bool
	Section Section
	// Undocumented is true for keywords firejail-profile(5) forgets.
	Undocumented bool
	// Deprecated, when set, says what to write instead.
	Deprecated string
	Doc        string
}

// Later is a keyword that exists only in a later Firejail release.
type Later struct {
	Name  string
	Since string
	Doc   string
}

func d(name string, bare bool, arg Arg, rep Repeat, sec Section, doc string) *Spec {
	return &Spec{Name: name, Bare: bare, Arg: arg, Repeat: rep, Section: sec, Doc: doc}
}

func (s *Spec) gate(key, label string) *Spec { s.Gate, s.GateLabel = key, label; return s }
func (s *Spec) entry() *Spec                 { s.Entry = true; return s }
func (s *Spec) net() *Spec                   { s.Network = true; return s.gate("network", "networking") }
func (s *Spec) undocumented() *Spec          { s.Undocumented = true; return s }

func (s *Spec) deprecated(instead string) *Spec {
	s.Deprecated = instead
	return s
}

var specs = []*Spec{
	// Meta (reference §2.1).
	d("include", false, ArgInclude, Action, SecInclude, "read another profile file in place"),
	d("quiet", true, ArgNone, Flag, SecOptions, "suppress Firejail's informational output"),
	d("ignore", false, ArgIgnore, Acc, SecIgnore, "drop later lines that begin with this text as a whole word"),

	// Filesystem (§2.2).
	d("blacklist", false, ArgPath, Ord, SecBlacklist, "make a file or directory unreachable").entry(),
	d("blacklist-nolog", false, ArgPath, Ord, SecBlacklist, "blacklist without tracelog logging").entry(),
	d("noblacklist", false, ArgPath, Ord, SecNoblacklist, "exempt matching paths from later blacklists").entry(),
	d("whitelist", false, ArgWhitelist, Ord, SecWhitelist, "empty the top directory and bind this path back in").entry(),
	d("nowhitelist", false, ArgWhitelist, Ord, SecNowhitelist, "exempt an exact path from later whitelists").entry(),
	d("whitelist-ro", false, ArgWhitelistRO, Ord, SecWhitelist, "whitelist plus read-only (bypasses ignore and conditionals)").entry(),
	d("read-only", false, ArgPath, Ord, SecSpecial, "remount read-only").entry(),
	d("read-write", false, ArgPath, Ord, SecSpecial, "remount read-write").entry(),
	d("noexec", false, ArgPath, Ord, SecSpecial, "remount noexec, nodev, nosuid").entry(),
	d("tmpfs", false, ArgPath, Ord, SecSpecial, "mount an empty tmpfs on a directory").entry(),
	d("mkdir", false, ArgMkPath, Ord, SecMkdir, "create a directory under home, /tmp or /run/user/UID").entry(),
	d("mkfile", false, ArgMkPath, Ord, SecMkdir, "create an empty file under home, /tmp or /run/user/UID").entry(),
	func() *Spec {
		s := d("bind", false, ArgBind, Ord, SecSpecial, "bind-mount SRC over DST (root only)").entry().gate("bind", "bind")
		s.RootOnly = true
		return s
	}(),
	d("disable-mnt", true, ArgNone, Flag, SecPrivate, "hide /mnt, /media, /run/mount and /run/media"),
	d("private", true, ArgPrivateDir, Last, SecPrivate, "empty home (or use DIR as home)"),
	d("private-home", false, ArgPrivateHome, Acc, SecPrivate, "copy only these home entries into a new home").gate("private-home", "private-home"),
	d("private-cache", true, ArgNone, Flag, SecPrivate, "tmpfs over ~/.cache").gate("private-cache", "private-cache"),
	d("private-tmp", true, ArgNone, Flag, SecPrivate, "empty /tmp"),
	d("private-dev", true, ArgNone, Flag, SecPrivate, "minimal /dev"),
	d("private-etc", false, ArgPrivateEtc, Acc, SecPrivate, "new /etc with only these entries").gate("private-etc", "private-etc"),
	d("private-opt", false, ArgPrivateEtc, Acc, SecPrivate, "new /opt with only these entries").gate("private-opt", "private-opt"),
	d("private-srv", false, ArgPrivateEtc, Acc, SecPrivate, "new /srv with only these entries").gate("private-srv", "private-srv"),
	d("private-bin", false, ArgPrivateBin, Acc, SecPrivate, "new /bin with only these programs").gate("private-bin", "private-bin"),
	d("private-lib", true, ArgPrivateLib, Acc, SecPrivate, "private /lib from the program's dependencies").gate("private-lib", "private-lib"),
	d("private-cwd", true, ArgCwd, Last, SecPrivate, "working directory inside the sandbox"),
	d("writable-etc", true, ArgNone, Flag, SecPrivate, "/etc stays writable"),
	d("writable-var", true, ArgNone, Flag, SecPrivate, "/var stays writable"),
	d("writable-var-log", true, ArgNone, Flag, SecPrivate, "use the real /var/log"),
	d("writable-run-user", true, ArgNone, Flag, SecPrivate, "keep /run/user/UID/systemd and gnupg"),
	d("keep-var-tmp", true, ArgNone, Flag, SecPrivate, "leave /var/tmp alone"),
	d("keep-dev-shm", true, ArgNone, Flag, SecPrivate, "keep /dev/shm with private-dev"),
	d("keep-config-pulse", true, ArgNone, Flag, SecPrivate, "do not set up ~/.config/pulse"),
	d("noautopulse", true, ArgNone, Flag, SecPrivate, "deprecated alias of keep-config-pulse").deprecated("keep-config-pulse"),
	func() *Spec {
		s := d("tracelog", true, ArgNone, Flag, SecOptions, "log blacklist violations to syslog").gate("tracelog", "tracelog")
		s.GateSilent = true
		return s
	}(),

	// Seccomp, capabilities, protocol, namespaces (§2.3).
	d("seccomp", true, ArgSyscalls, Last, SecOptions, "default syscall deny list, plus these").gate("seccomp", "seccomp"),
	d("seccomp.drop", false, ArgSyscalls, Last, SecOptions, "deny only these syscalls").gate("seccomp", "seccomp"),
	d("seccomp.keep", false, ArgSyscalls, Last, SecOptions, "allow only these syscalls").gate("seccomp", "seccomp"),
	d("seccomp.32", false, ArgSyscalls, Last, SecOptions, "32-bit default list plus these").gate("seccomp", "seccomp"),
	d("seccomp.32.drop", false, ArgSyscalls, Last, SecOptions, "32-bit drop list").gate("seccomp", "seccomp"),
	d("seccomp.32.keep", false, ArgSyscalls, Last, SecOptions, "32-bit keep list").gate("seccomp", "seccomp"),
	d("seccomp.block-secondary", true, ArgNone, Flag, SecOptions, "deny every non-native architecture").gate("seccomp", "seccomp"),
	d("seccomp-error-action", false, ArgErrorAction, Last, SecOptions, "action for denied syscalls: kill, log or an errno"),
	d("memory-deny-write-execute", true, ArgNone, Flag, SecSpecial, "deny writable and executable memory").gate("seccomp", "seccomp"),
	d("restrict-namespaces", true, ArgNamespaces, Acc, SecOptions, "deny creating or joining namespaces").gate("seccomp", "seccomp"),
	d("protocol", false, ArgProtocols, Acc, SecOptions, "allow only these socket families").gate("seccomp", "seccomp"),
	d("caps", true, ArgNone, Flag, SecOptions, "default capability filter"),
	d("caps.drop", false, ArgCapsDrop, Last, SecOptions, "drop these capabilities (or all)"),
	d("caps.keep", false, ArgCaps, Last, SecOptions, "keep only these capabilities"),
	d("nonewprivs", true, ArgNone, Flag, SecOptions, "set NO_NEW_PRIVS"),
	d("noroot", true, ArgNone, Flag, SecOptions, "user namespace with only the current user").gate("userns", "noroot"),
	d("allow-debuggers", true, ArgNone, Flag, SecOptions, "allow ptrace and friends; skips later disable-devel.inc"),
	d("apparmor", true, ArgText, Last, SecOptions, "confine with an AppArmor profile").gate("apparmor", "apparmor"),
	d("apparmor-replace", true, ArgNone, Last, SecOptions, "replace the AppArmor profile").gate("apparmor", "apparmor").undocumented(),
	d("apparmor-stack", true, ArgNone, Last, SecOptions, "stack the AppArmor profile").gate("apparmor", "apparmor").undocumented(),

	// Namespaces and networking (§2.4).
	d("net", false, ArgNet, Acc, SecOptions, "new network namespace: none, or a bridge/macvlan device"),
	d("veth-name", false, ArgIfName, Last, SecOptions, "host-side veth name").net(),
	d("ip", false, ArgIP, Last, SecOptions, "IPv4 address, none or dhcp").net(),
	d("ip6", false, ArgIP6, Last, SecOptions, "IPv6 address or dhcp").net(),
	d("iprange", false, ArgIPRange, Last, SecOptions, "address range for the last net").net(),
	d("mac", false, ArgMAC, Last, SecOptions, "MAC address for the last net").net(),
	d("mtu", false, ArgMTU, Last, SecOptions, "MTU for the last net").net(),
	d("netmask", false, ArgIPv4, Last, SecOptions, "netmask for the last net").net(),
	d("defaultgw", false, ArgIPv4, Last, SecOptions, "default gateway").net(),
	// Not gated: Firejail reads dns with network no and for non-root
	// users under restricted-network (verified with 0.9.72).
	d("dns", false, ArgIPAny, Acc, SecOptions, "DNS server (at most 4)"),
	d("hostname", false, ArgText, Last, SecOptions, "host name in the sandbox"),
	d("hosts-file", false, ArgFile, Last, SecOptions, "file used as /etc/hosts"),
	d("netfilter", true, ArgFile, Last, SecOptions, "firewall for a new network namespace").net(),
	d("netfilter6", false, ArgFile, Last, SecOptions, "IPv6 firewall file").net().undocumented(),
	d("netlock", true, ArgNone, Flag, SecOptions, "generated network lock filter").net(),
	d("netns", false, ArgNetns, Last, SecOptions, "join a named network namespace").net(),
	d("ipc-namespace", true, ArgNone, Flag, SecOptions, "new IPC namespace"),

	// X11 and D-Bus (§2.5).
	d("x11", true, ArgX11, Action, SecOptions, "X11 sandboxing: none, xorg, or a nested server").gate("x11", "x11"),
	d("xephyr-screen", false, ArgScreen, Last, SecOptions, "Xephyr screen size WxH"),
	d("dbus-user", false, ArgDBusPolicy, Last, SecDBus, "session bus policy: filter or none").gate("dbus", "dbus"),
	d("dbus-system", false, ArgDBusPolicy, Last, SecDBus, "system bus policy: filter or none").gate("dbus", "dbus"),
	d("dbus-user.see", false, ArgDBusName, Ord, SecDBus, "session bus name the program may see").entry(),
	d("dbus-user.talk", false, ArgDBusName, Ord, SecDBus, "session bus name the program may talk to").entry(),
	d("dbus-user.own", false, ArgDBusName, Ord, SecDBus, "session bus name the program may own").entry(),
	d("dbus-user.call", false, ArgDBusRule, Ord, SecDBus, "session bus method call rule").entry(),
	d("dbus-user.broadcast", false, ArgDBusRule, Ord, SecDBus, "session bus broadcast rule").entry(),
	d("dbus-system.see", false, ArgDBusName, Ord, SecDBus, "system bus name the program may see").entry(),
	d("dbus-system.talk", false, ArgDBusName, Ord, SecDBus, "system bus name the program may talk to").entry(),
	d("dbus-system.own", false, ArgDBusName, Ord, SecDBus, "system bus name the program may own").entry(),
	d("dbus-system.call", false, ArgDBusRule, Ord, SecDBus, "system bus method call rule").entry(),
	d("dbus-system.broadcast", false, ArgDBusRule, Ord, SecDBus, "system bus broadcast rule").entry(),
	d("nodbus", true, ArgNone, Flag, SecDBus, "deprecated: both buses none").gate("dbus", "dbus").deprecated("dbus-user none and dbus-system none"),

	// Devices and groups (§2.6).
	d("nosound", true, ArgNone, Flag, SecOptions, "no sound devices or sound servers"),
	d("no3d", true, ArgNone, Flag, SecOptions, "no 3D acceleration"),
	d("nodvd", true, ArgNone, Flag, SecOptions, "no DVD/CD devices"),
	d("notv", true, ArgNone, Flag, SecOptions, "no DVB devices"),
	d("novideo", true, ArgNone, Flag, SecOptions, "no video devices"),
	d("noinput", true, ArgNone, Flag, SecOptions, "no input devices"),
	d("nou2f", true, ArgNone, Flag, SecOptions, "no U2F devices"),
	d("noprinters", true, ArgNone, Flag, SecOptions, "no printers (blacklists /dev/lp* and the CUPS socket here)").entry(),
	d("nogroups", true, ArgNone, Flag, SecOptions, "drop supplementary groups"),
	d("allusers", true, ArgNone, Flag, SecOptions, "show every user's home"),
	d("machine-id", true, ArgNone, Flag, SecOptions, "random /etc/machine-id"),

	// Environment, resources, misc (§2.7).
	d("env", false, ArgEnv, Acc, SecOptions, "set an environment variable"),
	d("rmenv", false, ArgEnvName, Acc, SecOptions, "unset an environment variable").undocumented(),
	d("rlimit-nofile", false, ArgUint, Last, SecOptions, "maximum open files"),
	d("rlimit-nproc", false, ArgUint, Last, SecOptions, "maximum processes"),
	d("rlimit-cpu", false, ArgUint, Last, SecOptions, "CPU time in seconds"),
	d("rlimit-sigpending", false, ArgUint, Last, SecOptions, "maximum pending signals"),
	d("rlimit-as", false, ArgSize, Last, SecOptions, "maximum address space in bytes (k, m, g suffix)"),
	d("rlimit-fsize", false, ArgSize, Last, SecOptions, "maximum file size in bytes (k, m, g suffix)"),
	d("timeout", false, ArgTimeout, Last, SecOptions, "kill the sandbox after hh:mm:ss"),
	d("cpu", false, ArgCPU, Acc, SecOptions, "CPU affinity list"),
	d("nice", false, ArgInt, Last, SecOptions, "scheduling priority"),
	d("name", false, ArgText, Last, SecOptions, "sandbox name"),
	d("join-or-start", false, ArgText, Action, SecSpecial, "join the named sandbox or start it").gate("join", "join"),
	d("keep-fd", false, ArgKeepFD, Acc, SecOptions, "let file descriptors through: all or a list"),
	d("deterministic-exit-code", true, ArgNone, Flag, SecOptions, "exit with the first child's status"),
	d("deterministic-shutdown", true, ArgNone, Flag, SecOptions, "kill remaining processes when the first child exits"),
	d("shell", false, ArgShell, Flag, SecOptions, "deprecated: only `shell none`, which is the default"),
	d("tab", true, ArgNone, Flag, SecOptions, "shell tab completion in private homes").undocumented(),
}

var byName = func() map[string]*Spec {
	m := make(map[string]*Spec, len(specs))
	for _, s := range specs {
		m[s.Name] = s
	}
	return m
}()

// Lookup returns the spec for a keyword (exact, case-sensitive).
func Lookup(keyword string) (*Spec, bool) {
	s, ok := byName[keyword]
	return s, ok
}

// All returns every spec in table order.
func All() []*Spec { return specs }

// Names returns every keyword, sorted.
func Names() []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

var later = []Later{
	{"keep-shell-rc", "0.9.74", "keep the shell rc files"},
	{"landlock.enforce", "0.9.74", "enforce the Landlock rules"},
	{"landlock.fs.read", "0.9.74", "Landlock read access"},
	{"landlock.fs.write", "0.9.74", "Landlock write access"},
	{"landlock.fs.makeipc", "0.9.74", "Landlock IPC object creation"},
	{"landlock.fs.makedev", "0.9.74", "Landlock device creation"},
	{"landlock.fs.execute", "0.9.74", "Landlock execute access"},
	{"notpm", "0.9.74", "hide TPM devices"},
	{"keep-dev-ntsync", "0.9.74", "keep /dev/ntsync"},
	{"keep-dev-tpm", "0.9.76", "keep TPM devices"},
	{"warn", "0.9.76", "print a warning"},
	{"allow-bwrap", "0.9.78", "allow bubblewrap inside the sandbox"},
	{"hostname-randomize", "0.9.80", "random host name"},
	{"keep-hostname", "0.9.80", "keep the host name"},
}

// LookupLater reports whether keyword exists only in a later release.
func LookupLater(keyword string) (Later, bool) {
	for _, l := range later {
		if l.Name == keyword {
			return l, true
		}
	}
	return Later{}, false
}

// CompiledOut lists keywords that exist in Firejail's source but not in
// Debian's build (no overlayfs), so Debian's firejail rejects them.
var CompiledOut = map[string]string{
	"overlay":       "overlayfs",
	"overlay-named": "overlayfs",
	"overlay-tmpfs": "overlayfs",
}

// Conditions are the nine conditional names, in Firejail's matching order.
var Conditions = []string{
	"HAS_APPIMAGE", "HAS_NET", "HAS_NODBUS", "HAS_NOSOUND", "HAS_PRIVATE",
	"HAS_X11", "BROWSER_DISABLE_U2F", "BROWSER_ALLOW_DRM", "ALLOW_TRAY",
}

// MatchCondition applies Firejail's prefix matching: the first condition
// name that is a prefix of text. rest is what follows the matched name.
func MatchCondition(text string) (name, rest string, ok bool) {
	for _, c := range Conditions {
		if len(text) >= len(c) && text[:len(c)] == c {
			return c, text[len(c):], true
		}
	}
	return "", "", false
}

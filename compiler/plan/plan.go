// Package plan is the versioned intermediate form between the language and
// everything downstream (BPF backend, runtime, lint, diff): the effective
// sandbox a profile and its includes describe, with every value resolved and
// every item carrying where it came from. It is data only — it imports no
// part of the language front end, so the minimal runner can link it.
//
// Binding: the plan is compiled for one user. ${HOME}, ~, ${RUNUSER},
// ${CFG} and the XDG directory macros are expanded at compile time and the
// values used are recorded in Bindings. Globs and a leading ${PATH} stay in
// paths and are expanded by the runtime at launch (they depend on the host's
// files and on PATH), following Firejail: ${PATH} becomes one path per
// directory of PATH, each result is globbed.
//
// Encoding is deterministic: struct fields in fixed order, slices in
// profile order or sorted, no maps, so the same inputs give byte-identical
// JSON (see Marshal).
package plan

//go:generate go run ./internal/genschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// Version of the plan format. Consumers refuse other versions.
const Version = 1

// Origin says which line produced an item: the file and line of the
// directive and the include sites that led to it (innermost first).
type Origin struct {
	File  string   `json:"file"`
	Line  int      `json:"line"`
	Col   int      `json:"col,omitempty"`
	Text  string   `json:"text,omitempty"` // the directive as written (normalised)
	Chain []string `json:"chain,omitempty"`
}

func (o Origin) String() string {
	if o.File == "" {
		return "built in"
	}
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}

// Flag is a switch that is on, with the line that turned it on.
type Flag struct {
	Origin Origin `json:"origin"`
}

// Value is a last-wins setting with the lines it replaced.
type Value struct {
	Value      string   `json:"value"`
	Origin     Origin   `json:"origin"`
	Overridden []Origin `json:"overridden,omitempty"`
}

// Item is one element of an accumulated list.
type Item struct {
	Value  string `json:"value"`
	Origin Origin `json:"origin"`
}

// Plan is the whole compiled sandbox.
type Plan struct {
	Version     int         `json:"version"`
	Profile     string      `json:"profile"`
	Bindings    Bindings    `json:"bindings"`
	Files       []string    `json:"files"` // every file read, in first-read order
	Filesystem  Filesystem  `json:"filesystem"`
	Credentials Credentials `json:"credentials"`
	Seccomp     Seccomp     `json:"seccomp"`
	Namespaces  Namespaces  `json:"namespaces"`
	Environment []EnvOp     `json:"environment"`
	Resources   Resources   `json:"resources"`
	Misc        Misc        `json:"misc"`
	Unsupported []Issue     `json:"unsupported"`
	Divergences []Issue     `json:"divergences"`
	Ignored     []IgnoredOp `json:"ignored"`
}

// Bindings are the compile-time values macros were expanded with.
type Bindings struct {
	User       string      `json:"user"`
	UID        int         `json:"uid"`
	Home       string      `json:"home"`
	RunUser    string      `json:"runuser"`
	CFG        string      `json:"cfg"`
	XDG        []XDGDir    `json:"xdg"`
	Config     string      `json:"config"` // firejail.config read, or "defaults"
	Conditions []Condition `json:"conditions"`
}

// XDGDir is the value an XDG macro resolved to ("" when it did not, in which
// case Firejail keeps the macro text and the rule matches nothing).
type XDGDir struct {
	Macro string `json:"macro"`
	Dir   string `json:"dir"`
}

// Condition records a conditional's truth where it was evaluated.
type Condition struct {
	Name   string `json:"name"`
	Value  bool   `json:"value"`
	Origin Origin `json:"origin"`
}

// FSOp is one filesystem entry. Op is the directive (blacklist,
// blacklist-nolog, noblacklist, whitelist, nowhitelist, read-only,
// read-write, noexec, tmpfs, mkdir, mkfile, bind). Path is expanded except
// for globs and a leading ${PATH}; Glob and PathMacro tell the runtime what
// is left to expand. Bind has Path=source and Target=destination.
type FSOp struct {
	Op        string `json:"op" jsonschema:"enum=blacklist,enum=blacklist-nolog,enum=noblacklist,enum=whitelist,enum=nowhitelist,enum=read-only,enum=read-write,enum=noexec,enum=tmpfs,enum=mkdir,enum=mkfile,enum=bind"`
	Path      string `json:"path"`
	Target    string `json:"target,omitempty"`
	Glob      bool   `json:"glob,omitempty"`
	PathMacro bool   `json:"path_macro,omitempty"`
	// Added is set for entries Firejail appends when the sandbox starts
	// (private-cache, disable-mnt, /sys/fs, /sys/module); Origin is then
	// the line that caused them, or empty for the built-in ones.
	Added  bool   `json:"added,omitempty"`
	Origin Origin `json:"origin"`
}

// Filesystem is the filesystem view, in application order: Firejail's
// private-* setup, then the whitelist pass, then the blacklist pass.
type Filesystem struct {
	Private       *Value   `json:"private,omitempty"` // "" for an empty home, else the directory
	PrivateHome   []Item   `json:"private_home"`      // entries directly in the home directory, as names
	PrivateEtc    []Item   `json:"private_etc"`
	PrivateOpt    []Item   `json:"private_opt"`
	PrivateSrv    []Item   `json:"private_srv"`
	PrivateBin    []Item   `json:"private_bin"`
	PrivateLib    []Item   `json:"private_lib"`
	PrivateLibOn  *Flag    `json:"private_lib_on,omitempty"`
	PrivateCwd    *Value   `json:"private_cwd,omitempty"` // "" means the home directory
	Switches      []Switch `json:"switches"`              // private-tmp, private-dev, disable-mnt, writable-*, keep-*, devices...
	WhitelistPass []FSOp   `json:"whitelist_pass"`
	BlacklistPass []FSOp   `json:"blacklist_pass"`
}

// Switch is a named filesystem or device flag that is on.
type Switch struct {
	Name   string `json:"name"`
	Origin Origin `json:"origin"`
}

// Credentials are the user and privileges the program runs with.
type Credentials struct {
	User string `json:"user"`
	UID  int    `json:"uid"`
	// CapsMode is how the capability set was decided: "unchanged",
	// "default-filter" (caps), "keep" (caps.keep), "drop" (caps.drop
	// LIST), "drop-all".
	CapsMode   string   `json:"caps_mode" jsonschema:"enum=unchanged,enum=default-filter,enum=keep,enum=drop,enum=drop-all"`
	CapsOrigin *Origin  `json:"caps_origin,omitempty"`
	Bounding   []string `json:"bounding"` // capabilities kept in the bounding set
	Dropped    []string `json:"dropped"`
	// Ambient are kept across a switch to a non-root user (jailc's answer
	// to daemons that need e.g. net_bind_service without setcap).
	Ambient    []string `json:"ambient"`
	NoNewPrivs *Reason  `json:"no_new_privs,omitempty"`
	NoGroups   *Flag    `json:"no_groups,omitempty"`
	NoRoot     *Flag    `json:"no_root,omitempty"`
}

// Reason is a setting that is on with why.
type Reason struct {
	Why    string `json:"why"`
	Origin Origin `json:"origin"`
}

// Namespaces the sandbox creates.
type Namespaces struct {
	Mount   bool   `json:"mount"`
	PID     bool   `json:"pid"`
	IPC     *Flag  `json:"ipc,omitempty"`
	UTS     *Value `json:"uts_hostname,omitempty"`
	NetNone *Flag  `json:"net_none,omitempty"`
	NetDevs []Item `json:"net_devices"`
	User    *Flag  `json:"user,omitempty"` // noroot
}

// EnvOp sets (Op "set") or removes (Op "unset") a variable, in order.
type EnvOp struct {
	Op     string `json:"op" jsonschema:"enum=set,enum=unset"`
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	Origin Origin `json:"origin"`
}

// Rlimit is one resource limit.
type Rlimit struct {
	Name   string `json:"name" jsonschema:"enum=nofile,enum=nproc,enum=cpu,enum=sigpending,enum=as,enum=fsize"`
	Value  uint64 `json:"value"`
	Origin Origin `json:"origin"`
}

// Resources: limits, scheduling, timeout.
type Resources struct {
	Rlimits []Rlimit `json:"rlimits"`
	CPUs    []int    `json:"cpus"`
	CPUFrom []Origin `json:"cpus_from,omitempty"`
	Nice    *Value   `json:"nice,omitempty"`
	// TimeoutSeconds is 0 when there is no timeout.
	TimeoutSeconds int     `json:"timeout_seconds"`
	TimeoutOrigin  *Origin `json:"timeout_origin,omitempty"`
}

// Misc holds the rest of the language.
type Misc struct {
	Name         *Value   `json:"name,omitempty"`
	JoinOrStart  *Value   `json:"join_or_start,omitempty"`
	MachineID    *Flag    `json:"machine_id,omitempty"`
	Quiet        bool     `json:"quiet"`
	X11          *Value   `json:"x11,omitempty"`
	XephyrScreen *Value   `json:"xephyr_screen,omitempty"`
	DBusUser     *Value   `json:"dbus_user,omitempty"` // "filter" or "none"; absent = allow
	DBusSystem   *Value   `json:"dbus_system,omitempty"`
	DBusRules    []Item   `json:"dbus_rules"` // "dbus-user.talk NAME" etc., in order
	AppArmor     *Value   `json:"apparmor,omitempty"`
	KeepFD       []Item   `json:"keep_fd"`
	HostsFile    *Value   `json:"hosts_file,omitempty"`
	Flags        []Switch `json:"flags"` // deterministic-exit-code, deterministic-shutdown, tab, allusers, allow-debuggers, tracelog, netlock...
	Net          []Item   `json:"net"`   // ip, ip6, iprange, mac, mtu, netmask, defaultgw, dns, veth-name, netfilter, netns as "key value"
}

// Issue is an unsupported feature or a divergence from Firejail.
type Issue struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Origin  Origin `json:"origin"`
}

// IgnoredOp is a line Firejail does not apply in this context, and why.
type IgnoredOp struct {
	Why    string `json:"why" jsonschema:"enum=ignore,enum=condition,enum=config"`
	By     string `json:"by,omitempty"`
	Origin Origin `json:"origin"`
}

// Marshal encodes p deterministically as compact JSON with a final newline
// (plans of large profiles hold thousands of rules; `jailc plan` is the
// view for people).
func Marshal(p *Plan) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Unmarshal decodes a plan and refuses unknown fields and other versions.
// It reads what Marshal writes without encoding/json (see decodeFast) and
// falls back to encoding/json for any other input, so the result and the
// errors are those of json.Decoder with DisallowUnknownFields.
func Unmarshal(data []byte) (*Plan, error) {
	p, ok := decodeFast(data)
	if !ok {
		var err error
		if p, err = decodeStd(data); err != nil {
			return nil, fmt.Errorf("reading plan: %w", err)
		}
	}
	if p.Version != Version {
		return nil, fmt.Errorf("plan version %d is not supported (this build reads version %d); recompile the profile", p.Version, Version)
	}
	return p, nil
}

// decodeStd decodes a plan with encoding/json, refusing unknown fields.
func decodeStd(data []byte) (*Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// WhitelistTop is the directory a whitelist of path p empties before the
// whitelisted paths are bound back, as Firejail 0.9.72 does: the home
// directory for paths inside it, /run/user/UID, /usr/share and /sys/module
// for paths below them, else the first path component; "" when p names no
// directory below a top one. The runtime, jailc why and jailc diff share
// this rule.
func WhitelistTop(p, home string, uid int) string {
	p = path.Clean(p)
	if home != "" && home != "/" && strings.HasPrefix(p, strings.TrimSuffix(home, "/")+"/") {
		return strings.TrimSuffix(home, "/")
	}
	for _, deep := range []string{fmt.Sprintf("/run/user/%d", uid), "/usr/share", "/sys/module"} {
		if strings.HasPrefix(p, deep+"/") {
			return deep
		}
	}
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)
	if len(parts) < 2 || parts[0] == "" {
		return ""
	}
	return "/" + parts[0]
}

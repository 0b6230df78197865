package diff

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
)

// The filesystem is compared path by path. The paths examined are every
// path either plan's rules name (each ${PATH} directory for a ${PATH}
// rule, one representative path for a glob), the whitelist top
// directories, the private-* directories and their entries, and the paths
// the filesystem switches act on. At each, both plans are evaluated the way
// the runtime builds the sandbox (private-* set-up, device switches, the
// read-only system directories, the whitelist pass, the blacklist pass in
// order with noblacklist exemptions) into three aspects:
//
//	view   hidden < empty (a fresh tmpfs) < filtered (only listed
//	       entries) < visible; "replaced" (bind, private DIR) is apart
//	write  read-only or writable (compared when visible on both sides)
//	exec   noexec or not (idem)
//
// A difference at a path that its parent directory shows the same way,
// decided by the same rules, is folded into the parent's entry.

type view int

const (
	hidden view = iota
	empty
	filtered
	replaced
	visible
)

var viewNames = [...]string{"hidden", "empty", "filtered", "replaced", "visible"}

type pathState struct {
	view    view
	viewBy  []plan.Origin
	viewWhy string
	ro      bool
	roBy    []plan.Origin
	noexec  bool
	execBy  []plan.Origin
}

func (s *pathState) set(v view, why string, by ...plan.Origin) {
	s.view, s.viewWhy, s.viewBy = v, why, by
}

func builtin(text string) plan.Origin { return plan.Origin{Text: text} }

// Directories Firejail mounts read-only in every sandbox (runtime
// read-only-system step).
var systemDirs = []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/boot"}

// Directories private-bin replaces (reference §2.2).
var binDirs = []string{"/usr/local/bin", "/usr/bin", "/bin", "/usr/games", "/usr/local/games", "/usr/local/sbin", "/usr/sbin", "/sbin"}

// Device switches and the /dev entries each hides.
var deviceSwitches = []struct {
	name string
	pats []string
}{
	{"nosound", []string{"/dev/snd"}},
	{"no3d", []string{"/dev/dri", "/dev/nvidia*"}},
	{"nodvd", []string{"/dev/sr*", "/dev/cdrom*"}},
	{"notv", []string{"/dev/dvb"}},
	{"novideo", []string{"/dev/video*"}},
	{"noinput", []string{"/dev/input"}},
	{"nou2f", []string{"/dev/hidraw*"}},
}

// Entries of a private /dev: the basic nodes, and the device classes the
// device switches govern (Firejail keeps those unless switched off).
var privateDevKeeps = []string{"null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "fd", "stdin", "stdout", "stderr",
	"snd", "dri", "nvidia*", "sr*", "cdrom*", "dvb", "video*", "input", "hidraw*"}

// Switches whose whole effect is on paths: they are compared through the
// paths they act on, not as switches.
var pathSwitches = map[string][]string{
	"private-tmp":   {"/tmp", "/tmp/.X11-unix"},
	"private-dev":   {"/dev", "/dev/shm"},
	"keep-dev-shm":  {"/dev/shm"},
	"writable-etc":  {"/etc"},
	"writable-var":  {"/var"},
	"keep-var-tmp":  {"/var/tmp"},
	"private-cache": nil, // an added tmpfs rule
	"disable-mnt":   nil, // added blacklist rules
	"nosound":       nil, "no3d": nil, "nodvd": nil, "notv": nil, "novideo": nil, "noinput": nil, "nou2f": nil,
}

// Switches compared as switches: what turning each on in NEW means.
var otherSwitches = map[string]Kind{
	"writable-var-log":  Loosen,  // the real /var/log instead of a private one
	"writable-run-user": Loosen,  // /run/user/UID/systemd and gnupg stay visible
	"allusers":          Loosen,  // every user's home is visible
	"keep-config-pulse": Changed, // PulseAudio configuration is left alone
}

type wlEntry struct {
	pat pattern
	top string
	o   plan.Origin
}

type xop struct {
	op   plan.FSOp
	pats []pattern
}

// fsModel evaluates one plan's filesystem at concrete paths.
type fsModel struct {
	p    *plan.Plan
	home string
	uid  int
	dirs []string
	sw   map[string]plan.Origin
	wl   []wlEntry
	tops map[string]plan.Origin
	ops  []xop
	devs [][]pattern // per deviceSwitches entry
	keep []pattern   // privateDevKeeps under /dev
}

func expand(op plan.FSOp, dirs []string) []string {
	if !op.PathMacro {
		return []string{op.Path}
	}
	rest := strings.TrimPrefix(op.Path, "${PATH}")
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, d+rest)
	}
	return out
}

func newFSModel(p *plan.Plan, dirs []string) *fsModel {
	m := &fsModel{p: p, home: path.Clean(p.Bindings.Home), uid: p.Bindings.UID, dirs: dirs,
		sw: map[string]plan.Origin{}, tops: map[string]plan.Origin{}}
	for _, s := range p.Filesystem.Switches {
		if _, ok := m.sw[s.Name]; !ok {
			m.sw[s.Name] = s.Origin
		}
	}
	excluded := map[string]bool{}
	for _, op := range p.Filesystem.WhitelistPass {
		if op.Op == "nowhitelist" {
			excluded[path.Clean(op.Path)] = true
			continue
		}
		for _, raw := range expand(op, dirs) {
			q := compilePattern(raw)
			if excluded[q.clean] {
				continue
			}
			top := plan.WhitelistTop(representative(q.clean), m.home, m.uid)
			if top == "" {
				continue // the runtime refuses it
			}
			if _, ok := m.tops[top]; !ok {
				m.tops[top] = op.Origin
			}
			m.wl = append(m.wl, wlEntry{q, top, op.Origin})
		}
	}
	for _, op := range p.Filesystem.BlacklistPass {
		x := xop{op: op}
		for _, raw := range expand(op, dirs) {
			x.pats = append(x.pats, compilePattern(raw))
		}
		if op.Op == "bind" {
			x.pats = []pattern{compilePattern(op.Target)}
		}
		m.ops = append(m.ops, x)
	}
	for _, d := range deviceSwitches {
		var ps []pattern
		for _, s := range d.pats {
			ps = append(ps, compilePattern(s))
		}
		m.devs = append(m.devs, ps)
	}
	for _, k := range privateDevKeeps {
		m.keep = append(m.keep, compilePattern("/dev/"+k))
	}
	return m
}

// homeItem turns a private-home entry into a path.
func (m *fsModel) homeItem(v string) string {
	v = strings.TrimPrefix(v, "${HOME}/")
	v = strings.TrimPrefix(v, m.home+"/")
	return path.Join(m.home, v)
}

func (m *fsModel) privateHome() (*plan.Origin, bool) {
	fs := m.p.Filesystem
	if fs.Private != nil {
		return &fs.Private.Origin, true
	}
	if len(fs.PrivateHome) > 0 {
		return &fs.PrivateHome[0].Origin, true
	}
	return nil, false
}

type privList struct {
	dir   string
	name  string
	items []plan.Item
}

func (m *fsModel) privLists() []privList {
	fs := m.p.Filesystem
	return []privList{{"/etc", "private-etc", fs.PrivateEtc}, {"/opt", "private-opt", fs.PrivateOpt}, {"/srv", "private-srv", fs.PrivateSrv}}
}

// candidates adds the paths this plan's rules name; form records a
// ${PATH} rule's text for the paths it expands to.
func (m *fsModel) candidates(add func(p, form string)) {
	fs := m.p.Filesystem
	addOp := func(op plan.FSOp) {
		for _, raw := range expand(op, m.dirs) {
			form := ""
			if op.PathMacro {
				form = op.Path
			}
			add(representative(path.Clean(raw)), form)
		}
	}
	for _, op := range fs.WhitelistPass {
		addOp(op)
	}
	for top := range m.tops {
		add(top, "")
	}
	for _, op := range fs.BlacklistPass {
		if op.Op == "bind" {
			add(path.Clean(op.Target), "")
			continue
		}
		addOp(op)
	}
	if _, ok := m.privateHome(); ok {
		add(m.home, "")
		add("/root", "")
		for _, it := range fs.PrivateHome {
			add(representative(m.homeItem(it.Value)), "")
		}
	}
	for _, l := range m.privLists() {
		if len(l.items) == 0 {
			continue
		}
		add(l.dir, "")
		for _, it := range l.items {
			add(representative(path.Join(l.dir, it.Value)), "")
		}
	}
	if len(fs.PrivateBin) > 0 {
		for _, d := range binDirs {
			add(d, "")
		}
		for _, it := range fs.PrivateBin {
			add(representative(path.Join("/usr/bin", path.Base(it.Value))), "")
		}
	}
	for name := range m.sw {
		for _, p := range pathSwitches[name] {
			add(p, "")
		}
	}
	for i, d := range deviceSwitches {
		if _, on := m.sw[d.name]; on {
			for _, q := range m.devs[i] {
				add(q.clean, "")
			}
		}
	}
}

// state evaluates the plan at p, in the runtime's order.
func (m *fsModel) state(p string) pathState {
	st := pathState{view: visible}
	fs := m.p.Filesystem

	// private-dev: a minimal /dev.
	if o, ok := m.sw["private-dev"]; ok && under(p, "/dev") {
		kept := false
		for _, q := range m.keep {
			if _, ok := q.covers(p); ok {
				kept = true
			}
		}
		switch {
		case p == "/dev":
			st.set(filtered, "private-dev builds a minimal /dev", o)
		case under(p, "/dev/shm"):
			if ks, ok := m.sw["keep-dev-shm"]; ok {
				st.set(visible, "keep-dev-shm keeps the real /dev/shm", ks)
			} else if p == "/dev/shm" {
				st.set(empty, "private-dev gives an empty /dev/shm", o)
			} else {
				st.set(hidden, "private-dev gives an empty /dev/shm", o)
			}
		case !kept:
			st.set(hidden, "private-dev keeps only the basic device nodes", o)
		}
	}
	// private-tmp: an empty /tmp that keeps the X11 sockets, read-only.
	if o, ok := m.sw["private-tmp"]; ok && under(p, "/tmp") {
		switch {
		case p == "/tmp":
			st.set(empty, "private-tmp mounts an empty /tmp", o)
		case under(p, "/tmp/.X11-unix"):
			st.ro, st.roBy = true, []plan.Origin{o}
		default:
			st.set(hidden, "private-tmp mounts an empty /tmp", o)
		}
	}
	// private, private DIR, private-home.
	if o, ok := m.privateHome(); ok {
		if fs.Private != nil && fs.Private.Value != "" {
			if under(p, m.home) {
				st.set(replaced, "private uses "+fs.Private.Value+" as the home directory", *o)
			}
		} else {
			if under(p, m.home) {
				m.privateItems(&st, p, m.home, "private-home", fs.PrivateHome, o, func(v string) string { return m.homeItem(v) })
			}
			if m.home != "/root" && under(p, "/root") {
				if p == "/root" {
					st.set(empty, "private mounts an empty /root", *o)
				} else {
					st.set(hidden, "private mounts an empty /root", *o)
				}
			}
		}
	}
	// private-etc, private-opt, private-srv.
	for _, l := range m.privLists() {
		if len(l.items) > 0 && under(p, l.dir) {
			dir := l.dir
			m.privateItems(&st, p, dir, l.name, l.items, &l.items[0].Origin, func(v string) string { return path.Join(dir, v) })
		}
	}
	// private-bin: one directory with the listed programs over every bin
	// directory.
	if items := fs.PrivateBin; len(items) > 0 {
		for _, d := range binDirs {
			if !under(p, d) {
				continue
			}
			if p == d {
				st.set(filtered, "private-bin keeps only the listed programs", items[0].Origin)
				break
			}
			name := strings.SplitN(strings.TrimPrefix(p, d+"/"), "/", 2)[0]
			var by *plan.Origin
			for i, it := range items {
				if fnmatch(path.Base(it.Value), name) {
					by = &items[i].Origin
					break
				}
			}
			if by != nil {
				st.set(visible, "listed by private-bin", *by)
			} else {
				st.set(hidden, "private-bin keeps only the listed programs", items[0].Origin)
			}
			break
		}
	}
	// Device switches.
	for i, d := range deviceSwitches {
		o, on := m.sw[d.name]
		if !on || st.view == hidden {
			continue
		}
		for _, q := range m.devs[i] {
			if _, ok := q.covers(p); ok {
				st.set(hidden, d.name+" hides these device nodes", o)
			}
		}
	}
	// Read-only system directories, /etc and /var, and a private /var/tmp.
	for _, d := range systemDirs {
		if under(p, d) {
			st.ro, st.roBy = true, []plan.Origin{builtin("Firejail mounts system directories read-only")}
		}
	}
	for _, x := range []struct{ dir, sw string }{{"/etc", "writable-etc"}, {"/var", "writable-var"}} {
		if !under(p, x.dir) {
			continue
		}
		if o, ok := m.sw[x.sw]; ok {
			st.ro, st.roBy = false, []plan.Origin{o}
		} else {
			st.ro, st.roBy = true, []plan.Origin{builtin(fmt.Sprintf("Firejail mounts %s read-only unless %s", x.dir, x.sw))}
		}
	}
	if under(p, "/var/tmp") && st.view != hidden {
		if o, ok := m.sw["keep-var-tmp"]; ok {
			st.set(st.view, "keep-var-tmp keeps the real /var/tmp", o)
		} else {
			v := hidden
			if p == "/var/tmp" {
				v = empty
			}
			st.set(v, "Firejail mounts an empty /var/tmp unless keep-var-tmp", builtin("Firejail mounts an empty /var/tmp unless keep-var-tmp"))
			st.ro, st.roBy = false, st.viewBy
		}
	}
	m.whitelist(&st, p)
	m.blacklist(&st, p)
	return st
}

// privateItems applies a "keep only these entries of dir" list.
func (m *fsModel) privateItems(st *pathState, p, dir, name string, items []plan.Item, first *plan.Origin, itemPath func(string) string) {
	if p == dir {
		if len(items) == 0 {
			st.set(empty, "private mounts an empty home directory", *first)
		} else {
			st.set(filtered, name+" keeps only the listed entries", *first)
		}
		return
	}
	for _, it := range items {
		q := compilePattern(itemPath(it.Value))
		if _, ok := q.covers(p); ok {
			st.set(visible, "listed by "+name, it.Origin)
			return
		}
	}
	for _, it := range items {
		if under(representative(itemPath(it.Value)), p) {
			st.set(filtered, name+" keeps only the listed entries", it.Origin)
			return
		}
	}
	why := name + " keeps only the listed entries"
	if len(items) == 0 {
		why = "private mounts an empty home directory"
	}
	st.set(hidden, why, *first)
}

// whitelist applies the whitelist pass: each top directory is emptied and
// the whitelisted paths are bound back.
func (m *fsModel) whitelist(st *pathState, p string) {
	var top string
	for t := range m.tops {
		if under(p, t) && len(t) > len(top) {
			top = t
		}
	}
	if top == "" {
		return
	}
	o := m.tops[top]
	if p == top {
		if st.view != hidden {
			st.set(filtered, "the whitelist pass empties "+top+" and binds back the whitelisted paths", o)
		}
		return
	}
	for _, e := range m.wl {
		if e.top != top {
			continue
		}
		if a, ok := e.pat.covers(p); ok && a != top {
			if st.view != hidden {
				st.viewBy = append([]plan.Origin{e.o}, st.viewBy...)
				if st.viewWhy == "" {
					st.viewWhy = "whitelisted"
				}
			}
			return
		}
	}
	for _, e := range m.wl {
		if e.top == top && under(representative(e.pat.clean), p) {
			if st.view != hidden {
				st.set(filtered, "the whitelist pass keeps only the whitelisted paths below it", e.o)
			}
			return
		}
	}
	st.set(hidden, "the whitelist pass empties "+top+" and no whitelist covers it", o)
}

// blacklist applies the blacklist pass in order.
func (m *fsModel) blacklist(st *pathState, p string) {
	type nb struct {
		raw string
		o   plan.Origin
	}
	var exempt []nb
	var exemptBy []plan.Origin
	for _, x := range m.ops {
		op := x.op
		switch op.Op {
		case "noblacklist":
			for _, q := range x.pats {
				exempt = append(exempt, nb{q.raw, op.Origin})
			}
		case "blacklist", "blacklist-nolog":
			if st.view == hidden {
				continue
			}
			for _, q := range x.pats {
				a, ok := q.covers(p)
				if !ok {
					continue
				}
				result := q.raw // an exact path is compared as written
				if q.meta {
					result = a // a glob is compared by what it expands to
				}
				var by *plan.Origin
				for i := range exempt {
					if fnmatch(exempt[i].raw, result) {
						by = &exempt[i].o
						break
					}
				}
				if by != nil {
					exemptBy = appendOrigin(exemptBy, *by)
					exemptBy = appendOrigin(exemptBy, op.Origin)
					continue
				}
				why := "blacklisted"
				if a != p {
					why = "blacklisting " + a + " hides it"
				}
				if op.Added && op.Origin.File == "" {
					op.Origin.Text = "Firejail hides " + op.Path + " in every sandbox"
				}
				st.set(hidden, why, op.Origin)
				break
			}
		case "read-only", "read-write":
			if st.view == hidden {
				continue
			}
			for _, q := range x.pats {
				if _, ok := q.covers(p); ok {
					st.ro, st.roBy = op.Op == "read-only", []plan.Origin{op.Origin}
					break
				}
			}
		case "noexec":
			if st.view == hidden {
				continue
			}
			for _, q := range x.pats {
				if _, ok := q.covers(p); ok {
					st.noexec, st.execBy = true, []plan.Origin{op.Origin}
					break
				}
			}
		case "tmpfs":
			if st.view == hidden {
				continue
			}
			for _, q := range x.pats {
				a, ok := q.covers(p)
				if !ok {
					continue
				}
				if a == p {
					st.set(empty, "tmpfs mounts an empty directory on it", op.Origin)
					st.ro, st.roBy = false, []plan.Origin{op.Origin}
					st.noexec, st.execBy = false, []plan.Origin{op.Origin}
				} else {
					st.set(hidden, "tmpfs on "+a+" replaces it with an empty directory", op.Origin)
				}
				break
			}
		case "bind":
			if st.view != hidden && x.pats[0].clean != "" && under(p, x.pats[0].clean) {
				st.set(replaced, "bind mounts "+op.Path+" over "+op.Target, op.Origin)
			}
		}
	}
	if st.view != hidden && len(exemptBy) > 0 {
		st.viewBy = append(st.viewBy, exemptBy...)
		if st.viewWhy == "" {
			st.viewWhy = "noblacklist exempts it from a blacklist"
		}
	}
}

// viewKind classifies a change of view.
func viewKind(o, n view) Kind {
	switch {
	case o == replaced && n == hidden:
		return Tighten
	case o == hidden && n == replaced:
		return Loosen
	case o == replaced || n == replaced:
		return Changed
	case n > o:
		return Loosen
	}
	return Tighten
}

func attrs(s pathState) string {
	var a []string
	if s.ro {
		a = append(a, "read-only")
	}
	if s.noexec {
		a = append(a, "noexec")
	}
	if len(a) == 0 {
		return ""
	}
	return " (" + strings.Join(a, ", ") + ")"
}

func (d *differ) filesystem() {
	om, nm := newFSModel(d.old, d.opts.PathDirs), newFSModel(d.new, d.opts.PathDirs)
	forms := map[string]string{}
	add := func(p, form string) {
		if !strings.HasPrefix(p, "/") {
			return
		}
		if f, ok := forms[p]; !ok || (f == "" && form != "") {
			forms[p] = form
		}
	}
	om.candidates(add)
	nm.candidates(add)
	paths := make([]string, 0, len(forms))
	for p := range forms {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var out []Change
	for _, p := range paths {
		so, sn := om.state(p), nm.state(p)
		if so.view != sn.view {
			os, ns := viewNames[so.view], viewNames[sn.view]
			if so.view == hidden {
				ns += attrs(sn)
			}
			if sn.view == hidden {
				os += attrs(so)
			}
			out = append(out, Change{Kind: viewKind(so.view, sn.view), Area: "filesystem", Subject: p, Aspect: "view",
				Old: Side{State: os, Detail: so.viewWhy, Origins: so.viewBy},
				New: Side{State: ns, Detail: sn.viewWhy, Origins: sn.viewBy}})
		}
		if so.view == hidden || sn.view == hidden {
			continue
		}
		// A restriction (read-only, noexec) gained tightens; lost, loosens.
		restriction := func(aspect string, o, n bool, on, off string, ob, nb []plan.Origin) {
			if o == n {
				return
			}
			k, state := Loosen, func(b bool) string {
				if b {
					return on
				}
				return off
			}
			if n {
				k = Tighten
			}
			out = append(out, Change{Kind: k, Area: "filesystem", Subject: p, Aspect: aspect,
				Old: Side{State: state(o), Origins: ob}, New: Side{State: state(n), Origins: nb}})
		}
		restriction("write", so.ro, sn.ro, "read-only", "writable", so.roBy, sn.roBy)
		restriction("exec", so.noexec, sn.noexec, "noexec", "exec", so.execBy, sn.execBy)
	}
	out = foldPaths(out)
	out = groupPathForms(out, forms)
	d.out = append(d.out, out...)

	// The rest of the filesystem section that is not a path.
	fo, fn := d.old.Filesystem, d.new.Filesystem
	d.switches(fo.Switches, fn.Switches)
	d.flag("filesystem", "private-lib", flagOrigin(fo.PrivateLibOn), flagOrigin(fn.PrivateLibOn), Tighten, "on", "off")
	if fo.PrivateLibOn != nil && fn.PrivateLibOn != nil {
		d.itemSet("filesystem", "private-lib entries", fo.PrivateLib, fn.PrivateLib, Loosen, "listed", "not listed")
	}
	d.value("filesystem", "private-cwd", fo.PrivateCwd, fn.PrivateCwd, Changed, "unchanged")
}

// changeSig identifies a change for folding: kind, aspect, the two states
// (for views without the attributes noted on the visible side) and the
// rules on each side.
func changeSig(c Change) string {
	o, n := c.Old.State, c.New.State
	if c.Aspect == "view" {
		o, _, _ = strings.Cut(o, " (")
		n, _, _ = strings.Cut(n, " (")
	}
	return strings.Join([]string{string(c.Kind), c.Aspect, o, n, originsKey(c.Old.Origins), originsKey(c.New.Origins)}, "\x00")
}

// foldPaths merges a path's change into its nearest parent directory's
// change when both are the same change by the same rules. in is sorted by
// path.
func foldPaths(in []Change) []Change {
	var out []Change
	at := map[string]int{} // sig + path -> index in out
	for _, c := range in {
		sig := changeSig(c)
		folded := false
		for _, a := range ancestors(c.Subject)[1:] {
			if i, ok := at[sig+"\x00"+a]; ok {
				out[i].Items = append(out[i].Items, c.Subject)
				folded = true
				break
			}
		}
		if !folded {
			at[sig+"\x00"+c.Subject] = len(out)
			out = append(out, c)
		}
	}
	return out
}

// groupPathForms shows the paths a ${PATH} rule expands to as one entry
// when they changed the same way.
func groupPathForms(in []Change, forms map[string]string) []Change {
	groups := map[string][]int{}
	for i, c := range in {
		if f := forms[c.Subject]; f != "" {
			k := f + "\x00" + changeSig(c)
			groups[k] = append(groups[k], i)
		}
	}
	drop := map[int]bool{}
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		first := &in[idx[0]]
		items := []string{first.Subject}
		items = append(items, first.Items...)
		for _, i := range idx[1:] {
			items = append(items, in[i].Subject)
			items = append(items, in[i].Items...)
			drop[i] = true
		}
		first.Subject = forms[first.Subject]
		first.Items = items
	}
	var out []Change
	for i, c := range in {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out
}

// switches compares the filesystem switches that are not compared through
// paths.
func (d *differ) switches(old, new []plan.Switch) {
	d.switchSet("filesystem", old, new, otherSwitches, func(n string) bool {
		_, ok := pathSwitches[n]
		return ok
	})
}

package format

import (
	"container/heap"
	"path"
	"strings"

	"golang.org/x/text/cases"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/directive"
)

// Template sections (Firejail's etc/templates/profile.template), in order.
const (
	rNone         = -1
	rLocal        = iota - 1 // quiet, include X.local, include globals.local
	rIgnore                  // ignore
	rNoblacklist             // noblacklist
	rAllowInc                // include allow-*.inc
	rBlacklist               // blacklist, blacklist-nolog
	rDisableInc              // include disable-*.inc
	rNowhitelist             // nowhitelist
	rMkdir                   // mkdir, mkfile
	rWhitelist               // whitelist, whitelist-ro
	rWhitelistInc            // include whitelist-*.inc
	rOptions                 // caps*, net*, no*, protocol, seccomp*, tracelog, x11 ...
	rPrivate                 // disable-mnt, private-*, writable-*
	rDBus                    // dbus-user*, dbus-system*
	rSpecial                 // env, memory-deny-write-execute, noexec, read-only, restrict-namespaces ...
	rRedirect                // any other include
)

// specialByTemplate: keywords the profile template (and the stock
// profiles) put in the special-options section although lang/directive
// files them under options.
var specialByTemplate = map[string]bool{
	"env": true, "rmenv": true, "restrict-namespaces": true,
	"deterministic-shutdown": true, "deterministic-exit-code": true,
}

var sectionRank = map[directive.Section]int{
	directive.SecIgnore:      rIgnore,
	directive.SecNoblacklist: rNoblacklist,
	directive.SecBlacklist:   rBlacklist,
	directive.SecNowhitelist: rNowhitelist,
	directive.SecMkdir:       rMkdir,
	directive.SecWhitelist:   rWhitelist,
	directive.SecOptions:     rOptions,
	directive.SecPrivate:     rPrivate,
	directive.SecDBus:        rDBus,
	directive.SecSpecial:     rSpecial,
}

func rankOf(l *ast.Line, condsOK bool) int {
	c := l.Cmd
	if c == nil {
		return rNone
	}
	switch c.Keyword {
	case "include":
		base := path.Base(c.Arg)
		switch {
		case strings.HasSuffix(base, ".local"):
			return rLocal
		case strings.HasPrefix(base, "allow-") && strings.HasSuffix(base, ".inc"):
			return rAllowInc
		case strings.HasPrefix(base, "disable-") && strings.HasSuffix(base, ".inc"):
			return rDisableInc
		case strings.HasPrefix(base, "whitelist-") && strings.HasSuffix(base, ".inc"):
			return rWhitelistInc
		}
		return rRedirect
	case "quiet":
		return rLocal
	}
	if specialByTemplate[c.Keyword] {
		return rSpecial
	}
	spec, ok := directive.Lookup(c.Keyword)
	if !ok {
		return rNone
	}
	if r, ok := sectionRank[spec.Section]; ok {
		return r
	}
	return rNone
}

// facts are what decides whether two lines interact.
type facts struct {
	barrier bool   // nothing moves across this line
	kw      string // keyword of the command (after conditionals)
	body    string // command text, as ignore compares it
	ignore  string // for `ignore X`: X
	isIgn   bool
	conds   []string // conditions the line depends on
	sets    []string // conditions whose truth this line can change
	group   string   // lines of one group keep their order (last-wins, env, network...)
	algebra bool     // a list-algebra line with `-` or `=` items
	// Filesystem entry passes (reference §6.1) and the line's role in them.
	white, black string
	mkdir        bool
	// checksFS: Firejail looks at the host filesystem while reading the
	// line (private DIR, private-home, hosts-file, netfilter files), so
	// it must not move across a mkdir or mkfile, which creates paths on
	// the host as it is read.
	checksFS bool
	// usesPATH: the argument starts with ${PATH}; setsPATH: env or rmenv
	// of PATH, which ${PATH} reads (reference §4, "earlier env PATH=
	// lines").
	usesPATH, setsPATH bool
	// bus: the D-Bus policy a line sets ("user", "system"; "both" for
	// nodbus). Each bus's policy is last-wins with a sticky none.
	bus string
}

// Roles in the blacklist pass and the whitelist pass.
const (
	roleNoblacklist = "noblacklist"
	roleBlacklist   = "blacklist"
	roleNowhitelist = "nowhitelist"
	roleOther       = "other"
)

// groupOf: lines of one group must keep their relative order.
var groupOf = map[string]string{
	"caps.drop": "caps-list", "caps.keep": "caps-list", // one shared list text (reference §2.3)
	"apparmor": "apparmor", "apparmor-replace": "apparmor", "apparmor-stack": "apparmor",
	"private": "private", "private-home": "private",
	"env": "env", "rmenv": "env",
	"net": "net", "dns": "net", // net none clears earlier devices; per-device options follow the last net
}

// conditionSetters: the keywords whose lines decide a conditional's truth
// for later lines (reference §3).
var conditionSetters = map[string][]string{
	"net":          {"HAS_NET"},
	"nodbus":       {"HAS_NODBUS"},
	"dbus-user":    {"HAS_NODBUS"},
	"dbus-system":  {"HAS_NODBUS"},
	"nosound":      {"HAS_NOSOUND"},
	"private":      {"HAS_PRIVATE"},
	"private-home": {"HAS_PRIVATE"},
	"x11":          {"HAS_X11"},
}

func factsOf(l *ast.Line, condsOK bool) facts {
	var f facts
	c := l.Cmd
	if c == nil || !condsOK {
		f.barrier = true
		return f
	}
	for _, cd := range l.Conds {
		f.conds = append(f.conds, cd.Name)
	}
	f.kw, f.body = c.Keyword, c.Text
	spec, ok := directive.Lookup(c.Keyword)
	switch {
	case !ok, spec.Repeat == directive.Action, c.Keyword == "quiet", c.Keyword == "x11":
		// Unknown lines, include, join-or-start and x11 (which acts as it
		// is read), quiet (decides Firejail's banner).
		f.barrier = true
		return f
	}
	if c.Keyword == "ignore" {
		f.isIgn, f.ignore = true, c.Arg
	}
	f.sets = conditionSetters[c.Keyword]
	if c.Keyword == "env" || c.Keyword == "rmenv" {
		switch envName(c.Arg) {
		case "FIREJAIL_X11":
			f.sets = []string{"HAS_X11"}
		case "PATH":
			f.setsPATH = true
		}
	}
	f.usesPATH = strings.HasPrefix(c.Arg, "${PATH}")
	switch c.Keyword {
	case "dbus-user":
		f.bus = "user"
	case "dbus-system":
		f.bus = "system"
	case "nodbus":
		f.bus = "both"
	}
	switch c.Keyword {
	case "private", "private-home", "private-cwd", "hosts-file", "netfilter", "netfilter6", "whitelist", "nowhitelist":
		f.checksFS = c.HasArg
	}
	switch {
	case groupOf[c.Keyword] != "":
		f.group = groupOf[c.Keyword]
	case spec.Network:
		f.group = "net"
	case spec.Repeat == directive.Last:
		f.group = c.Keyword
	}
	switch c.Keyword {
	case "protocol", "restrict-namespaces", "keep-fd":
		for _, it := range strings.Split(c.Arg, ",") {
			if strings.HasPrefix(it, "-") || strings.HasPrefix(it, "=") {
				f.algebra = true
			}
		}
	}
	switch c.Keyword {
	case "noblacklist":
		f.black = roleNoblacklist
	case "blacklist", "blacklist-nolog", "noprinters":
		f.black = roleBlacklist
	case "read-only", "read-write", "noexec", "tmpfs", "bind":
		f.black = roleOther
	case "mkdir", "mkfile":
		f.black, f.mkdir = roleOther, true
	case "whitelist":
		f.white = roleOther
	case "nowhitelist":
		f.white = roleNowhitelist
	case "whitelist-ro":
		f.white, f.black = roleOther, roleOther
	}
	return f
}

func envName(arg string) string {
	name, _, _ := strings.Cut(arg, "=")
	return name
}

// interacts reports whether swapping two lines could change what Firejail
// does. It is symmetric and depends only on the two lines.
func interacts(a, b *facts) bool {
	switch {
	case a.barrier || b.barrier:
		return true
	case a.isIgn && ignoreMatches(a.ignore, b.body), b.isIgn && ignoreMatches(b.ignore, a.body):
		return true
	case decides(a, b), decides(b, a):
		return true
	case a.group != "" && a.group == b.group:
		return true
	case a.kw == b.kw && (a.algebra || b.algebra):
		return true
	case passInteract(a.black, b.black, roleNoblacklist), passInteract(a.white, b.white, roleNowhitelist):
		return true
	case a.mkdir && (b.white != "" || b.checksFS), b.mkdir && (a.white != "" || a.checksFS):
		return true
	case a.setsPATH && b.usesPATH, b.setsPATH && a.usesPATH:
		return true
	case a.bus != "" && b.bus != "" && (a.bus == b.bus || a.bus == "both" || b.bus == "both"):
		return true
	}
	return false
}

// decides: a line of b depends on a conditional that a can change.
func decides(a, b *facts) bool {
	for _, s := range a.sets {
		for _, c := range b.conds {
			if c == s {
				return true
			}
		}
	}
	return false
}

// passInteract: two lines of one filesystem pass keep their order, except
// two exemptions (noblacklist, nowhitelist), which only collect patterns,
// and a noblacklist next to anything but a blacklist, which it does not
// affect (reference §6.2, §6.3).
func passInteract(x, y, exempt string) bool {
	switch {
	case x == "" || y == "":
		return false
	case x == exempt && y == exempt:
		return false
	case exempt == roleNoblacklist && (x == roleNoblacklist || y == roleNoblacklist):
		return x == roleBlacklist || y == roleBlacklist
	}
	return true
}

// order sets d.out. Barriers stay where they are, and so does the pinned
// part (the first paragraph up to the first barrier, when a comment block
// sits on it: the file's opening comment stays on top, over the same
// lines); each run of lines between them is reordered on its own.
func order(d *doc) {
	items := d.items
	firstOf := map[*para]int{}
	for _, it := range items {
		if _, ok := firstOf[it.para]; !ok {
			firstOf[it.para] = it.idx
		}
	}
	// The pinned part: the first paragraph's lines up to the first barrier.
	stay := make([]bool, len(items))
	for i, it := range items {
		if it.f.barrier || !it.para.pinned {
			break
		}
		stay[i] = true
	}
	d.out = make([]*item, 0, len(items))
	start := 0
	for i := 0; i <= len(items); i++ {
		if i < len(items) && !items[i].f.barrier && (i == start || stay[i] == stay[i-1]) {
			continue
		}
		markCohesive(items[start:i], firstOf)
		// The run right after the pinned part is ranked as if the pinned
		// lines were in it, as they are once they are no longer pinned.
		var before []*item
		if start > 0 && start < len(items) && stay[start-1] && !stay[start] {
			before = items[:start]
		}
		d.out = append(d.out, sortRun(items[start:i], before)...)
		start = i
		if i < len(items) && items[i].f.barrier {
			it := items[i]
			it.eff = it.rank
			d.out = append(d.out, it)
			start = i + 1
		}
	}
}

// markCohesive marks the parts of paragraphs in a run that move as a
// whole: the part that holds the paragraph's first line when its heading
// comment sits right on top of it (the comment keeps describing the lines
// under it), and a part that holds commented-out commands (sorted among
// its lines). A paragraph cut by a barrier is judged part by part, so each
// part is treated the same way once formatting has separated them.
func markCohesive(run []*item, firstOf map[*para]int) {
	first := map[*para]bool{}
	pseudo := map[*para]bool{}
	for i, it := range run {
		if it.pseudo {
			pseudo[it.para] = true
		}
		if i == 0 || run[i-1].para != it.para {
			first[it.para] = firstOf[it.para] == it.idx
		}
	}
	for _, it := range run {
		it.cohesive = pseudo[it.para] || first[it.para] && it.para.headed()
	}
}

// A node is what moves: one line, or a cohesive paragraph (one whose
// heading comment sits right on top of it), which moves as a whole so that
// the comment keeps describing the lines under it.
type node struct {
	items []*item // in output order
	first int     // input position of the first line
	rank  int     // effective section
	para  int
	key   string
	text  string
}

// sortRun orders a run of movable lines: the smallest order by (effective
// section, paragraph, sort key, text, input position) that keeps every
// interacting pair in input order (greedy topological sort; a run sorted
// once sorts to itself, which makes formatting idempotent). A line's
// effective section is the latest section among itself and the lines it
// must follow: a line held back by a later-section line counts as part of
// that section, so it does not pull other lines over it.
func sortRun(run, before []*item) []*item {
	n := len(run)
	if n == 0 {
		return nil
	}
	dep := make([][]bool, n) // dep[i][j], i < j: j must stay after i
	for i := range dep {
		dep[i] = make([]bool, n)
		for j := i + 1; j < n; j++ {
			dep[i][j] = interacts(&run[i].f, &run[j].f)
		}
	}
	// Nodes, in input order.
	var nodes []*node
	owner := make([]int, n)
	for i := 0; i < n; {
		j := i + 1
		if run[i].cohesive {
			for j < n && run[j].para == run[i].para {
				j++
			}
		}
		owner[i] = len(nodes)
		for k := i; k < j; k++ {
			owner[k] = len(nodes)
		}
		nd := &node{first: i, para: run[i].para.idx}
		idx := make([]int, 0, j-i)
		for k := i; k < j; k++ {
			idx = append(idx, k)
		}
		for _, k := range greedy(idx, dep, func(a, b int) bool { return lineBefore(run[a], run[b], run[a].rank, run[b].rank) }) {
			nd.items = append(nd.items, run[k])
		}
		// A node is ranked and keyed by its real lines: a commented-out
		// command sorted to the top of a paragraph reads as part of its
		// heading once printed, and must not decide where it goes.
		real := make([]*item, 0, len(nd.items))
		for _, it := range nd.items {
			if !it.pseudo {
				real = append(real, it)
			}
		}
		if len(real) == 0 {
			real = nd.items
		}
		nd.key, nd.text = real[0].key, real[0].text
		nd.rank = real[0].rank
		for _, it := range real {
			nd.rank = min(nd.rank, it.rank)
		}
		nodes = append(nodes, nd)
		i = j
	}
	m := len(nodes)
	ndep := make([][]bool, m)
	for a := range ndep {
		ndep[a] = make([]bool, m)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if dep[i][j] && owner[i] != owner[j] {
				ndep[owner[i]][owner[j]] = true
			}
		}
	}
	for b := 0; b < m; b++ {
		for a := 0; a < b; a++ {
			if ndep[a][b] {
				nodes[b].rank = max(nodes[b].rank, nodes[a].rank)
			}
		}
		for _, x := range before {
			for _, it := range nodes[b].items {
				if interacts(&x.f, &it.f) {
					nodes[b].rank = max(nodes[b].rank, x.nodeRank)
				}
			}
		}
		for _, it := range nodes[b].items {
			it.nodeRank = nodes[b].rank
		}
		for _, it := range nodes[b].items {
			it.eff = max(nodes[b].rank, it.rank)
		}
		if len(nodes[b].items) == 1 {
			nodes[b].items[0].eff = nodes[b].rank
		}
	}
	idx := make([]int, m)
	for a := range idx {
		idx[a] = a
	}
	out := make([]*item, 0, n)
	for _, a := range greedy(idx, ndep, func(a, b int) bool { return nodeBefore(nodes[a], nodes[b]) }) {
		out = append(out, nodes[a].items...)
	}
	return out
}

// greedy is Kahn's topological sort of the given vertices (in input
// order), always taking the smallest ready vertex by less.
func greedy(vs []int, dep [][]bool, less func(a, b int) bool) []int {
	n := len(vs)
	indeg := make([]int, n)
	for x := 0; x < n; x++ {
		for y := x + 1; y < n; y++ {
			if dep[vs[x]][vs[y]] {
				indeg[y]++
			}
		}
	}
	h := &readyHeap{less: func(x, y int) bool { return less(vs[x], vs[y]) }}
	for x := 0; x < n; x++ {
		if indeg[x] == 0 {
			heap.Push(h, x)
		}
	}
	out := make([]int, 0, n)
	for h.Len() > 0 {
		x := heap.Pop(h).(int)
		out = append(out, vs[x])
		for y := x + 1; y < n; y++ {
			if dep[vs[x]][vs[y]] {
				if indeg[y]--; indeg[y] == 0 {
					heap.Push(h, y)
				}
			}
		}
	}
	return out
}

type readyHeap struct {
	less func(x, y int) bool
	idx  []int
}

func (h *readyHeap) Len() int           { return len(h.idx) }
func (h *readyHeap) Less(i, j int) bool { return h.less(h.idx[i], h.idx[j]) }
func (h *readyHeap) Swap(i, j int)      { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *readyHeap) Push(x any)         { h.idx = append(h.idx, x.(int)) }
func (h *readyHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

// lineBefore orders two lines of one paragraph: section, sort key, text,
// input position.
func lineBefore(a, b *item, ra, rb int) bool {
	if ra != rb {
		return ra < rb
	}
	if a.key != b.key {
		return a.key < b.key
	}
	if a.text != b.text {
		return a.text < b.text
	}
	return a.idx < b.idx
}

// nodeBefore: effective section, then paragraph (paragraphs keep their
// order), then the first line's sort key, text and input position.
func nodeBefore(a, b *node) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	if a.para != b.para {
		return a.para < b.para
	}
	if a.key != b.key {
		return a.key < b.key
	}
	if a.text != b.text {
		return a.text < b.text
	}
	return a.first < b.first
}

// sortKey: alphabetical, case-insensitive as sort.py and the stock
// profiles sort, by command text with conditionals aside (the stock
// profiles sort `?ALLOW_TRAY: dbus-user.talk X` among the other talks).
// The D-Bus section follows the template instead: session bus before system
// bus, each policy line before its rules.
func sortKey(it *item) string {
	body := cases.Fold().String(it.body)
	if it.rank != rDBus {
		return body
	}
	bus, policy := "1", "1"
	switch {
	case it.f.kw == "nodbus":
		bus, policy = "0", "0"
	case strings.HasPrefix(it.f.kw, "dbus-system"):
		bus = "2"
	}
	if it.f.kw == "dbus-user" || it.f.kw == "dbus-system" {
		policy = "0"
	}
	return bus + policy + body
}

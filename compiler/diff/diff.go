// Package diff compares two plans by what they mean, not by how their
// profiles are written: for each area of the sandbox (paths, syscalls per
// architecture, capabilities, namespaces, network, environment, ...) it
// reports what NEW permits that OLD did not (loosen), what it no longer
// permits (tighten), and what changed without being clearly either
// (change), each with the rules responsible on both sides.
//
// It sits after compiler/plan in the pipeline and reads only plans, so two
// compiled plan files compare exactly like the profiles they came from.
//
// Every field of plan.Plan is either compared here or listed, with the
// reason it is not, in the coverage table (coverage.go); a test walks the
// plan type and fails when a field is missing from that table.
package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
)

// Kind classifies one difference.
type Kind string

const (
	// Loosen: NEW permits something OLD did not.
	Loosen Kind = "loosen"
	// Tighten: NEW no longer permits something OLD did.
	Tighten Kind = "tighten"
	// Changed: different, but neither more nor less permissive (a new
	// hostname, errno instead of kill for a denied call, a bind mount).
	Changed Kind = "change"
)

// Areas, in report order.
var areas = []string{
	"filesystem", "seccomp", "protocol", "capabilities", "credentials", "namespaces",
	"network", "environment", "resources", "dbus", "x11", "other", "context", "notes",
}

// Side is one plan's view of a difference: its effective State and the
// rules that decided it (decisive rule first).
type Side struct {
	State   string        `json:"state"`
	Detail  string        `json:"detail,omitempty"`
	Origins []plan.Origin `json:"origins,omitempty"`
}

// Change is one difference. Subject names what differs (a path, the
// architectures of a group of syscalls, "bounding set", a variable); Aspect
// says which property of it (for paths: view, write, exec); Items lists the
// members when one entry stands for several (syscall names, capabilities,
// the paths below a directory that changed the same way).
type Change struct {
	Kind    Kind     `json:"kind"`
	Area    string   `json:"area"`
	Subject string   `json:"subject"`
	Aspect  string   `json:"aspect,omitempty"`
	Items   []string `json:"items,omitempty"`
	Old     Side     `json:"old"`
	New     Side     `json:"new"`
}

// Summary counts changes by kind.
type Summary struct {
	Loosen  int `json:"loosen"`
	Tighten int `json:"tighten"`
	Change  int `json:"change"`
}

// Report is the result of Diff. Its JSON form (see WriteJSON) is stable:
// fields are only ever added, and Version changes if that rule is broken.
type Report struct {
	Version int      `json:"version"`
	Old     string   `json:"old"`
	New     string   `json:"new"`
	Summary Summary  `json:"summary"`
	Changes []Change `json:"changes"`
}

// ReportVersion is the version of the JSON report format.
const ReportVersion = 1

// Options tune the comparison.
type Options struct {
	// PathDirs are the directories a leading ${PATH} in a filesystem rule
	// expands to. Both plans use the same list; empty means
	// DefaultPathDirs.
	PathDirs []string
}

// DefaultPathDirs is the ${PATH} expansion used when Options.PathDirs is
// empty: Firejail's PATH when the variable is unset (macro.DefaultPATH).
// Fixed rather than read from the environment, so a diff (a CI gate) gives
// the same answer on every machine.
var DefaultPathDirs = []string{"/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"}

// Has reports whether the report holds a change of kind k.
func (r *Report) Has(k Kind) bool {
	for _, c := range r.Changes {
		if c.Kind == k {
			return true
		}
	}
	return false
}

type differ struct {
	old, new *plan.Plan
	opts     Options
	out      []Change
}

func (d *differ) add(c Change) { d.out = append(d.out, c) }

// Diff compares two plans.
func Diff(old, new *plan.Plan, opts Options) (*Report, error) {
	if len(opts.PathDirs) == 0 {
		opts.PathDirs = DefaultPathDirs
	}
	d := &differ{old: old, new: new, opts: opts}
	d.filesystem()
	if err := d.seccomp(); err != nil {
		return nil, err
	}
	d.credentials()
	d.namespaces()
	d.environment()
	d.resources()
	d.misc()
	d.context()
	r := &Report{Version: ReportVersion, Old: old.Profile, New: new.Profile, Changes: d.out}
	sortChanges(r.Changes)
	for _, c := range r.Changes {
		switch c.Kind {
		case Loosen:
			r.Summary.Loosen++
		case Tighten:
			r.Summary.Tighten++
		default:
			r.Summary.Change++
		}
	}
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	return r, nil
}

func areaIndex(a string) int {
	for i, x := range areas {
		if x == a {
			return i
		}
	}
	return len(areas)
}

var kindOrder = map[Kind]int{Loosen: 0, Tighten: 1, Changed: 2}

var aspectOrder = map[string]int{"view": 0, "write": 1, "exec": 2}

// sortChanges orders changes by area, then subject, aspect and kind, so
// output is deterministic whatever order the comparisons ran in.
func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if x, y := areaIndex(a.Area), areaIndex(b.Area); x != y {
			return x < y
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		if a.Aspect != b.Aspect {
			return aspectOrder[a.Aspect] < aspectOrder[b.Aspect] || (aspectOrder[a.Aspect] == aspectOrder[b.Aspect] && a.Aspect < b.Aspect)
		}
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return strings.Join(a.Items, ",") < strings.Join(b.Items, ",")
	})
}

// Helpers shared by the areas.

func origins(os ...*plan.Origin) []plan.Origin {
	var out []plan.Origin
	for _, o := range os {
		if o != nil {
			out = append(out, *o)
		}
	}
	return out
}

func flagOrigin(f *plan.Flag) *plan.Origin {
	if f == nil {
		return nil
	}
	return &f.Origin
}

func valueOrigin(v *plan.Value) *plan.Origin {
	if v == nil {
		return nil
	}
	return &v.Origin
}

// flag compares an on/off switch. onIs is the kind of turning it on in NEW.
func (d *differ) flag(area, subject string, old, new *plan.Origin, onIs Kind, on, off string) {
	if (old == nil) == (new == nil) {
		return
	}
	k := onIs
	if new == nil {
		k = invert(onIs)
	}
	state := func(o *plan.Origin) Side {
		if o == nil {
			return Side{State: off}
		}
		return Side{State: on, Origins: []plan.Origin{*o}}
	}
	d.add(Change{Kind: k, Area: area, Subject: subject, Old: state(old), New: state(new)})
}

// value compares a last-wins setting whose changes are neither looser nor
// tighter, except that setting or unsetting it may be (setIs).
func (d *differ) value(area, subject string, old, new *plan.Value, setIs Kind, unset string) {
	switch {
	case old == nil && new == nil:
		return
	case old != nil && new != nil:
		if old.Value == new.Value {
			return
		}
		d.add(Change{Kind: Changed, Area: area, Subject: subject,
			Old: Side{State: show(old.Value), Origins: []plan.Origin{old.Origin}},
			New: Side{State: show(new.Value), Origins: []plan.Origin{new.Origin}}})
	default:
		k := setIs
		if new == nil {
			k = invert(setIs)
		}
		side := func(v *plan.Value) Side {
			if v == nil {
				return Side{State: unset}
			}
			return Side{State: show(v.Value), Origins: []plan.Origin{v.Origin}}
		}
		d.add(Change{Kind: k, Area: area, Subject: subject, Old: side(old), New: side(new)})
	}
}

func show(v string) string {
	if v == "" {
		return `""`
	}
	return v
}

func invert(k Kind) Kind {
	switch k {
	case Loosen:
		return Tighten
	case Tighten:
		return Loosen
	}
	return k
}

// itemSet compares two lists as sets: added members are addIs, removed
// ones its inverse. state names a member's state, absent a non-member's.
// Origins are those of the members on each side.
func (d *differ) itemSet(area, subject string, old, new []plan.Item, addIs Kind, state, absent string) {
	om, nm := itemMap(old), itemMap(new)
	var added, removed []string
	var ao, ro []plan.Origin
	for _, it := range new {
		if _, ok := om[it.Value]; !ok && !contains(added, it.Value) {
			added = append(added, it.Value)
			ao = appendOrigin(ao, it.Origin)
		}
	}
	for _, it := range old {
		if _, ok := nm[it.Value]; !ok && !contains(removed, it.Value) {
			removed = append(removed, it.Value)
			ro = appendOrigin(ro, it.Origin)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	if len(added) > 0 {
		d.add(Change{Kind: addIs, Area: area, Subject: subject, Items: added,
			Old: Side{State: absent}, New: Side{State: state, Origins: ao}})
	}
	if len(removed) > 0 {
		d.add(Change{Kind: invert(addIs), Area: area, Subject: subject, Items: removed,
			Old: Side{State: state, Origins: ro}, New: Side{State: absent}})
	}
}

func itemMap(items []plan.Item) map[string]plan.Origin {
	m := map[string]plan.Origin{}
	for _, it := range items {
		if _, ok := m[it.Value]; !ok {
			m[it.Value] = it.Origin
		}
	}
	return m
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func originKey(o plan.Origin) string {
	return fmt.Sprintf("%s:%d:%s", o.File, o.Line, o.Text)
}

func appendOrigin(l []plan.Origin, o plan.Origin) []plan.Origin {
	for _, x := range l {
		if originKey(x) == originKey(o) {
			return l
		}
	}
	return append(l, o)
}

func originsKey(l []plan.Origin) string {
	var b strings.Builder
	for _, o := range l {
		b.WriteString(originKey(o))
		b.WriteByte('|')
	}
	return b.String()
}

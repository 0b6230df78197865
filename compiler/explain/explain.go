package explain

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/compiler/why"
	"github.com/jailc/jailc/lang/names"
	"github.com/jailc/jailc/lang/parse"
	"github.com/jailc/jailc/lang/source"
)

// Causes: what in the plan decided a call.
const (
	CauseNoFilter       = "no-filter"           // the plan installs no seccomp filter
	CauseForeign        = "foreign-arch"        // no policy for the architecture
	CauseX32            = "x32"                 // x32 numbers are always denied
	CauseBlockSecondary = "block-secondary"     // seccomp.block-secondary
	CauseKeep           = "keep-list"           // not in (or excluded from) a keep list
	CauseList           = "list"                // named by a seccomp / seccomp.drop list
	CauseDefault        = "default-group"       // in the default group of bare `seccomp`
	CauseProtocol       = "protocol"            // the socket family filter
	CauseNamespaces     = "restrict-namespaces" // the namespace filter
	CauseMDWX           = "memory-deny-write-execute"
	CauseAllowed        = "allowed"        // the plan allows the call
	CauseUnknownCall    = "unknown-call"   // the number is not in jailc's table
	CauseOther          = "other"          // a rule jailc cannot attribute
	CauseArguments      = "arguments"      // allowed or denied depending on arguments
	CauseAlwaysAllowed  = "always-allowed" // seccomp.keep's execve, execveat, prctl
)

// Verdict is what the plan says about a recorded call.
type Verdict struct {
	PlanAction string       // the plan's action, or "depends on arguments"
	Why        string       // compiler/why's explanation, verbatim
	Cause      string       // one of the Cause constants
	Rule       *plan.Origin // the profile line behind the decision
	Fix        *Fix         // nil when no profile line can allow it
	Notes      []string
}

// Fix is the change that allows the call in Firejail 0.9.72 (and so in
// jailc). Either Add lines to File (the profile's .local, named as its
// include line names it), or, when Replace is set, replace that line with
// Add (delete it when Add is empty).
type Fix struct {
	File    string
	Add     []string
	Replace *plan.Origin
	Reason  string
}

// layout is where the profile includes its .local file.
type layout struct {
	profile string // the top profile's path
	local   string // the include argument, e.g. "ping.local"
	path    string // the file read for it, when it exists
	line    int    // the include's line in the top profile
	read    bool   // the top profile could be read
}

// newLayout reads the top profile to find its `include NAME.local` line.
// Firejail has no implicit .local: the stock profiles include
// NAME.local (and globals.local) near the top (reference §5).
func newLayout(p *plan.Plan) layout {
	l := layout{profile: p.Profile}
	base := strings.TrimSuffix(filepath.Base(p.Profile), ".profile")
	data, err := os.ReadFile(p.Profile)
	if err == nil {
		l.read = true
		f, _ := parse.File(source.NewFile(p.Profile, data))
		var other string
		var otherLine int
		for _, ln := range f.Lines {
			if ln.Cmd == nil || ln.Cmd.Keyword != "include" || len(ln.Conds) > 0 {
				continue
			}
			arg := ln.Cmd.Arg
			switch b := filepath.Base(arg); {
			case b == base+".local" && l.local == "":
				l.local, l.line = arg, ln.Line
			case strings.HasSuffix(b, ".local") && b != "globals.local" && other == "":
				other, otherLine = arg, ln.Line
			}
		}
		if l.local == "" && other != "" {
			l.local, l.line = other, otherLine
		}
	}
	if !l.read {
		l.local = base + ".local"
	}
	for _, f := range p.Files {
		if l.local != "" && filepath.Base(f) == filepath.Base(l.local) {
			l.path = f
			break
		}
	}
	return l
}

// file names the .local to edit.
func (l layout) file() string {
	if l.path != "" {
		return l.path
	}
	if strings.Contains(l.local, "/") {
		return l.local
	}
	return l.local + " (Firejail reads ~/.config/firejail/" + l.local + ", else /etc/firejail/" + l.local + ")"
}

// inLocal reports whether an origin sits in the .local (or in a file it
// includes).
func (l layout) inLocal(o plan.Origin) bool {
	if l.local == "" {
		return false
	}
	b := filepath.Base(l.local)
	if filepath.Base(o.File) == b {
		return true
	}
	for _, c := range o.Chain {
		if i := strings.LastIndexByte(c, ':'); i > 0 && filepath.Base(c[:i]) == b {
			return true
		}
	}
	return false
}

// topLine is the line of the top profile through which o was read.
func (l layout) topLine(o plan.Origin) (int, bool) {
	if len(o.Chain) == 0 {
		return o.Line, o.File == l.profile
	}
	c := o.Chain[len(o.Chain)-1]
	i := strings.LastIndexByte(c, ':')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(c[i+1:])
	return n, err == nil && c[:i] == l.profile
}

// localFirst reports whether the .local is read before o. When the profile
// cannot be read, the stock layout (.local first) is assumed.
func (l layout) localFirst(o plan.Origin) bool {
	if !l.read {
		return true
	}
	n, ok := l.topLine(o)
	return !ok || l.line < n
}

func at(o plan.Origin) string {
	s := o.String()
	if len(o.Chain) > 0 {
		s += " (included from " + strings.Join(o.Chain, ", from ") + ")"
	}
	return s
}

func quoted(o plan.Origin) string { return "`" + o.Text + "`" }

// stripCond removes conditional prefixes ("?HAS_X11: ") from a line's text.
func stripCond(t string) string {
	for strings.HasPrefix(t, "?") {
		i := strings.Index(t, ": ")
		if i < 0 {
			return t
		}
		t = strings.TrimLeft(t[i+2:], " ")
	}
	return t
}

// placeList writes the fix for a last-wins list directive kw whose winning
// line is win: in the .local, with `ignore kw` after it when the .local is
// read first (so the profile's own line would otherwise win).
func (l layout) placeList(kw string, win *plan.Origin, line string) *Fix {
	f := &Fix{File: l.file(), Add: []string{line}}
	switch {
	case win == nil || win.File == "":
		f.Reason = fmt.Sprintf("no profile line sets %s, so the line can go anywhere", kw)
	case l.inLocal(*win):
		f.File, f.Replace = win.File, win
		f.Reason = fmt.Sprintf("the winning %s line is already in %s; replace it", kw, filepath.Base(l.local))
	case l.read && l.local == "":
		f.File, f.Replace = win.File, win
		f.Reason = fmt.Sprintf("%s includes no .local file, so change the line itself (or add `include %s.local` near its top)", l.profile, strings.TrimSuffix(filepath.Base(l.profile), ".profile"))
	case l.localFirst(*win):
		f.Add = append(f.Add, "ignore "+kw)
		f.Reason = fmt.Sprintf("%s is last-wins and %s is read before %s, so a %s line there alone would be overridden; the `ignore %s` after it makes Firejail skip every later %s line, the profile's included", kw, filepath.Base(l.local), at(*win), kw, kw, kw)
		if !l.read {
			f.Reason += fmt.Sprintf(" (assuming %s includes %s near its top, as stock profiles do: it could not be read)", l.profile, l.local)
		}
	default:
		f.Reason = fmt.Sprintf("%s is last-wins and %s is read after %s, so its line wins", kw, filepath.Base(l.local), at(*win))
	}
	return f
}

// placeFlag writes the fix that switches off a flag directive set at win.
func (l layout) placeFlag(kw string, win plan.Origin) *Fix {
	switch {
	case l.inLocal(win) || win.File == "" || (l.read && l.local == "") || !l.localFirst(win):
		return &Fix{File: win.File, Replace: &win, Reason: fmt.Sprintf("delete the line: an `ignore %s` placed after it would come too late, since ignore affects only later lines", kw)}
	}
	return &Fix{File: l.file(), Add: []string{"ignore " + kw}, Reason: fmt.Sprintf("%s is read before %s, so `ignore %s` there makes Firejail skip the profile's line", filepath.Base(l.local), at(win), kw)}
}

// Explainer explains records against one plan. Its zero plan (nil)
// explains records without a profile.
type Explainer struct {
	plan   *plan.Plan
	layout layout
}

// NewExplainer prepares explanations for a plan (nil for none). It reads
// the plan's top profile, if it exists, to find its .local include.
func NewExplainer(p *plan.Plan) *Explainer {
	e := &Explainer{plan: p}
	if p != nil {
		e.layout = newLayout(p)
	}
	return e
}

// Explain says what the plan does with a recorded call; nil without a plan.
func (e *Explainer) Explain(r *Record, c Call, a Action) *Verdict {
	p := e.plan
	if p == nil {
		return nil
	}
	s := &p.Seccomp
	v := &Verdict{}
	if !s.Enabled {
		v.PlanAction, v.Cause = "allow", CauseNoFilter
		v.Notes = append(v.Notes, "this profile installs no seccomp filter, so the record came from another filter (another profile, Firejail's own settings, or the program itself)")
		return v
	}
	if c.Arch == nil {
		v.PlanAction, v.Cause = s.Foreign, CauseForeign
		v.Notes = append(v.Notes, "jailc's filter kills the process on any architecture other than the native one and its 32-bit compat; no profile line changes that")
		return v
	}
	var ap *plan.ArchPolicy
	for i := range s.Policies {
		if s.Policies[i].Arch == c.Arch.Name {
			ap = &s.Policies[i]
		}
	}
	if ap == nil {
		v.PlanAction, v.Cause = s.Foreign, CauseForeign
		v.Notes = append(v.Notes, fmt.Sprintf("the plan has no policy for %s", c.Arch.Name))
		return v
	}
	if c.X32 {
		v.PlanAction, v.Cause = ap.X32, CauseX32
		v.Notes = append(v.Notes, "x32 calls (numbers with 0x40000000 set) are denied by every filter Firejail builds, in its header; no profile line allows them: build the program for x86_64")
		return v
	}
	if c.Name == "" {
		v.Cause = CauseUnknownCall
		v.PlanAction = ap.Default
		v.Notes = append(v.Notes, fmt.Sprintf("%s has no syscall %d in jailc's table, so no profile line can name it", c.Arch.Name, c.Nr))
		return v
	}
	if out, err := why.Syscall(p, c.Name, c.Arch); err == nil {
		v.Why = out
	}
	var rule *plan.SyscallRule
	for i := range ap.Syscalls {
		if ap.Syscalls[i].Nr == c.Nr {
			rule = &ap.Syscalls[i]
		}
	}
	secondary := c.Arch == sysnum.I386 || c.Arch == sysnum.ARM
	if secondary && s.BlockSecondary != nil {
		v.PlanAction, v.Cause, v.Rule = ap.Default, CauseBlockSecondary, &s.BlockSecondary.Origin
		v.Fix = e.layout.placeFlag("seccomp.block-secondary", s.BlockSecondary.Origin)
		v.Fix.Reason = fmt.Sprintf("seccomp.block-secondary denies every %s call; ", c.Arch.Name) + v.Fix.Reason
		e.compare(v, a)
		return v
	}
	if rule == nil {
		v.PlanAction = ap.Default
		if ap.Default == "allow" {
			v.Cause = CauseAllowed
		} else {
			v.Cause = CauseKeep
			kw, items, win, _ := e.list(c.Arch)
			v.Rule = win
			v.Fix = e.keepFix(kw, items, win, c)
		}
		e.compare(v, a)
		return v
	}
	if len(rule.Rules) > 0 {
		v.PlanAction, v.Cause = "depends on arguments", CauseArguments
		// The origin that made the rules conditional: the component
		// filter, not the list that let the call through to it.
		for i := range rule.Origins {
			t := stripCond(rule.Origins[i].Text)
			for _, kw := range []string{"protocol", "restrict-namespaces", "memory-deny-write-execute", "seccomp.block-secondary"} {
				if strings.HasPrefix(t, kw) && v.Rule == nil {
					v.Rule = &rule.Origins[i]
				}
			}
		}
		if v.Rule == nil && len(rule.Origins) > 0 {
			v.Rule = &rule.Origins[0]
		}
		if v.Rule != nil {
			e.argumentFix(v, c, *v.Rule)
		}
		return v
	}
	v.PlanAction = rule.Else
	var o plan.Origin
	if len(rule.Origins) > 0 {
		o = rule.Origins[0]
		v.Rule = &o
	}
	text := stripCond(o.Text)
	switch {
	case rule.Else == "allow":
		v.Cause = CauseAllowed
		if strings.HasPrefix(text, "seccomp.keep always allows") {
			v.Cause = CauseAlwaysAllowed
		}
	case strings.HasPrefix(text, "seccomp (@"):
		v.Cause = CauseDefault
		kw, items, win, _ := e.list(c.Arch)
		v.Fix = e.listFix(kw, items, win, c, true)
	case strings.HasPrefix(text, "seccomp.keep ") || strings.HasPrefix(text, "seccomp.32.keep "):
		v.Cause = CauseKeep
		kw, items, win, _ := e.list(c.Arch)
		v.Fix = e.keepFix(kw, items, win, c)
	case strings.HasPrefix(text, "seccomp ") || strings.HasPrefix(text, "seccomp.drop ") || strings.HasPrefix(text, "seccomp.32 ") || strings.HasPrefix(text, "seccomp.32.drop "):
		v.Cause = CauseList
		kw, items, win, mode := e.list(c.Arch)
		v.Fix = e.listFix(kw, items, win, c, mode == "default")
	case strings.HasPrefix(text, "protocol"):
		v.Cause = CauseProtocol
		v.Notes = append(v.Notes, fmt.Sprintf("jailc denies %s's socketcall whenever `protocol` is set, because it cannot check the family through it (Firejail does not filter socketcall at all); no protocol line allows it: the program must call socket(2), or the .local must drop the family filter with `ignore protocol`", c.Arch.Name))
	case strings.HasPrefix(text, "restrict-namespaces"):
		v.Cause = CauseNamespaces
		if c.Name == "clone3" {
			v.Notes = append(v.Notes, "restrict-namespaces makes clone3 fail with ENOSYS on purpose, so that the C library falls back to clone, whose flags the filter can check; this record is expected and needs no fix")
		}
	case strings.HasPrefix(text, "memory-deny-write-execute"):
		v.Cause = CauseMDWX
		v.Fix = e.layout.placeFlag("memory-deny-write-execute", o)
	default:
		v.Cause = CauseOther
	}
	if (v.Cause == CauseDefault || v.Cause == CauseList) && secondary && len(s.List32) == 0 && s.Mode == "default" {
		v.Notes = append(v.Notes, fmt.Sprintf("jailc filters %s with the native list; Firejail 0.9.72 filters it with its precompiled 32-bit filter instead, and re-allows a call there only through `seccomp.32 !%s` next to a native `seccomp LIST` line (reference §7.6)", c.Arch.Name, c.Name))
	}
	e.compare(v, a)
	return v
}

// compare notes where the record's action differs from the plan's.
func (e *Explainer) compare(v *Verdict, a Action) {
	pa := v.PlanAction
	if strings.HasPrefix(pa, "errno(") && a.Kind == "errno" {
		var n int
		fmt.Sscanf(pa, "errno(%d)", &n)
		if a.Errno < 0 {
			v.Notes = append(v.Notes, fmt.Sprintf("the plan's error is %s", errnoText(n)))
		}
		return
	}
	if pa == "allow" && a.Denied {
		v.Notes = append(v.Notes, "this plan allows the call: the record came from another filter (another profile, an older version of this one, or Firejail's own settings)")
		return
	}
	same := pa == a.Kind || (a.Kind == "kill" && strings.HasPrefix(pa, "kill-"))
	if !same && a.Kind != "unknown" && pa != "allow" {
		v.Notes = append(v.Notes, fmt.Sprintf("the record's action is %s but this plan's is %s: the filter that logged it had another error action (seccomp-error-action in the profile or in firejail.config; Firejail's \"kill\" is kill-thread, jailc's is kill-process)", a.Kind, pa))
	}
}

// list returns the list directive that governs arch: its keyword, items
// as written, winning line and mode (keep, drop, default).
func (e *Explainer) list(arch *sysnum.Arch) (string, []plan.Item, *plan.Origin, string) {
	s := &e.plan.Seccomp
	if (arch == sysnum.I386 || arch == sysnum.ARM) && len(s.List32) > 0 {
		o := s.List32[0].Origin
		mode := map[string]string{"seccomp.32": "default", "seccomp.32.drop": "drop", "seccomp.32.keep": "keep"}[s.List32Kind]
		return s.List32Kind, s.List32, &o, mode
	}
	kw := map[string]string{"keep": "seccomp.keep", "drop": "seccomp.drop", "default": "seccomp"}[s.Mode]
	return kw, s.List, s.ModeOrigin, s.Mode
}

// itemName is the syscall an item names directly ("" for @groups and $N).
func itemName(it string) string {
	it = strings.TrimPrefix(it, "!")
	name, _, _ := strings.Cut(it, ":")
	if strings.HasPrefix(name, "@") || strings.HasPrefix(name, "$") {
		return ""
	}
	return name
}

// covers reports whether a list item still reaches name on arch after the
// items naming it directly are gone: an @group or a $N number.
func covers(it, name string, arch *sysnum.Arch) bool {
	if strings.HasPrefix(it, "!") {
		return false
	}
	t, _, _ := strings.Cut(it, ":")
	switch {
	case strings.HasPrefix(t, "@"):
		members, err := names.ExpandGroup(t, arch)
		if err != nil {
			return false
		}
		for _, m := range members {
			if m == name {
				return true
			}
		}
	case strings.HasPrefix(t, "$"):
		n, err := strconv.ParseInt(t[1:], 0, 64)
		if err != nil {
			return false
		}
		s, ok := arch.SyscallName(int(n))
		return ok && s == name
	}
	return false
}

func values(items []plan.Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Value)
	}
	return out
}

// keepFix adds the name to a keep list. A keep list is last-wins, so the
// fix is the whole list plus the name; an item that excludes the name
// (`!name` or `name:ERRNO`, both deny inside a keep list) is dropped.
func (e *Explainer) keepFix(kw string, items []plan.Item, win *plan.Origin, c Call) *Fix {
	if kw == "" {
		return nil
	}
	var out []string
	for _, it := range values(items) {
		if itemName(it) != c.Name {
			out = append(out, it)
		}
	}
	out = append(out, c.Name)
	f := e.layout.placeList(kw, win, kw+" "+strings.Join(out, ","))
	if _, native := sysnum.X86_64.Number(c.Name); !native && c.Arch != sysnum.X86_64 && kw == "seccomp.keep" {
		f.Reason += fmt.Sprintf("; %s is no x86_64 syscall, so Firejail's x86_64 filter ignores the name, and jailc applies it to %s", c.Name, c.Arch.Name)
	}
	return f
}

// listFix removes the name from a deny list (seccomp LIST, seccomp.drop,
// their 32-bit forms) and, when something else in the filter still denies
// it (the default group, an @group, a $N), adds `!name`, which Firejail
// turns into an allow entry placed before every deny entry (reference §7.4).
func (e *Explainer) listFix(kw string, items []plan.Item, win *plan.Origin, c Call, withDefault bool) *Fix {
	if kw == "" {
		return nil
	}
	var out []string
	need := false
	for _, it := range values(items) {
		if itemName(it) == c.Name {
			continue
		}
		out = append(out, it)
		need = need || covers(it, c.Name, c.Arch)
	}
	if withDefault {
		group := "@default-nodebuggers"
		if e.plan.Seccomp.AllowDebuggers != nil {
			group = "@default"
		}
		need = need || covers(group, c.Name, c.Arch)
	}
	if need {
		out = append(out, "!"+c.Name)
	}
	if len(out) == 0 {
		// Only the name was listed. An empty list would switch the filter
		// off (or, for seccomp.drop, fall back to another mode), so the
		// list keeps one harmless item: `!name`, an allow entry.
		out = append(out, "!"+c.Name)
	}
	line := kw + " " + strings.Join(out, ",")
	if withDefault && len(items) == 0 {
		// Bare `seccomp` sets no list, so a list in the .local survives it
		// (verified with firejail --debug: the .local's `seccomp !mount`
		// reached fseccomp).
		f := &Fix{File: e.layout.file(), Add: []string{line}, Reason: "a bare `seccomp` line does not reset a list, so the .local's list is used whatever the order"}
		if e.layout.read && e.layout.local == "" && win != nil {
			f.File, f.Replace = win.File, win
			f.Reason = fmt.Sprintf("%s includes no .local file; replace the bare seccomp line", e.layout.profile)
		}
		return f
	}
	return e.layout.placeList(kw, win, line)
}

// argumentFix handles calls whose outcome depends on their arguments:
// the protocol, restrict-namespaces and memory-deny-write-execute filters
// and block-secondary's personality check. The record carries no
// arguments, so the fix names the choice the user has to make.
func (e *Explainer) argumentFix(v *Verdict, c Call, o plan.Origin) {
	s := &e.plan.Seccomp
	switch text := stripCond(o.Text); {
	case strings.HasPrefix(text, "protocol"):
		v.Cause = CauseProtocol
		have := map[string]bool{}
		for _, it := range s.Protocol {
			have[it.Value] = true
		}
		var missing []string
		for _, p := range names.Protocols {
			if !have[p.Name] {
				missing = append(missing, p.Name)
			}
		}
		v.Fix = &Fix{File: e.layout.file(), Add: []string{"protocol FAMILY"},
			Reason: fmt.Sprintf("socket() is allowed only for the families %s; the record does not carry socket()'s arguments, so put the family the program needs for FAMILY (one of %s). protocol accumulates, so a line in the .local adds to the profile's list in any order",
				strings.Join(values(s.Protocol), ","), strings.Join(missing, ", "))}
	case strings.HasPrefix(text, "restrict-namespaces"):
		v.Cause = CauseNamespaces
		list := strings.Join(values(s.RestrictNamespaces), ",")
		what := fmt.Sprintf("%s may not create namespaces of the types %s, and the record does not carry %s's flags, so you must name the types the program needs", c.Name, list, c.Name)
		l := e.layout
		switch {
		case l.inLocal(o) || (l.read && l.local == ""):
			v.Fix = &Fix{File: o.File, Replace: &o, Add: []string{"restrict-namespaces " + list},
				Reason: what + ": delete them from this line"}
		case l.localFirst(o):
			v.Fix = &Fix{File: l.file(), Add: []string{"restrict-namespaces " + list, "ignore restrict-namespaces"},
				Reason: what + fmt.Sprintf(": delete them from the first line. restrict-namespaces accumulates, and a `-TYPE` in %s would come before %s and remove nothing, so the .local states the whole list and `ignore restrict-namespaces` skips the profile's line", filepath.Base(l.local), at(o))}
		default:
			v.Fix = &Fix{File: l.file(), Add: []string{"restrict-namespaces -TYPE"},
				Reason: what + fmt.Sprintf(": put it for TYPE. %s is read after %s, so `-TYPE` removes that type from the list (list algebra, reference §6.6)", filepath.Base(l.local), at(o))}
		}
	case strings.HasPrefix(text, "memory-deny-write-execute"):
		v.Cause = CauseMDWX
		v.Fix = e.layout.placeFlag("memory-deny-write-execute", o)
		v.Fix.Reason = fmt.Sprintf("memory-deny-write-execute denies %s when it asks for executable memory; %s", c.Name, v.Fix.Reason)
	case strings.HasPrefix(text, "seccomp.block-secondary"):
		v.Cause = CauseBlockSecondary
		v.Fix = e.layout.placeFlag("seccomp.block-secondary", o)
		v.Fix.Reason = "seccomp.block-secondary allows personality only for PER_LINUX and the query; " + v.Fix.Reason
	default:
		v.Cause = CauseOther
	}
}

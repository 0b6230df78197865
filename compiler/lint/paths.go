package lint

import (
	"fmt"
	"strings"
	"sync"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// pathDirs are the directories ${PATH} may stand for: the session's PATH
// and Firejail's default. Using both errs towards "these patterns can
// match", which keeps the noblacklist rules from calling a line dead when
// it is not.
func (p *Pass) pathDirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range append(append([]string{}, p.Env.PATH...), macro.SplitPATH(macro.DefaultPATH)...) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// patterns turns a blacklist-family argument into the patterns Firejail
// compares: prefix macros expanded, one pattern per ${PATH} directory. An
// XDG macro that does not resolve for this user stands for itself and for
// any directory directly in the home directory, since it resolves to one
// for another user. Results are cached per environment: most profiles read
// the same include files.
func (p *Pass) patterns(arg string) []*pattern {
	key := p.envKey() + arg
	if v, ok := argPatterns.Load(key); ok {
		return v.([]*pattern)
	}
	var out []*pattern
	if strings.HasPrefix(arg, "${PATH}") {
		rest := arg[len("${PATH}"):]
		for _, d := range p.pathDirs() {
			out = append(out, cachedPattern(d+rest))
		}
	} else {
		x := p.Env.Expand(arg)
		out = []*pattern{cachedPattern(x)}
		if macro.IsXDG(arg) && x == arg {
			out = append(out, cachedPattern(strings.TrimSuffix(p.Env.Home, "/")+"/*"))
		}
	}
	v, _ := argPatterns.LoadOrStore(key, out)
	return v.([]*pattern)
}

// argPatterns caches patterns by environment and argument.
var argPatterns sync.Map // envKey + arg → []*pattern

// envKey identifies the environment patterns are expanded in.
func (p *Pass) envKey() string {
	if p.shared.envKey == "" {
		p.shared.envKey = fmt.Sprintf("%#v\x00", p.Env)
	}
	return p.shared.envKey
}

// patternCache holds compiled patterns by text. Patterns are immutable,
// and the same include files are read by most profiles, so one cache
// serves every lint in the process.
var patternCache sync.Map // string → *pattern

func cachedPattern(s string) *pattern {
	if v, ok := patternCache.Load(s); ok {
		return v.(*pattern)
	}
	v, _ := patternCache.LoadOrStore(s, compilePattern(s))
	return v.(*pattern)
}

// fsEvent is a blacklist or noblacklist in reading order.
type fsEvent struct {
	entry    *resolve.Entry // nil for entries Firejail appends at start
	op       string         // blacklist or noblacklist
	arg      string
	pats     []*pattern
	possible bool        // behind a false conditional: applies in another context
	origin   plan.Origin // of an appended entry
}

// fsEvents lists the blacklist-pass lines that take part in noblacklist
// matching, in reading order, then the blacklists Firejail appends when the
// sandbox starts (disable-mnt, its built-in list). Ignored lines and lines
// with a malformed conditional are left out.
func (p *Pass) fsEvents() []fsEvent {
	if s := p.shared; s.eventsDone {
		return s.events
	}
	out := p.collectEvents()
	p.shared.events, p.shared.eventsDone = out, true
	return out
}

func (p *Pass) collectEvents() []fsEvent {
	out := make([]fsEvent, 0, len(p.Unit.Entries))
	for _, e := range p.Unit.Entries {
		cmd := e.Line.Cmd
		if cmd == nil || e.CondError || e.IgnoredBy != nil || (!e.Active && e.FalseCond == nil) {
			continue
		}
		possible := !e.Active
		switch cmd.Keyword {
		case "blacklist", "blacklist-nolog", "noblacklist":
			if !cmd.HasArg {
				continue
			}
			op := "blacklist"
			if cmd.Keyword == "noblacklist" {
				op = "noblacklist"
			}
			out = append(out, fsEvent{entry: e, op: op, arg: cmd.Arg, pats: p.patterns(cmd.Arg), possible: possible})
		case "noprinters":
			for _, a := range []string{"/dev/lp*", "/run/cups/cups.sock"} {
				out = append(out, fsEvent{entry: e, op: "blacklist", arg: a, pats: p.patterns(a), possible: possible})
			}
		}
	}
	if p.Plan != nil {
		for _, op := range p.Plan.Filesystem.BlacklistPass {
			if op.Added && op.Op == "blacklist" {
				out = append(out, fsEvent{op: "blacklist", arg: op.Path, pats: []*pattern{cachedPattern(op.Path)}, origin: op.Origin})
			}
		}
	}
	return out
}

// canExempt reports whether noblacklist patterns nb can exempt something
// blacklist patterns bl hide: a path both match, or the blacklist text
// itself (Firejail tests it when its glob matches nothing).
func canExempt(nb, bl []*pattern) bool {
	for _, n := range nb {
		for _, b := range bl {
			if intersects(n, b) || n.matchString(b.src) {
				return true
			}
		}
	}
	return false
}

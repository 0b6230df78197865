package lint

import (
	"fmt"

	"github.com/jailc/jailc/lang/diag"
)

// DeadNoblacklist finds noblacklist lines that cannot exempt anything: no
// blacklist after them (in this profile, its includes, or the entries
// Firejail appends at start) produces a path their pattern matches.
// Firejail compares each later blacklist's glob results with fnmatch, with
// no prefix matching (reference §6.2), so `noblacklist ${HOME}/.ssh/x`
// does not undo `blacklist ${HOME}/.ssh`. Lines behind a false conditional
// count as blacklists that may apply, ${PATH} stands for every directory it
// may hold, and an unresolved XDG macro for any directory in the home: the
// rule reports only lines that are dead whatever the context.
//
// A noblacklist that an earlier blacklist matches is left to
// noblacklist-too-late, which says why. Include fragments are not checked on
// their own: what follows them depends on the profile that includes them.
// For the same reason a noblacklist with no blacklist at all after it in the
// profile and its includes is not reported: such a file (firefox-common-
// addons.profile) is meant to be included before the blacklists of another
// profile. The lines reported are those a blacklist section follows but
// does not match, typically because the disable-*.inc that would match is
// commented out, or the path is written differently.
var DeadNoblacklist = &Rule{
	Name:     "dead-noblacklist",
	Doc:      "noblacklist that no later blacklist can match (Firejail compares whole paths with fnmatch, no prefix matching)",
	Severity: diag.Warning,
	Category: "paths",
	Run:      runDeadNoblacklist,
}

// LateNoblacklist finds noblacklist lines that come after a blacklist they
// would have exempted: noblacklist affects only blacklists read after it,
// so the earlier blacklist stays in force.
var LateNoblacklist = &Rule{
	Name:     "noblacklist-too-late",
	Doc:      "noblacklist after a blacklist it would undo; noblacklist affects only later blacklists",
	Severity: diag.Warning,
	Category: "paths",
	Run:      runLateNoblacklist,
}

// noblacklistFacts says, for one noblacklist of the linted file, whether
// a later blacklist can match it and the first earlier one that does.
type noblacklistFacts struct {
	ev       fsEvent
	later    bool // a later blacklist can match
	anyLater bool // some blacklist line follows (appended ones aside)
	earlier  *fsEvent
}

func (p *Pass) noblacklists() []noblacklistFacts {
	if s := p.shared; s.nbDone {
		return s.noblacklists
	}
	out := p.findNoblacklists()
	p.shared.noblacklists, p.shared.nbDone = out, true
	return out
}

func (p *Pass) findNoblacklists() []noblacklistFacts {
	if p.Fragment || !p.hasKeyword("noblacklist") {
		return nil
	}
	evs := p.fsEvents()
	var out []noblacklistFacts
	for i, ev := range evs {
		if ev.op != "noblacklist" || ev.entry == nil || !p.InFile(ev.entry) {
			continue
		}
		f := noblacklistFacts{ev: ev}
		for j := range evs[:i] {
			b := &evs[j]
			if b.op == "blacklist" && !b.possible && canExempt(ev.pats, b.pats) {
				f.earlier = b
				break
			}
		}
		for _, b := range evs[i+1:] {
			if b.op != "blacklist" {
				continue
			}
			if b.entry != nil {
				f.anyLater = true
			}
			if canExempt(ev.pats, b.pats) {
				f.later = true
				break
			}
		}
		out = append(out, f)
	}
	return out
}

func runDeadNoblacklist(p *Pass) {
	for _, f := range p.noblacklists() {
		if f.later || f.earlier != nil || !f.anyLater {
			continue
		}
		cmd := f.ev.entry.Line.Cmd
		p.Report(Diag(cmd.ArgSpan, fmt.Sprintf("noblacklist %q matches no later blacklist", cmd.Arg),
			"Firejail exempts a path only when a later blacklist or blacklist-nolog produces it and it matches this pattern as a whole (fnmatch: wildcards do not cross '/', no prefix matching); nothing after this line in the profile or its includes does",
			"remove the line, or write the path exactly as the blacklist it is meant to undo"))
	}
}

func runLateNoblacklist(p *Pass) {
	for _, f := range p.noblacklists() {
		if f.earlier == nil {
			continue
		}
		cmd := f.ev.entry.Line.Cmd
		b := f.earlier.entry
		d := Diag(cmd.ArgSpan, fmt.Sprintf("noblacklist %q comes after the blacklist it would undo", cmd.Arg),
			fmt.Sprintf("`%s` at %s is read first, and noblacklist affects only blacklists read after it; move this line before that one (before the include that brings it in)", b.Line.Cmd.Text, b.Line.Span.Pos()))
		d.Related = append(d.Related, diag.Related{Pos: b.Line.Span.Pos(), Message: "blacklisted here"})
		for _, c := range b.Chain {
			d.Related = append(d.Related, diag.Related{Pos: c, Message: "included from"})
		}
		p.Report(d)
	}
}

// hasKeyword reports whether the linted file has a line with keyword kw.
func (p *Pass) hasKeyword(kw string) bool {
	for _, l := range p.File.Lines {
		if l.Cmd != nil && l.Cmd.Keyword == kw {
			return true
		}
	}
	return false
}

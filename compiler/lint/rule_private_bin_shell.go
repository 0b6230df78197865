package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/source"
)

// PrivateBinShell finds private-bin lists that name a shell while the
// profile includes disable-shell.inc. Firejail builds the private /bin
// first and applies blacklists afterwards, so the shell is hidden again
// unless a noblacklist before the blacklist exempts it: then private-bin
// copies a program the sandbox cannot run, and the profile usually breaks
// where the program spawns a shell. When a noblacklist (allow-bin-sh.inc)
// does exempt it, the profile knowingly gives the sandbox a shell; that is
// reported as a note.
var PrivateBinShell = &Rule{
	Name:     "private-bin-shell",
	Doc:      "private-bin names a shell that disable-shell.inc blacklists",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runPrivateBinShell,
}

func runPrivateBinShell(p *Pass) {
	if p.Fragment || p.Plan == nil || len(p.Plan.Filesystem.PrivateBin) == 0 || !p.includes("disable-shell.inc") {
		return
	}
	evs := p.fsEvents()
	// The blacklists that come from disable-shell.inc.
	var shellBL []int
	for i, ev := range evs {
		if ev.op == "blacklist" && ev.entry != nil && !ev.possible && path.Base(ev.entry.File.Src.Name) == "disable-shell.inc" {
			shellBL = append(shellBL, i)
		}
	}
	if len(shellBL) == 0 {
		return
	}
	for _, it := range p.Plan.Filesystem.PrivateBin {
		name := it.Value
		if strings.ContainsAny(name, "*?[") {
			continue
		}
		var cands []string
		if strings.HasPrefix(name, "/") {
			cands = []string{name}
		} else {
			for _, d := range p.pathDirs() {
				cands = append(cands, d+"/"+name)
			}
		}
		hidden, exempted := false, ""
		for _, c := range cands {
			for _, i := range shellBL {
				if !matchesAny(evs[i].pats, c) {
					continue
				}
				if nb := exemptedBy(evs[:i], c); nb != nil {
					exempted = fmt.Sprintf("`%s` at %s", nb.entry.Line.Text, nb.entry.Line.Span.Pos())
					continue
				}
				hidden = true
			}
		}
		if !hidden && exempted == "" {
			continue
		}
		e := p.EntryAt(it.Origin)
		if e == nil {
			continue
		}
		span := p.Anchor(e)
		if p.InFile(e) {
			span = itemSpan(e.Line.Cmd.Arg, name, e.Line.Cmd.ArgSpanOf, span)
		}
		if hidden {
			p.Report(Diag(span, fmt.Sprintf("private-bin copies %q, but disable-shell.inc blacklists it", name),
				"Firejail applies blacklists after it builds the private /bin, so the program cannot run it; remove it from private-bin, or include allow-bin-sh.inc before disable-shell.inc if the program needs a shell"))
			continue
		}
		d := Diag(span, fmt.Sprintf("private-bin gives the sandbox the shell %q", name),
			fmt.Sprintf("disable-shell.inc would hide it, but %s exempts it", exempted))
		d.Severity = diag.Note
		p.Report(d)
	}
}

func matchesAny(pats []*pattern, s string) bool {
	for _, p := range pats {
		if p.matchString(s) {
			return true
		}
	}
	return false
}

// exemptedBy returns the first noblacklist among evs that exempts path s.
func exemptedBy(evs []fsEvent, s string) *fsEvent {
	for i := range evs {
		if evs[i].op == "noblacklist" && !evs[i].possible && matchesAny(evs[i].pats, s) {
			return &evs[i]
		}
	}
	return nil
}

// itemSpan finds item in a comma list and returns its span, or def.
func itemSpan(list, item string, spanOf func(i, j int) source.Span, def source.Span) source.Span {
	off := 0
	for _, it := range strings.Split(list, ",") {
		if it == item {
			return spanOf(off, off+len(it))
		}
		off += len(it) + 1
	}
	return def
}

// includes reports whether the unit reads a file with this base name.
func (p *Pass) includes(base string) bool {
	for _, f := range p.Unit.Files {
		if path.Base(f.Src.Name) == base {
			return true
		}
	}
	return false
}

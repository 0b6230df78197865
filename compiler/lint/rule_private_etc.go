package lint

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/diag"
)

// PrivateEtcRequired is Firejail's ci/check/profiles/private-etc-always-
// required.sh: every private-etc line names the files the dynamic loader
// and the alternatives system need in any program.
var PrivateEtcRequired = &Rule{
	Name:     "private-etc-required",
	Doc:      "every private-etc line lists alternatives, ld.so.cache and ld.so.preload (Firejail's private-etc-always-required.sh)",
	Severity: diag.Warning,
	Category: "firejail-ci",
	Run:      runPrivateEtcRequired,
}

// privateEtcAlways are the entries Firejail's CI requires, sorted.
var privateEtcAlways = []string{"alternatives", "ld.so.cache", "ld.so.preload"}

func runPrivateEtcRequired(p *Pass) {
	for _, l := range p.File.Lines {
		if !atColumn0(l) || l.Cmd.Keyword != "private-etc" {
			continue
		}
		cmd := l.Cmd
		items := strings.Split(cmd.Arg, ",")
		have := map[string]bool{}
		for _, it := range items {
			have[it] = true
		}
		var missing []string
		for _, r := range privateEtcAlways {
			if !have[r] {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 {
			continue
		}
		// Insert in order when the list is sorted, else append.
		var out []string
		if isSortedCasefold(items) {
			out = sortCasefold(append(append([]string(nil), items...), missing...))
		} else {
			out = append(append([]string(nil), items...), missing...)
		}
		d := Diag(cmd.ArgSpan, fmt.Sprintf("private-etc does not list %s", quoteList(missing)),
			"programs need these in any private /etc: alternatives for the symlinks in /usr/bin, ld.so.cache and ld.so.preload for the dynamic loader; Firejail's CI requires them on every private-etc line")
		p.Report(d, Fix{
			Message: "add " + strings.Join(missing, ", "),
			Edits:   []Edit{{File: p.File.Src.Name, Start: cmd.ArgSpan.Start, End: cmd.ArgSpan.End, NewText: strings.Join(out, ",")}},
		})
	}
}

func isSortedCasefold(items []string) bool {
	for i := 1; i < len(items); i++ {
		if casefold(items[i-1]) > casefold(items[i]) {
			return false
		}
	}
	return true
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

package lint

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/cases"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/format"
)

// SortedList is the check of Firejail's ci/check/profiles/sort.py: the
// comma lists of these commands are kept in case-insensitive order (Python's
// str.casefold, stable), so that diffs stay small and duplicates show.
// Like sort.py it looks only at lines that start at column 0 with the
// command (not behind a conditional) and leaves seccomp.32* alone.
var SortedList = &Rule{
	Name:     "sorted-list",
	Doc:      "comma lists of private-bin, private-etc, private-lib, seccomp, seccomp.drop, seccomp.keep, caps.drop and caps.keep are sorted case-insensitively (Firejail's sort.py)",
	Severity: diag.Warning,
	Category: "firejail-ci",
	Run:      runSortedList,
}

// sortedListCommands are the commands sort.py sorts.
var sortedListCommands = map[string]bool{
	"private-bin": true, "private-etc": true, "private-lib": true,
	"seccomp": true, "seccomp.drop": true, "seccomp.keep": true,
	"caps.drop": true, "caps.keep": true,
}

// atColumn0 reports whether a line is one sort.py looks at: it starts at the
// first byte of its physical line and has no conditional prefix.
func atColumn0(l *ast.Line) bool {
	return l.Cmd != nil && len(l.Conds) == 0 && l.Piece == 0 &&
		l.Span.Start == l.Span.File.LineStart(l.Line) && l.Cmd.HasArg
}

var folder = cases.Fold()

// casefold is Python's str.casefold (full Unicode case folding).
func casefold(s string) string { return folder.String(s) }

// sortCasefold sorts items like sort.py: stable, by casefolded text.
func sortCasefold(items []string) []string {
	out := append([]string(nil), items...)
	keys := make(map[string]string, len(out))
	for _, it := range out {
		keys[it] = casefold(it)
	}
	sort.SliceStable(out, func(i, j int) bool { return keys[out[i]] < keys[out[j]] })
	return out
}

func runSortedList(p *Pass) {
	for _, l := range p.File.Lines {
		if !atColumn0(l) || !sortedListCommands[l.Cmd.Keyword] {
			continue
		}
		cmd := l.Cmd
		items := strings.Split(cmd.Arg, ",")
		sorted := sortCasefold(items)
		first := -1
		for i := range items {
			if items[i] != sorted[i] {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		// Point at the first item that is out of place.
		start := 0
		for _, it := range items[:first] {
			start += len(it) + 1
		}
		span := cmd.ArgSpanOf(start, start+len(items[first]))
		d := Diag(span, fmt.Sprintf("%s list is not sorted: %q should come before %q", cmd.Keyword, sorted[first], items[first]),
			"Firejail's CI (sort.py) keeps these lists in case-insensitive alphabetical order: "+strings.Join(sorted, ","))
		// The fix is jailc fmt's: it reorders only lists whose order
		// means nothing to Firejail.
		fixed, ok := format.SortList(cmd.Keyword, cmd.Arg)
		if !ok {
			d.Detail = append(d.Detail, "not fixed automatically: in this list the order (or a blank inside it) changes what Firejail reads; sort it by hand if the result is what you mean")
			p.Report(d)
			continue
		}
		p.Report(d, Fix{
			Message: "sort the list",
			Edits:   []Edit{{File: p.File.Src.Name, Start: cmd.ArgSpan.Start, End: cmd.ArgSpan.End, NewText: fixed}},
		})
	}
}

package lint

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/resolve"
)

// LocalIncludeTop follows Firejail's profile template: a profile starts
// with `include NAME.local` and `include globals.local`, before any other
// command. This is more than style: a user's noblacklist in a .local file
// read after the disable-*.inc includes is dead, and an ignore read after
// the line it names has no effect. Profiles (not fragments) without an
// `include NAME.local` are reported too: users cannot adjust them without
// copying the whole file. A missing globals.local is not reported, since
// a redirect profile gets it from the profile it includes.
var LocalIncludeTop = &Rule{
	Name:     "local-include-top",
	Doc:      "include NAME.local and include globals.local come first, as in Firejail's profile template",
	Severity: diag.Warning,
	Category: "style",
	Run:      runLocalIncludeTop,
}

// SectionOrder follows the section order of Firejail's profile template
// (/usr/share/doc/firejail/profile.template): local includes, ignores,
// noblacklists, allow-*.inc, blacklists, disable-*.inc, nowhitelists,
// mkdir/mkfile, whitelists, whitelist-*.inc, options, private options,
// D-Bus, special options, redirect includes. Each keyword's section comes
// from the directive table, except that the template puts env,
// restrict-namespaces, deterministic-* and the remounts in its last
// "special options" block (as 560 of the 579 stock profiles with
// restrict-namespaces do). The lines reported are the fewest that, moved,
// leave the file in order. Off by default: it is pure style.
var SectionOrder = &Rule{
	Name:     "section-order",
	Doc:      "lines follow the section order of Firejail's profile template (off by default)",
	Severity: diag.Note,
	Off:      true,
	Category: "style",
	Run:      runSectionOrder,
}

// localName returns NAME.local for a profile file name.
func localName(file string) string {
	base := path.Base(strings.TrimPrefix(file, resolve.StdlibPrefix))
	for _, ext := range []string{".profile", ".inc"} {
		if strings.HasSuffix(base, ext) {
			return strings.TrimSuffix(base, ext) + ".local"
		}
	}
	return base + ".local"
}

func isLocalInclude(l *ast.Line) bool {
	c := l.Cmd
	return c != nil && len(l.Conds) == 0 && c.Keyword == "include" && strings.HasSuffix(c.Arg, ".local")
}

func runLocalIncludeTop(p *Pass) {
	name := p.File.Src.Name
	if strings.HasSuffix(name, ".local") {
		return
	}
	sawOther := (*ast.Line)(nil)
	hasOwn := false
	for _, l := range p.File.Lines {
		if l.Cmd == nil {
			continue
		}
		if isLocalInclude(l) {
			if l.Cmd.Arg == localName(name) {
				hasOwn = true
			}
			if sawOther != nil {
				d := Diag(l.Span, fmt.Sprintf("%q comes after other commands", l.Text),
					fmt.Sprintf("Firejail's template reads .local files first, so that their noblacklist and ignore lines come before what they adjust; `%s` at line %d is read before it", sawOther.Text, sawOther.Line))
				p.Report(d)
			}
			continue
		}
		if l.Text == "quiet" {
			continue
		}
		if sawOther == nil {
			sawOther = l
		}
	}
	if !hasOwn && strings.HasSuffix(name, ".profile") && !IsFragment(name) && len(p.File.Lines) > 0 {
		d := p.StartDiag(fmt.Sprintf("the profile does not include %q", localName(name)),
			"Firejail's template starts every profile with `include NAME.local`, so that users can adjust it without editing a file the next update overwrites")
		p.Report(d)
	}
}

// Template sections, in order.
const (
	rankLocal = iota
	rankIgnore
	rankNoblacklist
	rankAllowInc
	rankBlacklist
	rankDisableInc
	rankNowhitelist
	rankMkdir
	rankWhitelist
	rankWhitelistInc
	rankOptions
	rankPrivate
	rankDBus
	rankSpecial
	rankRedirect
)

var rankNames = [...]string{
	"local includes", "ignores", "noblacklists", "allow includes", "blacklists", "disable includes",
	"nowhitelists", "mkdirs", "whitelists", "whitelist includes", "options", "private options",
	"D-Bus filter", "special options", "redirect includes",
}

// templateSpecial are keywords the template lists in its last block,
// whatever section the directive table gives them.
var templateSpecial = map[string]bool{
	"env": true, "rmenv": true, "deterministic-exit-code": true, "deterministic-shutdown": true,
	"join-or-start": true, "memory-deny-write-execute": true, "noexec": true, "read-only": true,
	"read-write": true, "restrict-namespaces": true,
}

var sectionRanks = map[directive.Section]int{
	directive.SecIgnore: rankIgnore, directive.SecNoblacklist: rankNoblacklist, directive.SecBlacklist: rankBlacklist,
	directive.SecNowhitelist: rankNowhitelist, directive.SecMkdir: rankMkdir, directive.SecWhitelist: rankWhitelist,
	directive.SecOptions: rankOptions, directive.SecPrivate: rankPrivate, directive.SecDBus: rankDBus,
	directive.SecSpecial: rankSpecial,
}

// sectionRank places a line in the template; ok is false for lines the
// template says nothing about (unknown keywords).
func sectionRank(l *ast.Line) (int, bool) {
	c := l.Cmd
	if c == nil {
		return 0, false
	}
	if c.Keyword == "include" {
		base := path.Base(c.Arg)
		switch {
		case strings.HasSuffix(base, ".local"):
			return rankLocal, true
		case strings.HasPrefix(base, "allow-") && strings.HasSuffix(base, ".inc"):
			return rankAllowInc, true
		case strings.HasPrefix(base, "disable-") && strings.HasSuffix(base, ".inc"):
			return rankDisableInc, true
		case strings.HasPrefix(base, "whitelist-") && strings.HasSuffix(base, ".inc"):
			return rankWhitelistInc, true
		}
		return rankRedirect, true
	}
	if c.Keyword == "quiet" {
		return rankLocal, true
	}
	if templateSpecial[c.Keyword] {
		return rankSpecial, true
	}
	spec, ok := directive.Lookup(c.Keyword)
	if !ok {
		return 0, false
	}
	r, ok := sectionRanks[spec.Section]
	return r, ok
}

func runSectionOrder(p *Pass) {
	type item struct {
		l    *ast.Line
		rank int
	}
	var items []item
	for _, l := range p.File.Lines {
		if r, ok := sectionRank(l); ok {
			items = append(items, item{l, r})
		}
	}
	ranks := make([]int, len(items))
	for i, it := range items {
		ranks[i] = it.rank
	}
	keep := longestNonDecreasing(ranks)
	for i, it := range items {
		if keep[i] {
			continue
		}
		// Name a neighbour the line is out of order with: the nearest
		// kept line before it of a later section, else the nearest kept
		// line after it of an earlier section.
		var other *item
		before := true
		for j := i - 1; j >= 0; j-- {
			if keep[j] && items[j].rank > it.rank {
				other = &items[j]
				break
			}
		}
		if other == nil {
			before = false
			for j := i + 1; j < len(items); j++ {
				if keep[j] && items[j].rank < it.rank {
					other = &items[j]
					break
				}
			}
		}
		if other == nil {
			continue
		}
		where := "after"
		if before {
			where = "before"
		}
		p.Report(Diag(it.l.Span, fmt.Sprintf("%q (%s) belongs %s %q (%s) at line %d", it.l.Text, rankNames[it.rank], where, other.l.Text, rankNames[other.rank], other.l.Line),
			"Firejail's profile template orders sections: "+strings.Join(rankNames[:], ", ")))
	}
}

// longestNonDecreasing marks one longest non-decreasing subsequence of a
// (the earliest-ending one, so results are deterministic).
func longestNonDecreasing(a []int) []bool {
	// tails[k] is the index of the smallest tail of a subsequence of
	// length k+1; prev links each element to its predecessor.
	var tails []int
	prev := make([]int, len(a))
	for i, x := range a {
		k := sort.Search(len(tails), func(k int) bool { return a[tails[k]] > x })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	keep := make([]bool, len(a))
	if len(tails) == 0 {
		return keep
	}
	for i := tails[len(tails)-1]; i >= 0; i = prev[i] {
		keep[i] = true
	}
	return keep
}

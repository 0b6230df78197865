package format

import (
	"sort"
	"strings"

	"golang.org/x/text/cases"
)

// The comma lists Firejail's CI keeps sorted (contrib/sort.py, reference
// §10.2). sort.py sorts with Python's str.casefold, a stable sort; full
// Unicode case folding is what cases.Fold implements.
var alphabetical = map[string]bool{
	"private-bin": true, "private-etc": true, "private-lib": true,
	"seccomp": true, "seccomp.drop": true, "seccomp.keep": true,
	"caps.drop": true, "caps.keep": true,
}

// protocolOrder is sort.py's canonical protocol order.
var protocolOrder = map[string]int{"unix": 0, "inet": 1, "inet6": 2, "netlink": 3, "packet": 4, "bluetooth": 5}

// SortList returns the canonical form of a directive's comma list and
// whether it may be reordered at all. Lists are reordered only where the
// order means nothing to Firejail:
//   - private-* and caps.* lists are sets;
//   - a syscall list is a set of plain items plus items with their own
//     action (`!name`, `name:ERRNO`, `name:kill`), of which the first one for
//     a syscall wins; the list is reordered only when those items cannot
//     compete (all have the same action, or they name distinct syscalls
//     without groups or $numbers);
//   - protocol follows list algebra (reference §6.6): only a list of plain
//     additions is a set.
//
// A list with an empty item or a blank is left alone: Firejail splits on
// commas only, so " b" is an item of its own that sorting would turn into a
// double blank, which Firejail then collapses into a different item.
func SortList(keyword, arg string) (string, bool) {
	if strings.ContainsAny(arg, " \t") {
		return arg, false
	}
	items := strings.Split(arg, ",")
	for _, it := range items {
		if it == "" {
			return arg, false
		}
	}
	switch {
	case keyword == "protocol":
		for _, it := range items {
			if strings.HasPrefix(it, "-") || strings.HasPrefix(it, "=") {
				return arg, false
			}
		}
		rank := func(it string) int {
			if r, ok := protocolOrder[strings.TrimPrefix(it, "+")]; ok {
				return r
			}
			return len(protocolOrder) // unknown names keep their order, last
		}
		sort.SliceStable(items, func(i, j int) bool { return rank(items[i]) < rank(items[j]) })
	case alphabetical[keyword]:
		if strings.HasPrefix(keyword, "seccomp") && !syscallsCommute(items) {
			return arg, false
		}
		fold := cases.Fold()
		keys := make(map[string]string, len(items))
		for _, it := range items {
			keys[it] = fold.String(it)
		}
		sort.SliceStable(items, func(i, j int) bool { return keys[items[i]] < keys[items[j]] })
	default:
		return arg, false
	}
	return strings.Join(items, ","), true
}

// syscallsCommute reports whether the items of a syscall list may be put in
// any order without changing the filter (reference §7.1; the first explicit
// action for a syscall wins).
func syscallsCommute(items []string) bool {
	var explicit []string
	for _, it := range items {
		if strings.HasPrefix(it, "!") || strings.Contains(it, ":") {
			explicit = append(explicit, it)
		}
	}
	outcome := func(it string) string {
		if strings.HasPrefix(it, "!") {
			return "!"
		}
		_, act, _ := strings.Cut(it, ":")
		return strings.ToLower(act)
	}
	same := true
	for _, it := range explicit {
		if outcome(it) != outcome(explicit[0]) {
			same = false
		}
	}
	if same {
		return true
	}
	names := map[string]bool{}
	for _, it := range explicit {
		name, _, _ := strings.Cut(strings.TrimPrefix(it, "!"), ":")
		if strings.HasPrefix(name, "@") || strings.HasPrefix(name, "$") || names[name] {
			return false
		}
		names[name] = true
	}
	return true
}

// Package names holds the name tables of the Firejail 0.9.72 profile
// language: capability names (caps.drop, caps.keep), errno names
// (seccomp-error-action and `syscall:ERRNO` items), socket families for
// `protocol`, namespace types for `restrict-namespaces`, the 29 syscall
// groups, and the "did you mean" helper. The checker validates against them;
// the compiler turns them into numbers. Syscall names themselves live per
// architecture in compiler/sysnum.
package names

import (
	"github.com/jailc/jailc/compiler/caps"

	"sort"
	"strings"
)

// Capabilities are the 41 names Firejail 0.9.72 accepts, in number order
// (index = capability number, 0..40), lower case without the cap_ prefix, as
// `firejail --debug-caps` prints them.
var Capabilities = caps.Names

// CapNumber looks a capability up exactly (Firejail rejects CHOWN and cap_chown).
func CapNumber(name string) (int, bool) { return caps.Number(name) }

// Protocol is a socket family accepted by `protocol`.
type Protocol struct {
	Name   string
	Family int
}

// Protocols in Firejail's canonical order (`fseccomp debug-protocols`), with
// their AF_* numbers.
var Protocols = []Protocol{
	{"unix", 1}, {"inet", 2}, {"inet6", 10}, {"netlink", 16}, {"packet", 17}, {"bluetooth", 31},
}

// Namespace is a type accepted by `restrict-namespaces`, with its CLONE_NEW* flag.
type Namespace struct {
	Name string
	Flag uint32
}

// Namespaces in Firejail's order (reference §7.8), with CLONE_NEW* flags.
var Namespaces = []Namespace{
	{"cgroup", 0x02000000}, {"ipc", 0x08000000}, {"net", 0x40000000}, {"mnt", 0x00020000},
	{"pid", 0x20000000}, {"time", 0x00000080}, {"user", 0x10000000}, {"uts", 0x04000000},
}

// Suggest returns the candidate closest to word by edit distance
// (case-insensitive; the restricted Damerau-Levenshtein distance, in which
// an adjacent transposition counts one), if it is close enough to be a
// plausible typo: at most max(1, len(word)/3) edits. Ties go to the earlier
// candidate in sorted order, so the answer does not depend on the order of
// candidates. A case-only difference (CHOWN for chown) is distance 0 and is
// suggested. An empty word gets no suggestion.
func Suggest(word string, candidates []string) (string, bool) {
	if word == "" {
		return "", false
	}
	w := strings.ToLower(word)
	limit := max(1, len(w)/3)
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	best, bestD := "", limit+1
	for _, c := range sorted {
		if d := distance(w, strings.ToLower(c), limit); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != "" && bestD <= limit
}

// distance is the optimal string alignment distance between a and b, in
// bytes. Pairs whose lengths differ by more than limit are not compared (the
// distance is at least the length difference); they get limit+1.
func distance(a, b string, limit int) int {
	la, lb := len(a), len(b)
	if abs(la-lb) > limit {
		return limit + 1
	}
	d := make([][]int, la+1)
	for i := range d {
		d[i] = make([]int, lb+1)
		d[i][0] = i
	}
	for j := 0; j <= lb; j++ {
		d[0][j] = j
	}
	for i := 1; i <= la; i++ {
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[la][lb]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

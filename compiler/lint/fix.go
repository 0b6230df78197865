package lint

import (
	"sort"
)

// Apply applies the fixes of findings that edit only the file name, whose
// content is src. Fixes are taken in order; one whose edits overlap an
// edit already taken is left out (a later run picks it up: jailc lint
// --fix lints again until nothing applies). It returns the new content and
// the number of fixes applied.
func Apply(name string, src []byte, fs []Finding) ([]byte, int) {
	var taken []Edit
	n := 0
	for _, f := range fs {
		for _, fix := range f.Fixes {
			if !fixApplies(name, len(src), fix, taken) {
				continue
			}
			taken = append(taken, fix.Edits...)
			n++
			break // one fix per finding
		}
	}
	if n == 0 {
		return src, 0
	}
	sort.SliceStable(taken, func(i, j int) bool { return taken[i].Start < taken[j].Start })
	out := make([]byte, 0, len(src))
	last := 0
	for _, e := range taken {
		out = append(out, src[last:e.Start]...)
		out = append(out, e.NewText...)
		last = e.End
	}
	out = append(out, src[last:]...)
	return out, n
}

func fixApplies(name string, size int, fix Fix, taken []Edit) bool {
	if len(fix.Edits) == 0 {
		return false
	}
	for i, e := range fix.Edits {
		if e.File != name || e.Start < 0 || e.End < e.Start || e.End > size {
			return false
		}
		for _, t := range taken {
			if overlaps(e, t) {
				return false
			}
		}
		for _, o := range fix.Edits[:i] {
			if overlaps(e, o) {
				return false
			}
		}
	}
	return true
}

// overlaps treats two insertions at the same offset as overlapping, since
// their order would be arbitrary.
func overlaps(a, b Edit) bool {
	if a.Start == b.Start {
		return true
	}
	return a.Start < b.End && b.Start < a.End
}

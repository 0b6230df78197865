package lint

import (
	"strings"
	"unicode/utf8"
)

// Path patterns as Firejail compares them for noblacklist (reference §6.2):
// a blacklist argument is globbed, and each result (or the argument itself
// when the glob matches nothing) is tested against every noblacklist
// pattern read so far with fnmatch(3) in FNM_PATHNAME mode — `*`, `?` and
// `[...]` never match '/', a leading dot is not special, `\` escapes, and
// there is no prefix or "directory contains" matching.
//
// Whether a noblacklist can ever exempt anything a blacklist hides is then a
// question about two patterns: is there a path both match? Patterns are
// compared component by component (neither side's wildcards cross '/', so
// the component counts must agree), and two components intersect when the
// product of their automata reaches the end of both.

type atomKind uint8

const (
	atomLit   atomKind = iota
	atomAny            // ?
	atomStar           // *
	atomClass          // [...]
)

type atom struct {
	kind   atomKind
	r      rune
	ranges []runeRange // atomClass
	negate bool
}

type runeRange struct{ lo, hi rune }

func (a atom) matches(r rune) bool {
	if r == '/' {
		return false
	}
	switch a.kind {
	case atomLit:
		return r == a.r
	case atomAny, atomStar:
		return true
	}
	in := false
	for _, rr := range a.ranges {
		if rr.lo <= r && r <= rr.hi {
			in = true
			break
		}
	}
	return in != a.negate
}

// component is one '/'-separated part of a pattern.
type component struct {
	atoms []atom
	lit   bool   // no wildcard
	text  string // the literal text when lit
}

// pattern is a compiled path pattern.
type pattern struct {
	src   string
	comps []component
}

func compilePattern(s string) *pattern {
	p := &pattern{src: s}
	for _, c := range strings.Split(s, "/") {
		p.comps = append(p.comps, compileComponent(c))
	}
	return p
}

func compileComponent(s string) component {
	var atoms []atom
	lit := true
	var text strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\\':
			if i+n < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[i+n:])
				atoms = append(atoms, atom{kind: atomLit, r: r2})
				text.WriteRune(r2)
				i += n + n2
				continue
			}
		case '?':
			atoms = append(atoms, atom{kind: atomAny})
			lit = false
			i += n
			continue
		case '*':
			atoms = append(atoms, atom{kind: atomStar})
			lit = false
			i += n
			continue
		case '[':
			if a, m, ok := parseClass(s[i+n:]); ok {
				atoms = append(atoms, a)
				lit = false
				i += n + m
				continue
			}
		}
		atoms = append(atoms, atom{kind: atomLit, r: r})
		text.WriteRune(r)
		i += n
	}
	return component{atoms: atoms, lit: lit, text: text.String()}
}

// parseClass reads a bracket expression after '['; it returns the bytes
// consumed including the closing ']'. An unterminated class is not a class
// (fnmatch then matches '[' literally).
func parseClass(s string) (atom, int, bool) {
	a := atom{kind: atomClass}
	i := 0
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		a.negate = true
		i++
	}
	first := true
	for i < len(s) {
		if s[i] == ']' && !first {
			return a, i + 1, true
		}
		first = false
		lo, n := utf8.DecodeRuneInString(s[i:])
		if lo == '\\' && i+n < len(s) {
			i += n
			lo, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			h, m := utf8.DecodeRuneInString(s[i+1:])
			hi = h
			i += 1 + m
		}
		a.ranges = append(a.ranges, runeRange{lo, hi})
	}
	return atom{}, 0, false
}

// matchString reports whether the pattern matches s (fnmatch with
// FNM_PATHNAME).
func (p *pattern) matchString(s string) bool {
	for i, c := range p.comps {
		part, rest, more := strings.Cut(s, "/")
		if more != (i < len(p.comps)-1) {
			return false
		}
		s = rest
		if c.lit {
			if c.text != part {
				return false
			}
			continue
		}
		if !matchAtoms(c.atoms, part) {
			return false
		}
	}
	return true
}

// matchAtoms matches one component's atoms against a string without '/':
// the usual backtracking over the last star.
func matchAtoms(atoms []atom, s string) bool {
	ai, si := 0, 0
	star, starS := -1, 0
	for si < len(s) {
		r, n := utf8.DecodeRuneInString(s[si:])
		switch {
		case ai < len(atoms) && atoms[ai].kind == atomStar:
			star, starS = ai, si
			ai++
		case ai < len(atoms) && atoms[ai].matches(r):
			ai++
			si += n
		case star >= 0:
			_, n0 := utf8.DecodeRuneInString(s[starS:])
			starS += n0
			ai, si = star+1, starS
		default:
			return false
		}
	}
	for ai < len(atoms) && atoms[ai].kind == atomStar {
		ai++
	}
	return ai == len(atoms)
}

// intersects reports whether some path matches both patterns.
func intersects(a, b *pattern) bool {
	if len(a.comps) != len(b.comps) {
		return false
	}
	for i := range a.comps {
		x, y := a.comps[i], b.comps[i]
		switch {
		case x.lit && y.lit:
			if x.text != y.text {
				return false
			}
		case !intersectAtoms(x.atoms, y.atoms):
			return false
		}
	}
	return true
}

// intersectAtoms searches the product automaton of two component patterns
// for a string both accept.
func intersectAtoms(a, b []atom) bool {
	n, m := len(a), len(b)
	seen := make([]bool, (n+1)*(m+1))
	stack := []int{0}
	seen[0] = true
	push := func(i, j int) {
		k := i*(m+1) + j
		if !seen[k] {
			seen[k] = true
			stack = append(stack, k)
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := k/(m+1), k%(m+1)
		if i == n && j == m {
			return true
		}
		if i < n && a[i].kind == atomStar {
			push(i+1, j)
		}
		if j < m && b[j].kind == atomStar {
			push(i, j+1)
		}
		if i < n && j < m && jointly(a[i], b[j]) {
			ni, nj := i+1, j+1
			if a[i].kind == atomStar {
				ni = i
			}
			if b[j].kind == atomStar {
				nj = j
			}
			push(ni, nj)
		}
	}
	return false
}

// jointly reports whether one character satisfies both atoms. The
// candidates are every ASCII character and each range end and its
// neighbours: the set both atoms accept is a union of ranges whose ends are
// among those, so this finds a common character whenever there is one.
func jointly(x, y atom) bool {
	if x.kind == atomLit {
		return y.matches(x.r)
	}
	if y.kind == atomLit {
		return x.matches(y.r)
	}
	if x.kind != atomClass && y.kind != atomClass {
		return true
	}
	for r := rune(1); r < 128; r++ {
		if x.matches(r) && y.matches(r) {
			return true
		}
	}
	for _, a := range []atom{x, y} {
		for _, rr := range a.ranges {
			for _, r := range []rune{rr.lo - 1, rr.lo, rr.lo + 1, rr.hi - 1, rr.hi, rr.hi + 1} {
				if r > 0 && r <= utf8.MaxRune && x.matches(r) && y.matches(r) {
					return true
				}
			}
		}
	}
	return x.matches(utf8.MaxRune) && y.matches(utf8.MaxRune)
}

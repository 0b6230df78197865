package diff

import (
	"path"
	"strings"
)

// pattern is a filesystem rule's path, ready for matching against concrete
// paths the way Firejail does: fnmatch(3) with FNM_PATHNAME, so a pattern
// matches only paths with the same number of components. A rule matches a
// path when it matches the path or one of its parent directories (hiding or
// remounting a directory affects everything below it).
type pattern struct {
	raw    string // as the plan has it, for noblacklist's string comparison
	clean  string // path.Clean(raw)
	depth  int    // number of components
	prefix string // literal text before the first wildcard
	meta   bool   // holds *, ? or [
}

func compilePattern(raw string) pattern {
	c := path.Clean(raw)
	q := pattern{raw: raw, clean: c, depth: depth(c)}
	if i := strings.IndexAny(c, "*?["); i >= 0 {
		q.meta, q.prefix = true, c[:i]
	} else {
		q.prefix = c
	}
	return q
}

// depth counts the components of a clean absolute path ("/" has none).
func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

// ancestorAt returns the parent directory of p (or p itself) that has n
// components.
func ancestorAt(p string, n int) (string, bool) {
	d := depth(p)
	if n > d || n < 0 {
		return "", false
	}
	if n == 0 {
		return "/", true
	}
	if n == d {
		return p, true
	}
	seen := 0
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			seen++
			if seen == n {
				return p[:i], true
			}
		}
	}
	return p, true
}

// covers returns the path among p and its parents that q matches.
func (q pattern) covers(p string) (string, bool) {
	a, ok := ancestorAt(p, q.depth)
	if !ok || !strings.HasPrefix(a, q.prefix) {
		return "", false
	}
	if !q.meta {
		return a, a == q.clean
	}
	m, err := path.Match(q.clean, a)
	return a, err == nil && m
}

// matches reports whether q matches p exactly.
func (q pattern) matches(p string) bool {
	a, ok := q.covers(p)
	return ok && a == p
}

// fnmatch is noblacklist's test: the pattern against the blacklist's glob
// result, as plain strings (no cleaning on either side; reference §6.2).
func fnmatch(pat, name string) bool {
	m, err := path.Match(pat, name)
	return err == nil && m
}

// representative turns a pattern into one concrete path it matches, so a
// glob rule has a path to be evaluated at: * and ? match themselves, a
// bracket expression becomes its first member.
func representative(p string) string {
	if !strings.Contains(p, "[") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '[' {
			b.WriteByte(p[i])
			continue
		}
		j := i + 1
		neg := j < len(p) && (p[j] == '!' || p[j] == '^')
		if neg {
			j++
		}
		end := strings.IndexByte(p[j+1:], ']')
		if j >= len(p) || end < 0 {
			b.WriteByte(p[i])
			continue
		}
		end += j + 1
		c := p[j]
		if c == '\\' && j+1 < end {
			c = p[j+1]
		}
		if neg {
			c = '_'
			if strings.IndexByte(p[j:end], '_') >= 0 {
				c = '~'
			}
		}
		b.WriteByte(c)
		i = end
	}
	return b.String()
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(p, "/")
	}
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// ancestors returns p and each parent directory, innermost first.
func ancestors(p string) []string {
	out := []string{p}
	for p != "/" && p != "." && p != "" {
		p = path.Dir(p)
		out = append(out, p)
	}
	return out
}

package lint

import (
	"path"
	"testing"
)

// TestMatchString compares the pattern matcher with path.Match, which
// implements the same FNM_PATHNAME rules for the syntax both share (no
// '!' negation, which path.Match spells '^').
func TestMatchString(t *testing.T) {
	patterns := []string{
		"/home/u/.ssh", "/home/u/.ssh/*", "/home/u/.*", "/home/u/.moz*", "/usr/bin/nc", "/usr/*/nc",
		"/etc/sh?dow", "/etc/[a-c]*", "/home/u/*/x", "/home/u/*", "*", "/a*b*c", "/a/\\*", "/x/[^a]y", "",
	}
	names := []string{
		"/home/u/.ssh", "/home/u/.ssh/id", "/home/u/.mozilla", "/home/u/.moz", "/home/u/x/.ssh", "/usr/bin/nc",
		"/usr/sbin/nc", "/usr/local/bin/nc", "/etc/shadow", "/etc/sh/dow", "/etc/bash.bashrc", "/etc/dbus",
		"/home/u/a/x", "/home/u/a/b/x", "/home/u", "abc", "/aXbYc", "/abc", "/ab", "/a/*", "/a/b", "/x/by", "/x/ay", "",
	}
	for _, pat := range patterns {
		p := compilePattern(pat)
		for _, n := range names {
			want, err := path.Match(pat, n)
			if err != nil {
				t.Fatalf("path.Match(%q): %v", pat, err)
			}
			if got := p.matchString(n); got != want {
				t.Errorf("%q matching %q: %v, path.Match says %v", pat, n, got, want)
			}
		}
	}
}

func TestIntersects(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"/home/u/.moz*", "/home/u/.mozilla", true},
		{"/home/u/.ssh/x", "/home/u/.ssh", false}, // no prefix matching
		{"/home/u/.c*", "/home/u/.cache", true},
		{"/home/u/*.txt", "/home/u/a*", true},
		{"/home/u/*.txt", "/home/u/*.pdf", false},
		{"/etc/[ab]", "/etc/[bc]", true},
		{"/etc/[ab]", "/etc/[cd]", false},
		{"/usr/*/nc", "/usr/bin/*", true},
	} {
		if got := intersects(compilePattern(c.a), compilePattern(c.b)); got != c.want {
			t.Errorf("intersects(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

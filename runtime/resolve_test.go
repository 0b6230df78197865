package runtime

import (
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
)

// resolve must agree with filepath.EvalSymlinks (and os.Stat for the
// kind) on every path: relative and absolute links, chains, links to
// directories, links through linked directories, "..", dangling links and
// loops.
func TestResolveMatchesEvalSymlinks(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"usr/bin", "usr/lib/llvm/bin", "etc/alt", "data"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"usr/bin/real", "usr/lib/llvm/bin/clang", "data/file"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"bin":                  "usr/bin",                        // relative link to a directory (merged /usr)
		"usr/bin/clang":        "../lib/llvm/bin/clang",          // relative with ..
		"usr/bin/cc":           "clang",                          // chain
		"usr/bin/abs":          filepath.Join(root, "data/file"), // absolute
		"etc/alt/editor":       "../../usr/bin/cc",               // chain through ..
		"usr/bin/dangling":     "nowhere",
		"usr/bin/loop1":        "loop2",
		"usr/bin/loop2":        "loop1",
		"data/dirlink":         "../usr/lib",
		"data/self":            ".",
		"usr/lib/llvm/current": "bin",
	}
	for l, target := range links {
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{
		"", "usr", "usr/bin", "bin", "bin/real", "bin/clang", "bin/cc", "bin/abs", "etc/alt/editor",
		"bin/dangling", "bin/loop1", "data/dirlink/llvm/bin/clang", "data/dirlink/llvm/current/clang",
		"data/self/self/file", "bin/../lib/llvm", "bin/missing", "data/file/x", "data/dirlink/../bin/real",
	}
	// Once with lstat only, once answered from directory listings (their
	// names and d_types).
	for _, listed := range []bool{false, true} {
		sb := &sandbox{}
		if listed {
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					sb.listing(p)
				}
				return nil
			})
			if l := sb.listing(filepath.Join(root, "usr/bin")); !l.ok || !l.has("cc") || l.has("nope") {
				t.Fatalf("listing of usr/bin: %+v", l)
			}
		}
		for _, rel := range paths {
			p := filepath.Join(root, rel)
			want, werr := filepath.EvalSymlinks(p)
			wantDir := false
			if werr == nil {
				st, err := os.Stat(want)
				if err != nil {
					t.Fatal(err)
				}
				wantDir = st.IsDir()
			}
			got, gotDir, ok := sb.resolve(p)
			if ok != (werr == nil) || got != want || gotDir != wantDir {
				t.Errorf("listed %v: resolve(%s) = %q, dir %v, ok %v; EvalSymlinks: %q, dir %v, err %v", listed, rel, got, gotDir, ok, want, wantDir, werr)
			}
		}
	}
}

// matcher and pathMatcher must answer exactly as path.Match.
func TestMatchersAgreeWithPathMatch(t *testing.T) {
	patterns := []string{"*", "a*", "*a", "*-gcc*", "a*b*c", "x*x", "ab*ba", "*.*", "gcc-[0-9]*", "a?c", "\\*", "[", "", "abc"}
	names := []string{"", "a", "aa", "aba", "abba", "abcba", "x86_64-linux-gnu-gcc-12", "gcc-12", "gcc-x", "abc", "xx", "x", "*", "a.b", "a/b"}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		patterns = append(patterns, randomString(r, "ab*", 6))
		names = append(names, randomString(r, "ab", 6))
	}
	for _, pat := range patterns {
		m := matcher(pat)
		for _, n := range names {
			want, _ := path.Match(pat, n)
			if got := m(n); got != want {
				t.Fatalf("matcher(%q)(%q) = %v, path.Match says %v", pat, n, got, want)
			}
		}
	}
	for _, pat := range []string{"/root/.ssh", "/root/.config/*notifyrc", "/usr/bin/*-gcc*", "/proc/sys/*/*", "/a/[bc]/d", "/a/b?"} {
		m := pathMatcher(pat)
		for _, p := range []string{"/root/.ssh", "/root/.ssh/x", "/root/.config/knotifyrc", "/root/.config/a/notifyrc", "/usr/bin/x-gcc-12", "/usr/bin/gcc",
			"/proc/sys/kernel/x", "/proc/sys/kernel", "/a/b/d", "/a/d/d", "/a/bc", "/a/b"} {
			want, _ := path.Match(pat, p)
			if got := m(p); got != want {
				t.Errorf("pathMatcher(%q)(%q) = %v, path.Match says %v", pat, p, got, want)
			}
		}
	}
}

func randomString(r *rand.Rand, alphabet string, max int) string {
	b := make([]byte, r.Intn(max+1))
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}

// cleanPath must give filepath.Clean's answer for every path.
func TestCleanPathMatchesClean(t *testing.T) {
	paths := []string{"", "/", ".", "..", "/.", "/..", "//", "/a/", "a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "./a", "../a",
		"/root/.ssh", "/.bashrc", "/..foo", "/...", "/a/.../b", "a", "/usr/bin/x86_64-linux-gnu-gcc-12", "/a/b/", "a/.b/..c/."}
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 20000; i++ {
		paths = append(paths, randomString(r, "/.ab", 8))
	}
	for _, p := range paths {
		if got, want := cleanPath(p), filepath.Clean(p); got != want {
			t.Fatalf("cleanPath(%q) = %q, filepath.Clean says %q", p, got, want)
		}
	}
}

// glob must give filepath.Glob's matches, in its order: wildcards in the
// last element and in directories, symlinked directories, files where a
// directory is expected, unreadable and missing directories, bad patterns.
func TestGlobMatchesFilepathGlob(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"sys/kernel/a", "sys/vm", "sys/fs/binfmt", "sys/net/core", "usr/bin", "home/.config/app1", "home/.config/app2", "home/.cache"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"sys/kernel/core_pattern", "sys/kernel/x", "sys/vm/panic_on_oom", "sys/vm/x", "sys/file",
		"usr/bin/gcc-12", "usr/bin/x86_64-linux-gnu-gcc-12", "usr/bin/cc", "usr/bin/[", "home/.config/app1/rc", "home/.config/app2/rc", "home/.config/knotifyrc"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("usr/bin", filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("kernel", filepath.Join(root, "sys/klink")); err != nil {
		t.Fatal(err)
	}
	patterns := []string{"sys/*/*", "sys/*/core_pattern", "sys/*", "sys/k*/x", "sys/*/*/*", "bin/*gcc*", "bin/[", "bin/\\[", "usr/bin/*-gcc*",
		"home/.config/*/rc", "home/.config/*rc", "home/*/app?/rc", "home/.c*", "missing/*", "missing/*/x", "sys/file/*", "sys/[/x", "sys/*/[", "*/*/*",
		"sys/kernel/core_pattern", "sys/kernel/nope", "sys/[kv]*/x"}
	sb := &sandbox{}
	for _, rel := range patterns {
		pat := filepath.Join(root, rel)
		want, _ := filepath.Glob(pat)
		got := sb.glob(pat)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("glob(%s):\n got %q\nwant %q", rel, got, want)
		}
	}
}

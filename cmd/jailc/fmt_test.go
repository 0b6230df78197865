package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const (
	fmtMessy = "private-tmp\nnonewprivs  \n\n\n?HAS_NET :nosound\nprivate-bin zsh,bash\ncaps.drop all"
	fmtClean = "nonewprivs\n\ncaps.drop all\n?HAS_NET: nosound\n\nprivate-tmp\n\nprivate-bin bash,zsh\n"
)

func TestFmtStdout(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.profile", fmtMessy)
	code, out, errs := jailc(t, "fmt", p)
	if code != 0 || out != fmtClean || errs != "" {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, errs, out)
	}
	if data, _ := os.ReadFile(p); string(data) != fmtMessy {
		t.Error("fmt without -w changed the file")
	}
	// Several files: the outputs one after the other.
	q := write(t, dir, "b.profile", "noroot\n")
	if code, out, _ := jailc(t, "fmt", p, q); code != 0 || out != fmtClean+"noroot\n" {
		t.Errorf("two files: exit %d, output %q", code, out)
	}
}

func TestFmtList(t *testing.T) {
	dir := t.TempDir()
	messy := write(t, dir, "a.profile", fmtMessy)
	clean := write(t, dir, "b.profile", fmtClean)
	code, out, _ := jailc(t, "fmt", "-l", messy, clean)
	want := messy + ": final-newline, whitespace, conditional, list-order, line-order, blank-lines\n"
	if code != 1 || out != want {
		t.Errorf("-l: exit %d, output %q, want %q", code, out, want)
	}
	if code, out, _ := jailc(t, "fmt", "-l", clean); code != 0 || out != "" {
		t.Errorf("-l on a formatted file: exit %d, output %q", code, out)
	}
	// A directory stands for the profile files in it.
	write(t, dir, "notes.txt", "not a profile\n")
	if code, out, _ := jailc(t, "fmt", "-l", dir); code != 1 || out != want {
		t.Errorf("-l DIR: exit %d, output %q", code, out)
	}
}

func TestFmtDiff(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.profile", "caps.drop all\nnoroot\nnonewprivs\n")
	code, out, _ := jailc(t, "fmt", "-d", p)
	want := "--- " + p + "\n+++ " + p + " (formatted)\n@@ -1,3 +1,3 @@\n caps.drop all\n-noroot\n nonewprivs\n+noroot\n"
	if code != 1 || out != want {
		t.Errorf("-d: exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}
	if data, _ := os.ReadFile(p); string(data) != "caps.drop all\nnoroot\nnonewprivs\n" {
		t.Error("-d changed the file")
	}
	q := write(t, dir, "b.profile", "noroot\n")
	if code, out, _ := jailc(t, "fmt", "-d", q); code != 0 || out != "" {
		t.Errorf("-d on a formatted file: exit %d, output %q", code, out)
	}
}

// TestUnifiedDiffApplies checks the diff writer by applying its output:
// random edits of random line lists, with and without final newlines.
func TestUnifiedDiffApplies(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	words := []string{"a", "b", "c", "d", "e", "", "f"}
	gen := func() string {
		var b strings.Builder
		for i := rng.IntN(30); i > 0; i-- {
			b.WriteString(words[rng.IntN(len(words))] + "\n")
		}
		s := b.String()
		if s != "" && rng.IntN(4) == 0 {
			s = strings.TrimSuffix(s, "\n")
		}
		return s
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		d := unifiedDiff("f", []byte(a), []byte(b))
		if (d == "") != (a == b) {
			t.Fatalf("diff of %q and %q: %q", a, b, d)
		}
		if d == "" {
			continue
		}
		got, err := applyUnified(a, d)
		if err != nil || got != b {
			t.Fatalf("applying the diff of %q → %q gives %q (%v):\n%s", a, b, got, err, d)
		}
	}
}

// applyUnified applies a unified diff made by unifiedDiff, checking every
// context and removed line against the original.
func applyUnified(a, d string) (string, error) {
	src := diffLines([]byte(a))
	lines := strings.SplitAfter(d, "\n")
	var out []string
	pos := 0
	for i := 2; i < len(lines) && lines[i] != ""; {
		var x, nx, y, ny int
		h := lines[i]
		if _, err := fmt.Sscanf(h, "@@ -%s +%s @@", new(string), new(string)); err != nil {
			return "", fmt.Errorf("bad hunk header %q", h)
		}
		f := strings.Fields(h)
		x, nx = hunkNums(f[1][1:])
		y, ny = hunkNums(f[2][1:])
		_ = y
		_ = ny
		start := x - 1
		if nx == 0 {
			start = x
		}
		if start < pos {
			return "", fmt.Errorf("hunks overlap")
		}
		out = append(out, src[pos:start]...)
		pos = start
		i++
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i][1:]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
				l = strings.TrimSuffix(l, "\n")
			}
			switch lines[i][0] {
			case ' ', '-':
				if pos >= len(src) || src[pos] != l {
					return "", fmt.Errorf("line %d: %q does not match %q", pos+1, l, src[min(pos, len(src)-1)])
				}
				if lines[i][0] == ' ' {
					out = append(out, l)
				}
				pos++
			case '+':
				out = append(out, l)
			}
			i++
			if i < len(lines) && strings.HasPrefix(lines[i], `\ No newline`) {
				i++
			}
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, ""), nil
}

func hunkNums(s string) (int, int) {
	a, b, ok := strings.Cut(s, ",")
	x, _ := strconv.Atoi(a)
	if !ok {
		return x, 1
	}
	n, _ := strconv.Atoi(b)
	return x, n
}

func TestFmtWrite(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.profile", fmtMessy)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	clean := write(t, dir, "b.profile", fmtClean)
	before, _ := os.Stat(clean)
	code, out, errs := jailc(t, "fmt", "-w", p, clean)
	if code != 0 || out != "" || errs != "" {
		t.Errorf("-w: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if data, _ := os.ReadFile(p); string(data) != fmtClean {
		t.Errorf("-w wrote:\n%s", data)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("-w changed the mode to %v", st.Mode().Perm())
	}
	// An unchanged file is not rewritten (same inode, no temp file left).
	after, _ := os.Stat(clean)
	if before.Sys().(*syscall.Stat_t).Ino != after.Sys().(*syscall.Stat_t).Ino {
		t.Error("-w replaced a file that needed no change")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("-w left files behind: %v", entries)
	}
	// -w -l writes and lists; the exit status is 0 (nothing is left to fix).
	q := write(t, dir, "c.profile", "noroot\nnonewprivs\n")
	if code, out, _ := jailc(t, "fmt", "-w", "-l", q); code != 0 || out != q+": line-order\n" {
		t.Errorf("-w -l: exit %d, output %q", code, out)
	}
	if data, _ := os.ReadFile(q); string(data) != "nonewprivs\nnoroot\n" {
		t.Errorf("-w -l wrote %q", data)
	}
}

func TestFmtWriteSymlinkKeepsLink(t *testing.T) {
	dir := t.TempDir()
	target := write(t, dir, "real.profile", "noroot\nnonewprivs\n")
	link := filepath.Join(dir, "link.profile")
	if err := os.Symlink("real.profile", link); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := jailc(t, "fmt", "-w", link); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Error("-w replaced the symlink")
	}
	if data, _ := os.ReadFile(target); string(data) != "nonewprivs\nnoroot\n" {
		t.Errorf("target holds %q", data)
	}
}

func TestFmtRefusesAndKeepsFile(t *testing.T) {
	dir := t.TempDir()
	bad := "nonewprivs\nblacklist /a\rnoroot\n"
	p := write(t, dir, "a.profile", bad)
	good := write(t, dir, "b.profile", "noroot\nnonewprivs\n")
	code, out, errs := jailc(t, "fmt", "-w", p, good)
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errs, p+":2:13: error: carriage return in the middle of a line") || !strings.Contains(errs, p+": not formatted") {
		t.Errorf("stderr: %q", errs)
	}
	if data, _ := os.ReadFile(p); string(data) != bad {
		t.Error("a refused file was changed")
	}
	// The other file is still formatted.
	if data, _ := os.ReadFile(good); string(data) != "nonewprivs\nnoroot\n" {
		t.Errorf("the good file holds %q", data)
	}
	if code, _, errs := jailc(t, "fmt", filepath.Join(dir, "missing.profile")); code != 1 || !strings.Contains(errs, "missing.profile") {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := jailc(t, "fmt"); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
}

func TestFmtWriteRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.profile")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	code, _, errs := jailc(t, "fmt", "-w", fifo)
	if code != 1 || !strings.Contains(errs, "not a regular file") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
}

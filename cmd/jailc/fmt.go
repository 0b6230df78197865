package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/format"
)

// fmtCmd is `jailc fmt`. It formats files, not resolved profiles: includes
// are not followed, so it takes none of the profile flags.
//
// Exit status: 0 when every file was formatted (or, with -l or -d, when no
// file would change); 1 when a file could not be read, parsed or written,
// or, with -l or -d and without -w, when some file would change (so
// `jailc fmt -l` can gate CI); 2 on a usage error.
type fmtCmd struct {
	Write bool     `short:"w" help:"Write the result back to each file that changes, atomically, keeping its mode; unchanged files are not touched."`
	Diff  bool     `short:"d" help:"Print a unified diff of what would change instead of the formatted text."`
	List  bool     `short:"l" help:"List the files that would change, each with the kinds of change (line-order, blank-lines, whitespace, ...)."`
	Files []string `arg:"" name:"file" help:"Profiles or include files; a directory stands for the *.profile, *.inc and *.local files under it."`
}

func (c *fmtCmd) Run(env *runEnv) error {
	files, err := fmtFiles(c.Files)
	if err != nil {
		return err
	}
	failed, changed := false, false
	for _, name := range files {
		ch, err := c.one(env, name)
		if err != nil {
			fmt.Fprintln(env.stderr, "jailc:", err)
			failed = true
		}
		changed = changed || ch
	}
	if failed || (changed && (c.List || c.Diff) && !c.Write) {
		env.status = exitProblems
	}
	return nil
}

// one formats a file and reports whether it would change (or changed).
func (c *fmtCmd) one(env *runEnv, name string) (bool, error) {
	if c.Write {
		// -w replaces the file: only a regular file (possibly behind a
		// symlink, which is kept) can be replaced without surprises.
		st, err := os.Stat(name)
		if err != nil {
			return false, err
		}
		if !st.Mode().IsRegular() {
			return false, fmt.Errorf("%s: not a regular file; -w rewrites regular files only", name)
		}
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return false, err
	}
	res, diags := format.Source(name, src)
	if res == nil {
		if err := diag.WriteText(env.stderr, diags); err != nil {
			return false, err
		}
		return false, fmt.Errorf("%s: not formatted (the file is unchanged)", name)
	}
	changed := len(res.Changes) > 0
	if c.List && changed {
		var kinds []string
		for _, k := range res.Kinds() {
			kinds = append(kinds, string(k))
		}
		fmt.Fprintf(env.stdout, "%s: %s\n", name, strings.Join(kinds, ", "))
	}
	if c.Diff && changed {
		if _, err := io.WriteString(env.stdout, unifiedDiff(name, src, res.Output)); err != nil {
			return changed, err
		}
	}
	if c.Write && changed {
		if err := writeAtomic(name, res.Output); err != nil {
			return changed, err
		}
	}
	if !c.Write && !c.List && !c.Diff {
		if _, err := env.stdout.Write(res.Output); err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// fmtFiles expands directory arguments into the profile files under them,
// sorted; other arguments are kept as given.
func fmtFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			out = append(out, a) // errors are reported per file
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && isProfileName(d.Name()) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, usageError{errors.New(a + ": no *.profile, *.inc or *.local files")}
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func isProfileName(n string) bool {
	return !strings.HasPrefix(n, ".") &&
		(strings.HasSuffix(n, ".profile") || strings.HasSuffix(n, ".inc") || strings.HasSuffix(n, ".local"))
}

// unifiedDiff returns a unified diff (3 lines of context) from a to b, or
// "" when they are equal. Lines are compared whole; a missing final
// newline is marked as diff(1) does.
func unifiedDiff(name string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	x, y := diffLines(a), diffLines(b)
	ops := lcsOps(x, y)
	const context = 3
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s (formatted)\n", name, name)
	// Group the edits into hunks: runs of changes less than 2*context
	// equal lines apart.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-context, 0)
		for start < i && ops[start].kind != ' ' {
			start++
		}
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, run)
				break
			}
			end = run
		}
		ax, ay, nx, ny := ops[start].ax, ops[start].ay, 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				nx++
			}
			if o.kind != '-' {
				ny++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(ax, nx), hunkRange(ay, ny))
		for _, o := range ops[start:end] {
			line := o.text
			out.WriteByte(o.kind)
			out.WriteString(strings.TrimSuffix(line, "\n"))
			out.WriteByte('\n')
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start) // the line before an empty range
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// diffLines splits text into lines, each with its "\n" (the last may lack
// it).
func diffLines(b []byte) []string {
	var out []string
	s := string(b)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ax, ay int // lines of a and b before this one
}

// lcsOps is a line diff by longest common subsequence, after trimming the
// common prefix and suffix. Profiles are small (the largest stock file has
// about 1,300 lines), so the quadratic table is cheap.
func lcsOps(x, y []string) []diffOp {
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	n, m := len(mx), len(my)
	// t[i][j]: LCS length of mx[i:] and my[j:].
	t := make([][]int32, n+1)
	for i := range t {
		t[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if mx[i] == my[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	var ops []diffOp
	ax, ay := 0, 0
	add := func(kind byte, text string) {
		ops = append(ops, diffOp{kind: kind, text: text, ax: ax, ay: ay})
		if kind != '+' {
			ax++
		}
		if kind != '-' {
			ay++
		}
	}
	for _, l := range x[:pre] {
		add(' ', l)
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && mx[i] == my[j]:
			add(' ', mx[i])
			i++
			j++
		case j < m && (i == n || t[i][j+1] >= t[i+1][j]):
			if i < n && t[i][j+1] == t[i+1][j] {
				// Prefer deletions first, as diff(1) prints them.
				add('-', mx[i])
				i++
				continue
			}
			add('+', my[j])
			j++
		default:
			add('-', mx[i])
			i++
		}
	}
	for _, l := range x[len(x)-suf:] {
		add(' ', l)
	}
	return ops
}

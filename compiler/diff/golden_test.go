package diff_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/diff"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// Golden tests: testdata/diff/*.txtar. Each archive holds old.profile and
// new.profile (and any files they include), compiled for the user "user"
// (uid 1000, home /home/user; a comment line "root" compiles for root),
// and out/diff, the expected `jailc diff` text with the archive's
// directory shown as $WORK. JAILC_UPDATE=1 rewrites out/diff; review the
// result before committing it.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/diff/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden archives")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) { golden(t, path) })
	}
}

// compileFiles writes files into a new directory and compiles old.profile
// and new.profile from there.
func compileFiles(t *testing.T, root bool, files map[string]string) (old, new *plan.Plan, dir string) {
	t.Helper()
	dir = t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := macro.NewEnv("user", 1000, "/home/user")
	if root {
		env = macro.NewEnv("root", 0, "/root")
	}
	env.PATH = macro.SplitPATH("")
	env.Root = t.TempDir()
	cfg := config.Default()
	compile := func(name string) *plan.Plan {
		u := resolve.Load(filepath.Join(dir, name), resolve.Options{IncludeDirs: []string{dir}, Env: env, Config: cfg, NoCWD: true})
		res := check.Check(u, check.Options{Config: cfg, Env: env, Root: root, Stat: func(string) (bool, bool) { return true, true }})
		p, err := build.Build(res, build.Options{Env: env, Config: cfg})
		if err != nil {
			var b strings.Builder
			for _, d := range res.Diags {
				b.WriteString(d.String() + "\n")
			}
			t.Fatalf("%s: %v\n%s", name, err, b.String())
		}
		return p
	}
	return compile("old.profile"), compile("new.profile"), dir
}

func golden(t *testing.T, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root := strings.TrimSpace(string(ar.Comment)) == "root"
	files := map[string]string{}
	var want []byte
	for _, f := range ar.Files {
		if f.Name == "out/diff" {
			want = f.Data
			continue
		}
		files[f.Name] = string(f.Data)
	}
	old, new, dir := compileFiles(t, root, files)
	r, err := diff.Diff(old, new, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := diff.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	got := bytes.ReplaceAll(b.Bytes(), []byte(dir+"/"), []byte("$WORK/"))
	if os.Getenv("JAILC_UPDATE") != "" {
		var out []txtar.File
		for _, f := range ar.Files {
			if f.Name != "out/diff" {
				out = append(out, f)
			}
		}
		ar.Files = append(out, txtar.File{Name: "out/diff", Data: got})
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("diff output differs from out/diff (rerun with JAILC_UPDATE=1 and review):\n--- want\n%s\n--- got\n%s", want, got)
	}
	// The report is symmetric: swapping the plans swaps loosen and
	// tighten and keeps the number of changes of each other kind.
	back, err := diff.Diff(new, old, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Summary.Loosen != r.Summary.Tighten || back.Summary.Tighten != r.Summary.Loosen || back.Summary.Change != r.Summary.Change {
		t.Errorf("reverse diff is not the mirror image: forward %+v, reverse %+v", r.Summary, back.Summary)
	}
}

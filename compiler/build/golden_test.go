package build_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/compiler/why"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// Golden tests: testdata/plan/*.txtar. The first file is compiled for the
// user "user" (uid 1000, home /home/user; header line "root" compiles for
// root, "cond NAME=BOOL" forces a conditional, "xdg DIR" creates
// /home/user/DIR under a fake root for XDG lookups). A "why" file lists
// queries: "path P", "syscall NAME ARCH", "cap NAME", "env NAME". The
// archive's out/plan and out/why hold the expected outputs; run with
// JAILC_UPDATE=1 to rewrite them (then read the diff: a golden is only as
// good as the review it got).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/plan/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden archives")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) { golden(t, path) })
	}
}

func golden(t *testing.T, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fakeRoot := t.TempDir()
	env := macro.NewEnv("user", 1000, "/home/user")
	env.PATH = []string{"/usr/local/bin", "/usr/bin", "/bin"}
	env.Root = fakeRoot
	conds := map[string]bool{}
	for _, l := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 1 && f[0] == "root":
			env = macro.NewEnv("root", 0, "/root")
			env.PATH = []string{"/usr/local/bin", "/usr/bin", "/bin"}
			env.Root = fakeRoot
		case len(f) == 2 && f[0] == "cond":
			k, v, _ := strings.Cut(f[1], "=")
			conds[k] = v == "true"
		case len(f) == 2 && f[0] == "xdg":
			if err := os.MkdirAll(filepath.Join(fakeRoot, env.Home, f[1]), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	var queries []string
	var wantPlan, wantWhy []byte
	var profiles []txtar.File
	for _, f := range ar.Files {
		switch f.Name {
		case "why":
			for _, q := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
				if q = strings.TrimSpace(q); q != "" {
					queries = append(queries, q)
				}
			}
		case "out/plan":
			wantPlan = f.Data
		case "out/why":
			wantWhy = f.Data
		default:
			profiles = append(profiles, f)
			p := filepath.Join(dir, f.Name)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// userdirs: a profile-side file named user-dirs.dirs is placed in the
	// fake home for XDG tests.
	if ud := filepath.Join(dir, "user-dirs.dirs"); fileExists(ud) {
		cfgDir := filepath.Join(fakeRoot, env.Home, ".config")
		os.MkdirAll(cfgDir, 0o755)
		data, _ := os.ReadFile(ud)
		os.WriteFile(filepath.Join(cfgDir, "user-dirs.dirs"), data, 0o644)
	}
	cfg := config.Default()
	u := resolve.Load(filepath.Join(dir, profiles[0].Name), resolve.Options{IncludeDirs: []string{dir}, Env: env, Config: cfg, Conditions: conds, NoCWD: true})
	res := check.Check(u, check.Options{Config: cfg, Env: env, Root: env.UID == 0, Stat: func(string) (bool, bool) { return true, true }})
	p, err := build.Build(res, build.Options{Env: env, Config: cfg})
	if err != nil {
		var b bytes.Buffer
		for _, d := range res.Diags {
			b.WriteString(d.String() + "\n")
		}
		t.Fatalf("%v\n%s", err, b.String())
	}
	var gotPlan bytes.Buffer
	if err := plan.WriteText(&gotPlan, p); err != nil {
		t.Fatal(err)
	}
	var gotWhy bytes.Buffer
	for _, q := range queries {
		f := strings.Fields(q)
		gotWhy.WriteString("$ why " + q + "\n")
		switch f[0] {
		case "path":
			gotWhy.WriteString(why.Path(p, f[1], env.PATH))
		case "syscall":
			out, err := why.Syscall(p, f[1], sysnum.Lookup(f[2]))
			if err != nil {
				out = "error: " + err.Error() + "\n"
			}
			gotWhy.WriteString(out)
		case "cap":
			gotWhy.WriteString(why.Cap(p, f[1]))
		case "env":
			gotWhy.WriteString(why.Env(p, f[1]))
		default:
			t.Fatalf("unknown query %q", q)
		}
	}
	clean := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(dir+"/"), []byte("$WORK/")) }
	gp, gw := clean(gotPlan.Bytes()), clean(gotWhy.Bytes())
	if os.Getenv("JAILC_UPDATE") != "" {
		var out []txtar.File
		for _, f := range ar.Files {
			if f.Name != "out/plan" && f.Name != "out/why" {
				out = append(out, f)
			}
		}
		out = append(out, txtar.File{Name: "out/plan", Data: gp})
		if len(queries) > 0 {
			out = append(out, txtar.File{Name: "out/why", Data: gw})
		}
		ar.Files = out
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(gp, wantPlan) {
		t.Errorf("plan differs from out/plan (rerun with JAILC_UPDATE=1 and review):\n%s", lineDiff(string(wantPlan), string(gp)))
	}
	if len(queries) > 0 && !bytes.Equal(gw, wantWhy) {
		t.Errorf("why differs from out/why:\n%s", lineDiff(string(wantWhy), string(gw)))
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("- " + a + "\n+ " + c + "\n")
		}
	}
	return b.String()
}

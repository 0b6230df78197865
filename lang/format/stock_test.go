package format_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/format"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/lang/parse"
	"github.com/jailc/jailc/lang/source"
)

const stockDir = "/etc/firejail"

func stockFiles(t testing.TB) []string {
	t.Helper()
	profiles, _ := filepath.Glob(stockDir + "/*.profile")
	incs, _ := filepath.Glob(stockDir + "/*.inc")
	if len(profiles) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: /etc/firejail has no profiles; .ci/run must install firejail-profiles")
		}
		t.Skip("firejail-profiles is not installed; the stock corpus test needs /etc/firejail")
	}
	return append(profiles, incs...)
}

// TestStockPlansUnchanged is the formatter's contract on the whole stock
// corpus: /etc/firejail is copied, every profile and include in the copy
// is formatted (so includes resolve to formatted siblings), and every
// profile compiles to the same plan from the copy as from the original
// (origins and line numbers aside, set-like lists compared as sets, and
// the filesystem passes compared up to the reorderings Firejail cannot
// observe). Formatting is also checked idempotent and line-preserving on
// every file.
func TestStockPlansUnchanged(t *testing.T) {
	files := stockFiles(t)
	tmp := t.TempDir()
	entries, err := os.ReadDir(stockDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(stockDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changed := 0
	kinds := map[format.Kind]int{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, diags := format.Source(f, src)
		if res == nil {
			t.Errorf("%s: refused: %v", f, diags)
			continue
		}
		again, _ := format.Source(f, res.Output)
		if again == nil || string(again.Output) != string(res.Output) || len(again.Changes) != 0 {
			t.Errorf("%s: formatting is not idempotent", f)
		}
		if err := sameCommands(src, res.Output); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if len(res.Changes) > 0 {
			changed++
			for _, k := range res.Kinds() {
				kinds[k]++
			}
		}
		if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), res.Output, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of %d stock files change: %v", changed, len(files), kinds)

	profiles, _ := filepath.Glob(stockDir + "/*.profile")
	cfg := filepath.Join(stockDir, "firejail.config")
	var wg sync.WaitGroup
	var mu sync.Mutex
	compared := 0
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			orig, err1 := frontend.NewSession(frontend.Options{SystemDir: stockDir, NoUserDir: true, ConfigPath: cfg})
			fmtd, err2 := frontend.NewSession(frontend.Options{SystemDir: tmp, NoUserDir: true, ConfigPath: cfg})
			if err1 != nil || err2 != nil {
				t.Error(err1, err2)
				return
			}
			for i := w; i < len(profiles); i += 2 {
				name := filepath.Base(profiles[i])
				a, errA := compile(orig, filepath.Join(stockDir, name), stockDir)
				b, errB := compile(fmtd, filepath.Join(tmp, name), tmp)
				if errA != nil || errB != nil {
					if (errA == nil) != (errB == nil) {
						t.Errorf("%s: compiles %v before formatting, %v after", name, errA, errB)
					}
					continue
				}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s: formatting changed the plan:\n%s", name, jsonDiff(a, b))
				}
				mu.Lock()
				compared++
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if compared < 1200 {
		t.Errorf("only %d profiles compared", compared)
	}
	t.Logf("%d profiles compile to the same plan before and after formatting", compared)
}

func compile(s *frontend.Session, path, dir string) (*plan.Plan, error) {
	res := s.Check(path)
	p, err := build.Build(res, build.Options{Env: s.Env(), Config: s.Config()})
	if err != nil {
		return nil, err
	}
	return normalPlan(p, dir)
}

// normalPlan is a plan with what formatting may legitimately change
// taken out:
//   - origins (file, line, column, the line's text);
//   - the directory the profiles were read from;
//   - the order of lists that are sets to Firejail (private-* items,
//     switches and flags, syscall, protocol and namespace lists as written,
//     D-Bus rules, kept fds, rlimits, conditions evaluated, notes);
//   - the order of adjacent argument rules with one action (sortRuleRuns);
//   - in the blacklist pass, where noblacklists sit between two blacklists
//     (a noblacklist affects only later blacklists, reference §6.2); in the
//     whitelist pass, the order of adjacent nowhitelists.
//
// Everything else, the resolved seccomp policies, the environment, network
// and the filesystem passes included, must be identical.
func normalPlan(p *plan.Plan, dir string) (*plan.Plan, error) {
	stripOrigins(reflect.ValueOf(p).Elem())
	p.Profile = strings.Replace(p.Profile, dir+"/", "$DIR/", 1)
	for i, f := range p.Files {
		p.Files[i] = strings.Replace(f, dir+"/", "$DIR/", 1)
	}
	for i := range p.Ignored {
		p.Ignored[i].By = ""
	}
	fs := &p.Filesystem
	for _, l := range []*[]plan.Item{&fs.PrivateHome, &fs.PrivateEtc, &fs.PrivateOpt, &fs.PrivateSrv, &fs.PrivateBin, &fs.PrivateLib,
		&p.Seccomp.List, &p.Seccomp.List32, &p.Seccomp.Protocol, &p.Seccomp.RestrictNamespaces, &p.Seccomp.PostExec,
		&p.Misc.DBusRules, &p.Misc.KeepFD} {
		sortBy(*l, func(x plan.Item) string { return x.Value })
	}
	sortBy(fs.Switches, func(x plan.Switch) string { return x.Name })
	sortBy(p.Misc.Flags, func(x plan.Switch) string { return x.Name })
	sortBy(p.Resources.Rlimits, func(x plan.Rlimit) string { return x.Name })
	sortBy(p.Bindings.Conditions, func(x plan.Condition) string { return fmt.Sprint(x.Name, x.Value) })
	sortBy(p.Ignored, func(x plan.IgnoredOp) string { return x.Why })
	sortBy(p.Unsupported, func(x plan.Issue) string { return x.Code + x.Message })
	sortBy(p.Divergences, func(x plan.Issue) string { return x.Code + x.Message })
	for i := range p.Seccomp.Policies {
		for j := range p.Seccomp.Policies[i].Syscalls {
			sortRuleRuns(p.Seccomp.Policies[i].Syscalls[j].Rules)
		}
	}
	fs.BlacklistPass = blacklistPassNormal(fs.BlacklistPass)
	fs.WhitelistPass = whitelistPassNormal(fs.WhitelistPass)
	return p, nil
}

// sortRuleRuns puts each run of adjacent argument rules with the same
// action in a canonical order: the first matching rule wins, so two
// adjacent rules with one action can swap without changing any outcome.
// (A protocol list in sort.py's order yields its socket() rules in that
// order.)
func sortRuleRuns(rules []plan.ArgRule) {
	for i := 0; i < len(rules); {
		j := i + 1
		for j < len(rules) && rules[j].Action == rules[i].Action {
			j++
		}
		run := rules[i:j]
		sort.SliceStable(run, func(a, b int) bool { return fmt.Sprint(run[a].Conds) < fmt.Sprint(run[b].Conds) })
		i = j
	}
}

var originType = reflect.TypeOf(plan.Origin{})

// stripOrigins zeroes every Origin in a plan, however it is held.
func stripOrigins(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == originType {
			v.Set(reflect.Zero(originType))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			stripOrigins(v.Field(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			if v.Type().Elem() == originType {
				v.Set(reflect.Zero(v.Type()))
				return
			}
			stripOrigins(v.Elem())
		}
	case reflect.Slice:
		if v.Type().Elem() == originType {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := 0; i < v.Len(); i++ {
			stripOrigins(v.Index(i))
		}
	}
}

func sortBy[T any](l []T, key func(T) string) {
	sort.SliceStable(l, func(i, j int) bool { return key(l[i]) < key(l[j]) })
}

// blacklistPassNormal: between two blacklist entries, noblacklists commute
// with every other entry and with each other; so the normal form puts them,
// sorted, first in each such stretch.
func blacklistPassNormal(ops []plan.FSOp) []plan.FSOp {
	var out, nb, other []plan.FSOp
	flush := func() {
		sortBy(nb, func(x plan.FSOp) string { return x.Path })
		out = append(append(out, nb...), other...)
		nb, other = nil, nil
	}
	for _, o := range ops {
		switch o.Op {
		case "blacklist", "blacklist-nolog":
			flush()
			out = append(out, o)
		case "noblacklist":
			nb = append(nb, o)
		default:
			other = append(other, o)
		}
	}
	flush()
	return out
}

// whitelistPassNormal sorts runs of adjacent nowhitelists.
func whitelistPassNormal(ops []plan.FSOp) []plan.FSOp {
	for i := 0; i < len(ops); {
		j := i
		for j < len(ops) && ops[j].Op == "nowhitelist" {
			j++
		}
		run := ops[i:j]
		sortBy(run, func(x plan.FSOp) string { return x.Path })
		if j == i {
			j++
		}
		i = j
	}
	return ops
}

func jsonDiff(a, b any) string {
	x, _ := json.MarshalIndent(a, "", " ")
	y, _ := json.MarshalIndent(b, "", " ")
	xl, yl := strings.Split(string(x), "\n"), strings.Split(string(y), "\n")
	var out strings.Builder
	for i := 0; i < len(xl) || i < len(yl); i++ {
		var l, r string
		if i < len(xl) {
			l = xl[i]
		}
		if i < len(yl) {
			r = yl[i]
		}
		if l != r {
			fmt.Fprintf(&out, "- %s\n+ %s\n", l, r)
			if out.Len() > 4000 {
				break
			}
		}
	}
	return out.String()
}

// sortedLists are the keywords whose comma items the formatter may
// reorder (sort.py's list).
var sortedLists = map[string]bool{
	"private-bin": true, "private-etc": true, "private-lib": true, "seccomp": true,
	"seccomp.drop": true, "seccomp.keep": true, "caps.drop": true, "caps.keep": true, "protocol": true,
}

// sameCommands checks that the output holds exactly the commands of the
// input, each as Firejail normalises it, except for the order of items in
// the lists above.
func sameCommands(in, out []byte) error {
	a, b := commands(in), commands(out)
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("the commands differ:\n in: %q\nout: %q", a, b)
	}
	return nil
}

func commands(src []byte) []string {
	af, _ := parse.File(source.NewFile("x", src))
	var out []string
	for _, l := range af.Lines {
		var conds []string
		for _, c := range l.Conds {
			conds = append(conds, c.Name)
		}
		s := strings.Join(conds, "|") + "|"
		if c := l.Cmd; c != nil {
			arg := c.Arg
			if sortedLists[c.Keyword] {
				items := strings.Split(arg, ",")
				sort.Strings(items)
				arg = strings.Join(items, ",")
			}
			s += c.Keyword + " " + arg
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

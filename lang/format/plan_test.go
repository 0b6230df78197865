package format_test

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

// overlayName is where planOf puts the bytes it compiles; nothing on disk
// is read (includes other than a missing *.local fail, as they would in an
// empty configuration directory).
const overlayDir = "/jailc-fmt-test"

var overlayName = overlayDir + "/x.profile"

// compiled is what a file means to the toolchain: the normalised plan (nil
// when the build failed) and the diagnostics the checker found, as a
// multiset of severity and code.
type compiled struct {
	plan  *plan.Plan
	err   string
	diags []string
}

// planOf compiles src as a standalone profile for a fixed user with
// firejail.config defaults and no host filesystem access.
// Extra files (name → content) are put beside it for includes.
func planOf(src []byte, extra map[string][]byte) compiled {
	env := macro.NewEnv("user", 1000, "/home/user")
	env.PATH = []string{"/usr/local/bin", "/usr/bin", "/bin"}
	cfg := config.Default()
	overlay := map[string][]byte{overlayName: src}
	for name, data := range extra {
		overlay[overlayDir+"/"+name] = data
	}
	u := resolve.Load(overlayName, resolve.Options{
		IncludeDirs: []string{overlayDir},
		Env:         env, Config: cfg, NoCWD: true, Cache: resolve.NewCache(),
		Overlay: overlay,
	})
	res := check.Check(u, check.Options{Config: cfg, Env: env, Stat: func(string) (bool, bool) { return true, true }})
	var c compiled
	for _, d := range res.Diags {
		if d.Severity == diag.Error || d.Severity == diag.Warning {
			c.diags = append(c.diags, d.Severity.String()+" "+d.Code)
		}
	}
	sort.Strings(c.diags)
	p, err := build.Build(res, build.Options{Env: env, Config: cfg})
	if err != nil {
		c.err = err.Error()
		return c
	}
	c.plan, _ = normalPlan(p, overlayDir)
	return c
}

// samePlan reports how two compilations differ, or "" when they mean the
// same.
func samePlan(a, b compiled) string {
	switch {
	case (a.plan == nil) != (b.plan == nil):
		return fmt.Sprintf("build error before: %q, after: %q", a.err, b.err)
	case !reflect.DeepEqual(a.diags, b.diags):
		return fmt.Sprintf("diagnostics before: %v\nafter: %v", a.diags, b.diags)
	case a.plan != nil && !reflect.DeepEqual(a.plan, b.plan):
		return "the plan changed:\n" + jsonDiff(a.plan, b.plan)
	}
	return ""
}

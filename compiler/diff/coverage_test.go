package diff

import (
	"reflect"
	"sort"
	"testing"

	"github.com/jailc/jailc/compiler/plan"
)

// TestCoverage fails when plan.Plan (or a type it holds) gains a field the
// coverage table does not account for, so a new part of the sandbox cannot
// be silently left out of the diff.
func TestCoverage(t *testing.T) {
	origin := reflect.TypeOf(plan.Origin{})
	seen := map[reflect.Type]bool{}
	fields := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || ty == origin || seen[ty] {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			fields[ty.Name()+"."+f.Name] = true
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(plan.Plan{}))
	var missing, stale []string
	for f := range fields {
		if coverage[f] == "" {
			missing = append(missing, f)
		}
	}
	for f := range coverage {
		if !fields[f] {
			stale = append(stale, f)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, f := range missing {
		t.Errorf("plan field %s is not handled by diff: compare it, then add it to the coverage table", f)
	}
	for _, f := range stale {
		t.Errorf("coverage table lists %s, which the plan no longer has", f)
	}
	if len(fields) < 100 {
		t.Errorf("walked only %d fields; the walk is broken", len(fields))
	}
}

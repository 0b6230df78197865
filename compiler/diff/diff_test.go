package diff_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/jailc/jailc/compiler/diff"
	"github.com/jailc/jailc/compiler/plan"
)

func pair(t *testing.T, old, new string, extra ...string) (*plan.Plan, *plan.Plan) {
	t.Helper()
	files := map[string]string{"old.profile": old, "new.profile": new}
	for i := 0; i+1 < len(extra); i += 2 {
		files[extra[i]] = extra[i+1]
	}
	o, n, _ := compileFiles(t, false, files)
	return o, n
}

func TestNoblacklistOrigins(t *testing.T) {
	o, n := pair(t, "include common.inc\n", "noblacklist ${HOME}/.ssh\ninclude common.inc\n", "common.inc", "blacklist ${HOME}/.ssh\n")
	r := mustDiff(t, o, n)
	if len(r.Changes) != 1 {
		t.Fatalf("want one change:\n%s", text(t, r))
	}
	c := r.Changes[0]
	if c.Kind != diff.Loosen || c.Subject != "/home/user/.ssh" {
		t.Fatalf("got %+v", c)
	}
	if len(c.New.Origins) != 2 || c.New.Origins[0].Line != 1 || c.New.Origins[0].Text != "noblacklist ${HOME}/.ssh" || c.New.Origins[1].Text != "blacklist ${HOME}/.ssh" {
		t.Errorf("NEW origins: %+v", c.New.Origins)
	}
	if len(c.Old.Origins) != 1 || c.Old.Origins[0].Text != "blacklist ${HOME}/.ssh" || c.Old.Origins[0].Line != 1 {
		t.Errorf("OLD origins: %+v", c.Old.Origins)
	}
	if !r.Has(diff.Loosen) || r.Has(diff.Tighten) || r.Has(diff.Changed) {
		t.Errorf("Has is wrong for %+v", r.Summary)
	}
}

// setSyscall replaces (or adds) the x86_64 entry for socket (nr 41).
func setSocket(t *testing.T, p *plan.Plan, rules []plan.ArgRule, els string) {
	t.Helper()
	for i := range p.Seccomp.Policies {
		ap := &p.Seccomp.Policies[i]
		if ap.Arch != "x86_64" {
			continue
		}
		rule := plan.SyscallRule{Nr: 41, Name: "socket", Rules: rules, Else: els, Origins: []plan.Origin{{File: "t.profile", Line: 7, Text: "test rule"}}}
		for j := range ap.Syscalls {
			if ap.Syscalls[j].Nr == 41 {
				ap.Syscalls[j] = rule
				return
			}
		}
		ap.Syscalls = append(ap.Syscalls, rule)
		return
	}
	t.Fatal("no x86_64 policy")
}

func eq(arg int, v uint64, width int) plan.ArgCond {
	return plan.ArgCond{Arg: arg, Op: "eq", Value: v, Width: width}
}

// Argument filters are compared by evaluating both policies, not by text.
func TestSyscallArguments(t *testing.T) {
	allowIf := func(conds ...plan.ArgCond) plan.ArgRule { return plan.ArgRule{Conds: conds, Action: "allow"} }
	base := []plan.ArgRule{allowIf(eq(0, 1, 32))}
	cases := []struct {
		name  string
		rules []plan.ArgRule
		els   string
		want  []diff.Kind
	}{
		{"same rules", base, "errno(95)", nil},
		{"same meaning, written differently", []plan.ArgRule{allowIf(eq(0, 1, 32)), allowIf(eq(0, 1, 32))}, "errno(95)", []diff.Kind{diff.Changed}},
		{"one more family", []plan.ArgRule{allowIf(eq(0, 1, 32)), allowIf(eq(0, 2, 32))}, "errno(95)", []diff.Kind{diff.Loosen}},
		{"no family", nil, "errno(95)", []diff.Kind{diff.Tighten}},
		{"every family", nil, "allow", []diff.Kind{diff.Loosen}},
		{"64-bit compare is stricter", []plan.ArgRule{allowIf(eq(0, 1, 64))}, "errno(95)", []diff.Kind{diff.Tighten}},
		{"other family instead", []plan.ArgRule{allowIf(eq(0, 2, 32))}, "errno(95)", []diff.Kind{diff.Loosen, diff.Tighten}},
		{"kill instead of errno", base, "kill-process", []diff.Kind{diff.Changed}},
		// Every value with bit 29 clear, 1 included: only more.
		{"masked test, bit clear", []plan.ArgRule{{Conds: []plan.ArgCond{{Arg: 0, Op: "masked-eq", Mask: 0x20000000, Value: 0, Width: 32}}, Action: "allow"}}, "errno(95)", []diff.Kind{diff.Loosen}},
		// Every value with bit 29 set, 1 excluded: more and less.
		{"masked test, bit set", []plan.ArgRule{{Conds: []plan.ArgCond{{Arg: 0, Op: "masked-eq", Mask: 0x20000000, Value: 0x20000000, Width: 32}}, Action: "allow"}}, "errno(95)", []diff.Kind{diff.Loosen, diff.Tighten}},
		// 0 is new; 1 with a non-zero high half was allowed and is not.
		{"64-bit range", []plan.ArgRule{{Conds: []plan.ArgCond{{Arg: 0, Op: "le", Value: 1, Width: 64}}, Action: "allow"}}, "errno(95)", []diff.Kind{diff.Loosen, diff.Tighten}},
		{"32-bit range", []plan.ArgRule{{Conds: []plan.ArgCond{{Arg: 0, Op: "le", Value: 1, Width: 32}}, Action: "allow"}}, "errno(95)", []diff.Kind{diff.Loosen}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, n := pair(t, "seccomp.drop mount\n", "seccomp.drop mount\n")
			setSocket(t, o, base, "errno(95)")
			setSocket(t, n, tc.rules, tc.els)
			r := mustDiff(t, o, n)
			var got []diff.Kind
			for _, c := range r.Changes {
				if c.Area != "seccomp" || c.Subject != "x86_64" || !contains(c.Items, "socket") {
					t.Errorf("unexpected change %+v", c)
					continue
				}
				if c.Old.Origins[0].Text != "test rule" {
					t.Errorf("origin not carried: %+v", c.Old.Origins)
				}
				got = append(got, c.Kind)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("kinds %v, want %v:\n%s", got, tc.want, text(t, r))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("kinds %v, want %v:\n%s", got, tc.want, text(t, r))
				}
			}
		})
	}
}

// The JSON report is stable and complete: documented keys, summary counts
// that match the changes, origins with file and line.
func TestJSON(t *testing.T) {
	o, n := pair(t, "blacklist ${HOME}/.ssh\nrmenv TOKEN\n", "env A=1\n")
	r := mustDiff(t, o, n)
	var b bytes.Buffer
	if err := diff.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version int
		Old     string
		New     string
		Summary map[string]int
		Changes []map[string]json.RawMessage
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != diff.ReportVersion || got.Old != o.Profile || got.New != n.Profile {
		t.Errorf("header: %+v", got)
	}
	if got.Summary["loosen"] != 2 || got.Summary["tighten"] != 0 || got.Summary["change"] != 1 || len(got.Changes) != 3 {
		t.Errorf("summary %v with %d changes:\n%s", got.Summary, len(got.Changes), b.String())
	}
	var first struct {
		Kind, Area, Subject, Aspect string
		Old                         diff.Side
	}
	all, _ := json.Marshal(got.Changes[0])
	json.Unmarshal(all, &first)
	if first.Kind != "loosen" || first.Area != "filesystem" || first.Subject != "/home/user/.ssh" || first.Aspect != "view" ||
		len(first.Old.Origins) != 1 || first.Old.Origins[0].Line != 1 {
		t.Errorf("first change: %+v", first)
	}
	// Deterministic: the same diff encodes to the same bytes.
	var again bytes.Buffer
	diff.WriteJSON(&again, mustDiff(t, o, n))
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("JSON output is not deterministic")
	}
	// An empty report has an empty list, not null.
	var e bytes.Buffer
	diff.WriteJSON(&e, mustDiff(t, o, o))
	if !bytes.Contains(e.Bytes(), []byte(`"changes": []`)) {
		t.Errorf("empty report: %s", e.String())
	}
}

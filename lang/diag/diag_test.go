package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jailc/jailc/lang/source"
)

func sample() List {
	f := source.NewFile("a.profile", []byte("include b.inc\nseccomp chrot\n"))
	return List{{
		Pos: f.Position(22), End: f.Position(27), Severity: Warning, Code: "unknown-syscall",
		Message: `unknown syscall "chrot"`, Detail: []string{`did you mean "chroot"?`},
		Related: []Related{{Pos: source.Pos{File: "top.profile", Line: 3, Col: 1}, Message: "included from"}},
	}}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := "a.profile:2:9: warning: unknown syscall \"chrot\" [unknown-syscall]\n" +
		"    did you mean \"chroot\"?\n" +
		"    included from top.profile:3:1\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Error(diff)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(b.String())), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"file", "line", "column", "end", "severity", "code", "message", "detail", "related"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON object lacks %q: %s", k, b.String())
		}
	}
	if got["line"].(float64) != 2 || got["column"].(float64) != 9 || got["severity"] != "warning" {
		t.Errorf("wrong fields: %s", b.String())
	}
	if end := got["end"].(map[string]any); end["column"].(float64) != 14 {
		t.Errorf("end column: %v", end)
	}
}

func TestSortDedup(t *testing.T) {
	l := append(sample(), sample()...)
	l = append(l, Diagnostic{Pos: source.Pos{File: "a.profile", Line: 1, Col: 1, Offset: 0}, Severity: Error, Code: "x", Message: "m"})
	l.Sort()
	if len(l) != 2 || l[0].Code != "x" {
		t.Errorf("sort/dedup: %v", l)
	}
}

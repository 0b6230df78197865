package format_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/format"
)

// Golden tests: testdata/fmt/*.txtar, one behaviour per archive.
//
//   - in: the file to format. Header lines of the archive change it before
//     use: "crlf" turns every LF into CRLF, "no-final-newline" drops the
//     last LF, "escapes" reads \r, \t, \x00 and \\ in it.
//   - out: the expected output; changes: the expected Result.Changes, one
//     "LINE KIND" per line.
//   - error: instead of out and changes, the file is refused; each line is
//     a regexp that must match the rendered diagnostics.
//   - any other file: put beside the input for its includes.
//
// Every formatted case is also checked idempotent and compiled before and
// after (planOf): the plan and the checker's findings must not change, and
// the input must compile unless the header says "no-plan". JAILC_UPDATE=1
// rewrites out and changes (review the diff: a golden is only as good as
// the review it got).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/fmt/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden archives in testdata/fmt")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) { golden(t, path) })
	}
}

var escapes = strings.NewReplacer(`\\`, `\`, `\r`, "\r", `\t`, "\t", `\x00`, "\x00")

func golden(t *testing.T, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]bool{}
	for _, l := range strings.Split(string(ar.Comment), "\n") {
		if f := strings.Fields(l); len(f) == 1 {
			opts[f[0]] = true
		}
	}
	sections := map[string]*txtar.File{}
	for i := range ar.Files {
		sections[ar.Files[i].Name] = &ar.Files[i]
	}
	in, ok := sections["in"]
	if !ok {
		t.Fatal("no in section")
	}
	src := in.Data
	if opts["escapes"] {
		src = []byte(escapes.Replace(string(src)))
	}
	if opts["crlf"] {
		src = bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
	}
	if opts["no-final-newline"] {
		src = bytes.TrimSuffix(src, []byte("\n"))
		src = bytes.TrimSuffix(src, []byte("\r"))
	}
	res, diags := format.Source("in.profile", src)

	if want, ok := sections["error"]; ok {
		if res != nil {
			t.Fatalf("formatted a file that should be refused:\n%s", res.Output)
		}
		var b bytes.Buffer
		diag.WriteText(&b, diags)
		for _, re := range strings.Split(strings.TrimSpace(string(want.Data)), "\n") {
			if !regexp.MustCompile(re).MatchString(b.String()) {
				t.Errorf("diagnostics do not match %q:\n%s", re, b.String())
			}
		}
		return
	}
	if res == nil {
		t.Fatalf("refused: %v", diags)
	}
	var changes strings.Builder
	for _, c := range res.Changes {
		fmt.Fprintf(&changes, "%d %s\n", c.Line, c.Kind)
	}
	if os.Getenv("JAILC_UPDATE") != "" {
		setSection(ar, "out", res.Output)
		setSection(ar, "changes", []byte(changes.String()))
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		out, ok := sections["out"]
		if !ok {
			t.Fatal("no out section (run with JAILC_UPDATE=1)")
		}
		if string(res.Output) != string(out.Data) {
			t.Errorf("output differs:\n--- got ---\n%s--- want ---\n%s", res.Output, out.Data)
		}
		var want []byte
		if c, ok := sections["changes"]; ok {
			want = c.Data
		}
		if changes.String() != string(want) {
			t.Errorf("changes differ:\n--- got ---\n%s--- want ---\n%s", changes.String(), want)
		}
	}
	if (len(res.Changes) == 0) != bytes.Equal(src, res.Output) {
		t.Errorf("Changes is empty: %v, output equals input: %v", len(res.Changes) == 0, bytes.Equal(src, res.Output))
	}
	again, _ := format.Source("in.profile", res.Output)
	if again == nil || string(again.Output) != string(res.Output) || len(again.Changes) != 0 {
		t.Errorf("not idempotent")
	}
	extra := map[string][]byte{}
	for _, f := range ar.Files {
		switch f.Name {
		case "in", "out", "changes", "error":
		default:
			extra[f.Name] = f.Data
		}
	}
	before, after := planOf(src, extra), planOf(res.Output, extra)
	if before.plan == nil && !opts["no-plan"] {
		t.Errorf("the input does not compile (%s); fix it or add no-plan to the header", before.err)
	}
	if d := samePlan(before, after); d != "" {
		t.Errorf("formatting changed the meaning: %s", d)
	}
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

package diag_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jailc/jailc/internal/sarifcheck"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/source"
)

func sarifSample() (diag.List, map[string][]byte) {
	// Line 2 holds a 4-byte rune (2 UTF-16 units) and a 2-byte one
	// (1 unit) before the span, so byte and UTF-16 columns differ.
	data := []byte("include b.inc\n# 😀é\tseccomp chrot\n")
	f := source.NewFile("dir/a.profile", data)
	start := bytes.Index(data, []byte("chrot"))
	return diag.List{
		{
			Pos: f.Position(start), End: f.Position(start + 5), Severity: diag.Warning, Code: "unknown-syscall",
			Message: `unknown syscall "chrot"`, Detail: []string{`did you mean "chroot"?`},
			Related: []diag.Related{{Pos: source.Pos{File: "/etc/firejail/top.profile", Line: 3, Col: 1}, Message: "included from"}},
		},
		{Pos: source.Pos{File: "dir/a.profile", Line: 1, Col: 1}, End: source.Pos{File: "dir/a.profile", Line: 1, Col: 1}, Severity: diag.Note, Code: "other", Message: "a note"},
		{Pos: source.Pos{File: "dir/b.inc"}, Severity: diag.Error, Code: "io", Message: "cannot read"},
	}, map[string][]byte{"dir/a.profile": data}
}

// TestSARIF checks jailc's SARIF against the official 2.1.0 schema and
// the fields code scanning reads.
func TestSARIF(t *testing.T) {
	l, files := sarifSample()
	var b bytes.Buffer
	err := diag.WriteSARIF(&b, l, diag.SARIFOptions{
		ToolVersion: "1.2.3",
		Rules:       []diag.RuleDesc{{ID: "unknown-syscall", Doc: "a syscall name no table knows", Level: diag.Error}},
		Source:      func(name string) []byte { return files[name] },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifcheck.Validate(b.Bytes()); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, b.String())
	}
	var log struct {
		Version string
		Runs    []struct {
			ColumnKind string
			Tool       struct {
				Driver struct {
					Name, Version string
					Rules         []struct {
						ID                   string
						ShortDescription     struct{ Text string }
						DefaultConfiguration *struct{ Level string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine, StartColumn, EndLine, EndColumn int }
					}
				}
				RelatedLocations []struct {
					ID               int
					Message          struct{ Text string }
					PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if run.ColumnKind != "utf16CodeUnits" || run.Tool.Driver.Name != "jailc" || run.Tool.Driver.Version != "1.2.3" {
		t.Errorf("run header: %+v", run)
	}
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	// Described rules first, then the other codes used, sorted.
	if diff := cmp.Diff([]string{"unknown-syscall", "io", "other"}, ids); diff != "" {
		t.Errorf("rule table (-want +got):\n%s", diff)
	}
	if r := run.Tool.Driver.Rules[0]; r.DefaultConfiguration == nil || r.DefaultConfiguration.Level != "error" || r.ShortDescription.Text != "a syscall name no table knows" {
		t.Errorf("rule 0: %+v", r)
	}
	if len(run.Results) != 3 {
		t.Fatalf("%d results", len(run.Results))
	}
	r0 := run.Results[0]
	if r0.RuleID != "unknown-syscall" || r0.RuleIndex != 0 || r0.Level != "warning" || !strings.Contains(r0.Message.Text, "did you mean") {
		t.Errorf("result 0: %+v", r0)
	}
	loc := r0.Locations[0].PhysicalLocation
	// "# 😀é\tseccomp " is 17 bytes, 14 UTF-16 units: byte column 18 is UTF-16 column 15.
	if loc.ArtifactLocation.URI != "dir/a.profile" || loc.Region == nil || *loc.Region != (struct{ StartLine, StartColumn, EndLine, EndColumn int }{2, 15, 2, 20}) {
		t.Errorf("location: %+v %+v", loc.ArtifactLocation, loc.Region)
	}
	if rl := r0.RelatedLocations; len(rl) != 1 || rl[0].ID != 1 || rl[0].PhysicalLocation.ArtifactLocation.URI != "file:///etc/firejail/top.profile" || rl[0].Message.Text != "included from" {
		t.Errorf("related: %+v", rl)
	}
	if r := run.Results[1]; r.RuleIndex != 2 || r.Level != "note" {
		t.Errorf("result 1: %+v", r)
	}
	if r := run.Results[2]; r.RuleIndex != 1 || r.Level != "error" || r.Locations[0].PhysicalLocation.Region != nil {
		t.Errorf("result 2 (no line): %+v", r)
	}
}

// TestSARIFSchemaRejects makes sure the validation can fail: a log
// without runs, and one with a bad level, are refused.
func TestSARIFSchemaRejects(t *testing.T) {
	for _, bad := range []string{
		`{"version":"2.1.0"}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`,
	} {
		if err := sarifcheck.Validate([]byte(bad)); err == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

func TestGitHub(t *testing.T) {
	l, _ := sarifSample()
	l[0].Message = "a, b: 100%"
	var b bytes.Buffer
	if err := diag.WriteGitHub(&b, l); err != nil {
		t.Fatal(err)
	}
	want := "::warning file=dir/a.profile,line=2,col=18,endLine=2,endColumn=23,title=unknown-syscall::a, b: 100%25%0Adid you mean \"chroot\"?\n" +
		"::notice file=dir/a.profile,line=1,col=1,endLine=1,endColumn=1,title=other::a note\n" +
		"::error file=dir/b.inc,title=io::cannot read\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Error(diff)
	}
}

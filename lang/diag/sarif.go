package diag

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/jailc/jailc/lang/source"
)

// Renderers for CI systems: SARIF 2.1.0 for code scanning, GitHub
// workflow commands for annotations. Any command that reports a List uses
// them (jailc check as well as jailc lint).

// RuleDesc describes a diagnostic code for SARIF's rule table.
type RuleDesc struct {
	ID    string
	Doc   string
	Level Severity
}

// SARIFOptions tune WriteSARIF.
type SARIFOptions struct {
	ToolName    string // default "jailc"
	ToolVersion string
	// Rules are listed first in the rule table, in this order; codes used
	// by diagnostics but not described here follow, sorted.
	Rules []RuleDesc
	// Source returns a file's content, used to turn byte columns into the
	// UTF-16 columns SARIF counts by default; nil (or a nil result) keeps
	// byte columns, which agree for ASCII lines.
	Source func(file string) []byte
}

// SARIFLevel is the SARIF level of a severity.
func SARIFLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// fileURI turns a file name into a URI reference: relative names stay
// relative (GitHub code scanning resolves them against the repository),
// absolute ones become file URIs.
func fileURI(name string) string {
	slash := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		return (&url.URL{Scheme: "file", Path: slash}).String()
	}
	return (&url.URL{Path: slash}).String()
}

// WriteSARIF writes l as one SARIF 2.1.0 log with one run.
func WriteSARIF(w io.Writer, l List, opts SARIFOptions) error {
	report, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	name := opts.ToolName
	if name == "" {
		name = "jailc"
	}
	driver := &sarif.ToolComponent{Name: name, Rules: []*sarif.ReportingDescriptor{}}
	if opts.ToolVersion != "" {
		driver.Version = &opts.ToolVersion
	}
	run := sarif.NewRun(sarif.Tool{Driver: driver})
	run.WithColumnKind("utf16CodeUnits")

	// The rule table, so that ruleIndex values are stable: described
	// rules in the given order, then the other codes used, sorted.
	index := map[string]int{}
	addRule := func(r RuleDesc) {
		if _, dup := index[r.ID]; dup {
			return
		}
		index[r.ID] = len(driver.Rules)
		doc := r.Doc
		if doc == "" {
			doc = r.ID // shortDescription may not be null
		}
		rd := sarif.NewRule(r.ID).WithShortDescription(sarif.NewMultiformatMessageString(doc))
		if r.Level != 0 {
			rd.WithDefaultConfiguration(&sarif.ReportingConfiguration{Level: SARIFLevel(r.Level)})
		}
		driver.Rules = append(driver.Rules, rd)
	}
	for _, r := range opts.Rules {
		addRule(r)
	}
	var extra []string
	for _, d := range l {
		if _, ok := index[d.Code]; !ok {
			extra = append(extra, d.Code)
		}
	}
	sort.Strings(extra)
	for _, c := range extra {
		addRule(RuleDesc{ID: c})
	}

	cols := &columnMapper{source: opts.Source, files: map[string]*source.File{}}
	for _, d := range l {
		text := d.Message
		if len(d.Detail) > 0 {
			text += "\n" + strings.Join(d.Detail, "\n")
		}
		res := sarif.NewRuleResult(d.Code).
			WithRuleIndex(index[d.Code]).
			WithLevel(SARIFLevel(d.Severity)).
			WithMessage(sarif.NewTextMessage(text))
		res.AddLocation(cols.location(d.Pos, d.End))
		for i, r := range d.Related {
			res.AddRelatedLocation(cols.location(r.Pos, source.Pos{}).WithId(i + 1).WithMessage(sarif.NewTextMessage(r.Message)))
		}
		run.AddResult(res)
	}
	report.AddRun(run)
	if err := report.PrettyWrite(w); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// columnMapper converts byte columns to UTF-16 columns using file contents.
type columnMapper struct {
	source func(string) []byte
	files  map[string]*source.File
}

func (m *columnMapper) column(p source.Pos) int {
	if m.source == nil || p.Col <= 1 {
		return p.Col
	}
	f, ok := m.files[p.File]
	if !ok {
		if data := m.source(p.File); data != nil {
			f = source.NewFile(p.File, data)
		}
		m.files[p.File] = f
	}
	if f == nil {
		return p.Col
	}
	start := f.LineStart(p.Line)
	end := min(start+p.Col-1, len(f.Data))
	n := 1
	for b := f.Data[start:end]; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

func (m *columnMapper) location(pos, end source.Pos) *sarif.Location {
	phys := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(pos.File)))
	if pos.Line >= 1 {
		reg := sarif.NewRegion().WithStartLine(pos.Line).WithStartColumn(max(1, m.column(pos)))
		if end.Line >= pos.Line && (end.Line > pos.Line || end.Col >= pos.Col) && end.Col >= 1 {
			reg.WithEndLine(end.Line).WithEndColumn(max(1, m.column(end)))
		}
		phys.WithRegion(reg)
	}
	return sarif.NewLocationWithPhysicalLocation(phys)
}

// WriteGitHub writes l as GitHub Actions workflow commands, one per
// diagnostic, which the runner turns into annotations:
//
//	::warning file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::message
//
// Notes become ::notice. Details follow the message on further lines
// (escaped as %0A, as the runner expects).
func WriteGitHub(w io.Writer, l List) error {
	var b strings.Builder
	for _, d := range l {
		kind := "notice"
		switch d.Severity {
		case Error:
			kind = "error"
		case Warning:
			kind = "warning"
		}
		props := []string{"file=" + escapeProperty(d.Pos.File)}
		if d.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line), fmt.Sprintf("col=%d", d.Pos.Col))
			if d.End.Line >= d.Pos.Line && d.End.Col > 0 {
				props = append(props, fmt.Sprintf("endLine=%d", d.End.Line), fmt.Sprintf("endColumn=%d", d.End.Col))
			}
		}
		props = append(props, "title="+escapeProperty(d.Code))
		msg := d.Message
		for _, s := range d.Detail {
			msg += "\n" + s
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", kind, strings.Join(props, ","), escapeData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty follow @actions/core's command encoding.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

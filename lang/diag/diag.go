// Package diag defines diagnostics as plain data and renders them. Every phase
// of jailc (parse, resolve, check, compiler, lint) reports problems by
// appending Diagnostics to a List; nothing in those phases prints.
package diag

import (
	"fmt"
	"sort"

	"github.com/jailc/jailc/lang/source"
)

// Severity of a diagnostic. The zero value is invalid so that a forgotten
// severity is caught by tests rather than printed as something plausible.
type Severity int

const (
	_ Severity = iota
	Error
	Warning
	Note
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "invalid-severity"
}

// MarshalText makes severities render as words in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Related is a secondary position, such as an "included from" site or the
// earlier line a conflict refers to.
type Related struct {
	Pos     source.Pos `json:"pos"`
	Message string     `json:"message"`
}

// Diagnostic is one problem found in a profile.
type Diagnostic struct {
	Pos      source.Pos `json:"pos"`
	End      source.Pos `json:"end"`
	Severity Severity   `json:"severity"`
	Code     string     `json:"code"`    // stable kebab-case identifier
	Message  string     `json:"message"` // one line, lower case
	Detail   []string   `json:"detail,omitempty"`
	Related  []Related  `json:"related,omitempty"`
	// Firejail is true when Firejail 0.9.72 itself refuses this input (at
	// parse time or when the sandbox starts). --compat keeps only these.
	Firejail bool `json:"firejail_rejects"`
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s [%s]", d.Pos, d.Severity, d.Message, d.Code)
}

// List is an ordered collection of diagnostics.
type List []Diagnostic

// Sort orders by file, offset, then code, and removes exact duplicates (the
// same file can be included several times; its problems are reported once
// per include chain).
func (l *List) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Offset != b.Pos.Offset {
			return a.Pos.Offset < b.Pos.Offset
		}
		return a.Code < b.Code
	})
	out := s[:0]
	for i, d := range s {
		if i > 0 && sameDiag(d, out[len(out)-1]) {
			continue
		}
		out = append(out, d)
	}
	*l = out
}

func sameDiag(a, b Diagnostic) bool {
	if a.Pos != b.Pos || a.Code != b.Code || a.Message != b.Message || a.Severity != b.Severity {
		return false
	}
	if len(a.Related) != len(b.Related) {
		return false
	}
	for i := range a.Related {
		if a.Related[i] != b.Related[i] {
			return false
		}
	}
	return true
}

// Count returns the number of diagnostics with severity s.
func (l List) Count(s Severity) int {
	n := 0
	for _, d := range l {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool { return l.Count(Error) > 0 }

// FirejailOnly keeps the diagnostics for input Firejail itself rejects.
func (l List) FirejailOnly() List {
	var out List
	for _, d := range l {
		if d.Firejail {
			out = append(out, d)
		}
	}
	return out
}

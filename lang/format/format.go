// Package format is the canonical printer for one profile file (`jailc fmt`).
// It sits beside the pipeline, not in it: bytes → lang/parse → a layout of
// items (a command line with the comments attached to it) → a reordering
// that Firejail cannot tell apart from the original → bytes.
//
// It formats a file, not a resolved profile: includes are not followed, so
// an include line is a barrier nothing moves across (the included file may
// hold anything, an ignore for instance).
//
// Canonical form:
//   - every command on one line as Firejail normalises it (single spaces,
//     no leading or trailing blanks), conditionals spelled `?NAME: `;
//   - the comma lists Firejail's own CI sorts (contrib/sort.py) sorted:
//     private-bin, private-etc, private-lib, seccomp, seccomp.drop,
//     seccomp.keep, caps.drop, caps.keep case-insensitively, protocol in the
//     order unix, inet, inet6, netlink, packet, bluetooth;
//   - lines in the order of Firejail's profile template (sections ignores,
//     noblacklists, allow-*.inc, blacklists, disable-*.inc, nowhitelists,
//     mkdirs, whitelists, whitelist-*.inc, options, private options, D-Bus,
//     special options, redirect includes), sorted within a section, one
//     blank line where a new section starts;
//   - comments kept with the line they describe, blank lines the author put
//     inside a section kept (runs collapsed to one), LF endings, a final
//     newline.
//
// The invariant: Firejail reads the output exactly as it reads the input.
// Each output line normalises to the command text of an input line (up to
// the order of a comma list where order has no meaning), and a line never
// moves across another line it interacts with (order.go lists the
// interactions: ignore, conditionals and the lines that decide them,
// last-wins directives, the filesystem passes, mkdir against host checks,
// env PATH against ${PATH}, environment, network, D-Bus policies). When
// in doubt two lines interact. Formatting is idempotent. The tests check
// all of this against the plan compiler: golden cases (testdata/fmt), the
// whole stock corpus, a fuzz test and random profiles of interacting lines.
//
// One thing a single file cannot know: an ignore in another file (an
// including profile, or --ignore=) that quotes a list in its unsorted
// order stops matching once the list is sorted.
package format

import (
	"fmt"
	"sort"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/parse"
	"github.com/jailc/jailc/lang/source"
)

// Kind names a sort of change the formatter makes; `jailc fmt -l` groups
// files by it.
type Kind string

// The kinds of change, in the order they are reported.
const (
	KindLineEnding   Kind = "line-ending"   // CRLF turned into LF
	KindFinalNewline Kind = "final-newline" // missing final newline added
	KindWhitespace   Kind = "whitespace"    // blanks around or inside a command normalised
	KindConditional  Kind = "conditional"   // `?NAME:` prefix respelled `?NAME: `
	KindListOrder    Kind = "list-order"    // comma list sorted as sort.py does
	KindLineOrder    Kind = "line-order"    // line moved to its template section or sorted in it
	KindBlankLines   Kind = "blank-lines"   // blank lines added, removed or collapsed
	KindComment      Kind = "comment"       // comment indentation or trailing blanks
)

var kindOrder = map[Kind]int{
	KindLineEnding: 0, KindFinalNewline: 1, KindWhitespace: 2, KindConditional: 3,
	KindListOrder: 4, KindLineOrder: 5, KindBlankLines: 6, KindComment: 7,
}

// Change is one difference between the input and the output.
type Change struct {
	Line int // 1-based line of the input
	Kind Kind
}

// Result is a formatted file.
type Result struct {
	Output []byte
	// Changes lists what differs from the input, by input line then kind;
	// empty exactly when Output equals the input.
	Changes []Change
}

// Kinds returns the distinct kinds of change, in reporting order.
func (r *Result) Kinds() []Kind {
	seen := map[Kind]bool{}
	var out []Kind
	for _, c := range r.Changes {
		if !seen[c.Kind] {
			seen[c.Kind] = true
			out = append(out, c.Kind)
		}
	}
	sort.Slice(out, func(i, j int) bool { return kindOrder[out[i]] < kindOrder[out[j]] })
	return out
}

// CodeControl marks a file the formatter refuses because it holds control
// characters (other than tab, LF and a CR before LF).
const CodeControl = "control-character"

// Source formats the bytes of one profile file. A file whose bytes Firejail
// reads differently from any printed form (binary data, a byte order mark,
// a NUL or a carriage return inside a line, a line longer than Firejail's
// buffer, invalid UTF-8) or that holds other control characters is
// refused: the result is nil and the diagnostics say why.
func Source(name string, src []byte) (*Result, diag.List) {
	f := source.NewFile(name, src)
	af, pd := parse.File(f)
	var refuse diag.List
	for _, d := range pd {
		switch {
		case d.Severity == diag.Error, d.Code == parse.CodeNUL, d.Code == parse.CodeCR:
			d.Severity = diag.Error
			d.Detail = append(append([]string{}, d.Detail...), "jailc fmt does not rewrite a file with this problem; fix it by hand first")
			refuse = append(refuse, d)
		}
	}
	if len(refuse) == 0 {
		// Control characters are text to Firejail, but the parser calls a
		// file with enough of them binary; normalising blanks changes
		// that proportion, so such a file is left alone.
		for i, b := range src {
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
				refuse = append(refuse, diag.Diagnostic{
					Pos: f.Position(i), End: f.Position(i + 1), Severity: diag.Error, Code: CodeControl,
					Message: fmt.Sprintf("control character %#02x in the file", b),
					Detail:  []string{"jailc fmt does not rewrite a file with control characters; remove them by hand first"},
				})
				break
			}
		}
	}
	for _, p := range parse.Pieces(f) {
		if p.CR >= 0 && p.Text == "" {
			// A CR cuts a line that Firejail then reads as empty; the
			// parser does not report it (nothing is lost to Firejail), but
			// the formatter would drop the bytes after it.
			refuse = append(refuse, diag.Diagnostic{
				Pos: f.Position(p.CR), End: f.Position(p.CR + 1), Severity: diag.Error, Code: parse.CodeCR,
				Message: "carriage return in the middle of a line",
				Detail:  []string{"Firejail ends the line at a CR and ignores what follows it; jailc fmt does not rewrite a file with this problem; fix it by hand first"},
			})
		}
	}
	if len(refuse) > 0 {
		refuse.Sort()
		return nil, refuse
	}
	lay := layout(af, src)
	order(lay)
	out, changes := print(lay, src)
	sort.SliceStable(changes, func(i, j int) bool {
		if changes[i].Line != changes[j].Line {
			return changes[i].Line < changes[j].Line
		}
		return kindOrder[changes[i].Kind] < kindOrder[changes[j].Kind]
	})
	changes = dedupe(changes)
	if string(out) == string(src) {
		changes = nil
	} else if len(changes) == 0 {
		// Every difference must have a reason; this is a formatter bug
		// surfaced rather than hidden.
		changes = []Change{{Line: 1, Kind: KindWhitespace}}
	}
	return &Result{Output: out, Changes: changes}, nil
}

// Error is returned by Bytes for a file the formatter refuses; it carries
// the diagnostics, the first of which is its message (file:line:col).
type Error struct{ Diags diag.List }

func (e *Error) Error() string {
	if len(e.Diags) == 0 {
		return "cannot format"
	}
	d := e.Diags[0]
	msg := fmt.Sprintf("%s: %s", d.Pos, d.Message)
	if n := len(e.Diags) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

// Bytes formats src and returns the output alone, or an *Error.
func Bytes(name string, src []byte) ([]byte, error) {
	r, diags := Source(name, src)
	if r == nil {
		return nil, &Error{Diags: diags}
	}
	return r.Output, nil
}

func dedupe(cs []Change) []Change {
	var out []Change
	for i, c := range cs {
		if i > 0 && c == cs[i-1] {
			continue
		}
		out = append(out, c)
	}
	return out
}

package lint

import (
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/source"
)

// Suppression comments (see the package documentation).
const (
	ignoreDirective     = "jailc:ignore"
	ignoreFileDirective = "jailc:ignore-file"
)

// suppression is one `jailc:ignore` comment.
type suppression struct {
	comment ast.Comment
	names   []string
	spans   []source.Span // of each name, for unknown-name reports
	file    bool
	line    int // the line it silences (0 for the whole file)
}

type suppressionSet struct {
	list []*suppression
}

// parseSuppression reads a comment's text (after '#').
func parseSuppression(c ast.Comment) *suppression {
	text := c.Text
	lead := len(text) - len(strings.TrimLeft(text, " \t"))
	text = text[lead:]
	s := &suppression{comment: c}
	var rest string
	switch {
	case strings.HasPrefix(text, ignoreFileDirective):
		s.file, rest = true, text[len(ignoreFileDirective):]
		lead += len(ignoreFileDirective)
	case strings.HasPrefix(text, ignoreDirective):
		rest = text[len(ignoreDirective):]
		lead += len(ignoreDirective)
	default:
		return nil
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return nil // jailc:ignored, jailc:ignore-foo
	}
	trimmed := strings.TrimLeft(rest, " \t")
	lead += len(rest) - len(trimmed)
	list, _, _ := strings.Cut(strings.ReplaceAll(trimmed, "\t", " "), " ")
	if strings.HasPrefix(list, "#") {
		list = "" // `# jailc:ignore # why`: no rule named
	}
	// Offsets: the comment's text starts one byte after '#'.
	off := c.Span.Start + 1 + lead
	for _, n := range strings.Split(list, ",") {
		if n != "" {
			s.names = append(s.names, n)
			s.spans = append(s.spans, source.Span{File: c.Span.File, Start: off, End: off + len(n)})
		}
		off += len(n) + 1
	}
	return s
}

// suppressions collects the suppression comments of a file.
func suppressions(f *ast.File) *suppressionSet {
	set := &suppressionSet{}
	own := map[int]bool{}
	for _, c := range f.Comments {
		if c.Own {
			own[c.Line] = true
		}
	}
	for _, c := range f.Comments {
		s := parseSuppression(c)
		if s == nil {
			continue
		}
		switch {
		case s.file:
		case c.Own:
			// Alone on its line: it silences the next line that is not
			// itself a comment line.
			l := c.Line + 1
			for own[l] {
				l++
			}
			s.line = l
		default:
			s.line = c.Line
		}
		set.list = append(set.list, s)
	}
	return set
}

func (set *suppressionSet) silenced(f Finding) bool {
	for _, s := range set.list {
		if !s.file && s.line != f.Diag.Pos.Line {
			continue
		}
		for _, n := range s.names {
			if n == f.Rule || n == f.Diag.Code {
				return true
			}
		}
	}
	return false
}

// knownName reports whether a suppression may name n: a rule, or a code a
// rule reports under its own prefix (divergence-*).
func knownName(n string) bool {
	if _, ok := Lookup(n); ok {
		return true
	}
	return strings.HasPrefix(n, divergenceName+"-") && len(n) > len(divergenceName)+1
}

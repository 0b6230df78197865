// Package ast is the syntax tree of one profile file: its lines, each made of
// optional conditional prefixes and a command (keyword plus the rest of the
// line as argument). It records what was written and where; meaning (which
// directive, which argument kind) is added by later phases in side tables.
package ast

import "github.com/jailc/jailc/lang/source"

// File is one parsed profile or include file.
type File struct {
	Src   *source.File
	Lines []*Line // every piece Firejail would act on, in reading order
	// Comments are the comment texts of the file, in order, with the line
	// they sit on; used by formatters and suppression comments.
	Comments []Comment
}

// Comment is a '#' comment: Text starts after the '#'.
type Comment struct {
	Line int
	Span source.Span
	Text string
	// Own is true when the comment is the whole line (no command before it).
	Own bool
}

// Line is one non-empty logical line.
type Line struct {
	Span  source.Span // the normalised content
	Line  int         // physical line
	Piece int         // 0 unless the physical line was longer than 8191 bytes
	Text  string      // normalised text, conditionals included
	Conds []*Cond
	Cmd   *Command // nil when a conditional has no body
}

// Cond is a `?NAME:` prefix as written. Name is the text after '?' up to a
// space or ':'; whether it names a conditional is decided by the checker,
// which follows Firejail's prefix matching.
type Cond struct {
	Span  source.Span
	Name  string
	Colon bool
}

// Command is a keyword and its argument.
type Command struct {
	Span        source.Span // keyword through end of argument
	Keyword     string
	KeywordSpan source.Span
	HasArg      bool
	Arg         string
	ArgSpan     source.Span
	// Text is the command as Firejail compares it with ignore entries:
	// normalised, without conditional prefixes.
	Text    string
	argOffs []int
}

// SetArgOffsets records the file offset of each byte of Arg (and one past
// the end); used by the parser only.
func (c *Command) SetArgOffsets(offs []int) { c.argOffs = offs }

// ArgSpanOf returns the span of Arg[i:j].
func (c *Command) ArgSpanOf(i, j int) source.Span {
	return source.Span{File: c.ArgSpan.File, Start: c.argOffset(i), End: c.argOffset(j)}
}

func (c *Command) argOffset(i int) int {
	if len(c.argOffs) == 0 {
		return c.ArgSpan.Start
	}
	if i < 0 {
		i = 0
	}
	if i >= len(c.argOffs) {
		i = len(c.argOffs) - 1
	}
	return c.argOffs[i]
}

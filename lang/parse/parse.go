// Package parse reads a profile file exactly as Firejail 0.9.72 does and
// produces an ast.File. Reading has two layers: the piece reader (lines.go)
// reproduces Firejail's fgets-and-normalise loop byte for byte; a participle
// grammar then splits each normalised line into conditional prefixes, a
// keyword and the rest of the line. The grammar is private to this package.
//
// Parse never fails: problems with the bytes (BOM, NUL, CR, long lines,
// invalid UTF-8, binary data) come back as diagnostics next to the tree.
package parse

import (
	"fmt"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/source"
)

// The line grammar. After normalisation a line is
//
//	Line    = Cond* Command?
//	Cond    = "?" NAME [" "] ":" [" "]        (colon checked later)
//	Command = KEYWORD [" " REST]
//
// Keywords run to the first space; the argument is the rest of the line,
// spaces included.
var lineLexer = lexer.MustStateful(lexer.Rules{
	"Root": {
		{Name: "Cond", Pattern: `\?[^ :]*`, Action: lexer.Push("CondTail")},
		{Name: "Keyword", Pattern: `[^ ]+`, Action: lexer.Push("Arg")},
	},
	"CondTail": {
		{Name: "Colon", Pattern: ` ?: ?`, Action: lexer.Pop()},
		{Name: "Blank", Pattern: ` `, Action: lexer.Pop()},
	},
	"Arg": {
		{Name: "Rest", Pattern: ` .*`, Action: nil},
	},
})

type pLine struct {
	Conds []*pCond  `parser:"@@*"`
	Cmd   *pCommand `parser:"@@?"`
}

type pCond struct {
	Pos   lexer.Position
	Name  string `parser:"@Cond"`
	Colon string `parser:"( @Colon | Blank )?"`
}

type pCommand struct {
	Pos     lexer.Position
	Keyword string  `parser:"@Keyword"`
	Rest    *string `parser:"@Rest?"`
}

var lineParser = participle.MustBuild[pLine](
	participle.Lexer(lineLexer),
)

// Codes of the diagnostics this package reports.
const (
	CodeBOM         = "byte-order-mark"
	CodeNUL         = "nul-byte"
	CodeCR          = "carriage-return"
	CodeLongLine    = "long-line"
	CodeInvalidUTF8 = "invalid-utf8"
	CodeBinary      = "binary-file"
	CodeEmptyFile   = "empty-file"
	CodeSyntax      = "syntax"
)

// File parses one file. It always returns a tree (possibly with no lines).
func File(f *source.File) (*ast.File, diag.List) {
	var diags diag.List
	out := &ast.File{Src: f}
	if isBinary(f.Data) {
		diags = append(diags, diag.Diagnostic{
			Pos: f.Position(0), End: f.Position(0), Severity: diag.Error, Code: CodeBinary, Firejail: true,
			Message: "this is a binary file, not a profile",
			Detail:  []string{"it holds NUL bytes or other control characters; Firejail would read it as invalid lines"},
		})
		return out, diags
	}
	if len(f.Data) >= 3 && f.Data[0] == 0xef && f.Data[1] == 0xbb && f.Data[2] == 0xbf {
		diags = append(diags, diag.Diagnostic{
			Pos: f.Position(0), End: f.Position(3), Severity: diag.Error, Code: CodeBOM, Firejail: true,
			Message: "file starts with a UTF-8 byte order mark",
			Detail:  []string{"Firejail does not skip it and reads the first line as an unknown command; save the file without a BOM"},
		})
	}
	reportedUTF8 := false
	for _, p := range Pieces(f) {
		p := p
		raw := f.Data[p.Start:p.End]
		if !reportedUTF8 && !utf8.Valid(raw) {
			off := p.Start + firstInvalidUTF8(raw)
			diags = append(diags, diag.Diagnostic{
				Pos: f.Position(off), End: f.Position(off + 1), Severity: diag.Error, Code: CodeInvalidUTF8,
				Message: "invalid UTF-8",
				Detail:  []string{"profiles are text; Firejail passes the bytes through unchanged, but paths and names with broken encoding cannot match anything reliably"},
			})
			reportedUTF8 = true
		}
		if p.Index == 1 {
			diags = append(diags, diag.Diagnostic{
				Pos: f.Position(p.Start), End: f.Position(p.End), Severity: diag.Error, Code: CodeLongLine,
				Message: fmt.Sprintf("line is longer than %d bytes", PieceSize),
				Detail:  []string{fmt.Sprintf("Firejail reads it in pieces of %d bytes and treats each piece as a separate line", PieceSize)},
			})
		}
		if p.NUL >= 0 {
			diags = append(diags, diag.Diagnostic{
				Pos: f.Position(p.NUL), End: f.Position(p.NUL + 1), Severity: diag.Warning, Code: CodeNUL,
				Message: "NUL byte in line",
				Detail:  []string{"Firejail stops reading the line at the NUL; the rest of the line is ignored"},
			})
		}
		if p.CR >= 0 && p.Text != "" {
			diags = append(diags, diag.Diagnostic{
				Pos: f.Position(p.CR), End: f.Position(p.CR + 1), Severity: diag.Warning, Code: CodeCR,
				Message: "carriage return in the middle of a line",
				Detail:  []string{"Firejail ends the line at a CR and ignores what follows it; use LF line endings"},
			})
		}
		if p.Comment >= 0 {
			end := p.End
			for end > p.Comment && (f.Data[end-1] == '\n' || f.Data[end-1] == '\r') {
				end--
			}
			out.Comments = append(out.Comments, ast.Comment{
				Line: p.Line, Span: source.Span{File: f, Start: p.Comment, End: end},
				Text: string(f.Data[p.Comment+1 : end]), Own: p.Text == "",
			})
		}
		if p.Text == "" {
			continue
		}
		line, err := lowerLine(f, &p)
		if err != nil {
			// The grammar accepts every non-empty normalised line; an error
			// here is a bug, reported rather than hidden.
			diags = append(diags, diag.Diagnostic{
				Pos: f.Position(p.Start), End: f.Position(p.End), Severity: diag.Error, Code: CodeSyntax,
				Message: "cannot parse line: " + err.Error(), Firejail: true,
			})
			continue
		}
		out.Lines = append(out.Lines, line)
	}
	return out, diags
}

func lowerLine(f *source.File, p *Piece) (*ast.Line, error) {
	pl, err := lineParser.ParseString(f.Name, p.Text)
	if err != nil {
		return nil, err
	}
	span := func(i, j int) source.Span {
		return source.Span{File: f, Start: p.Offset(i), End: p.Offset(j)}
	}
	l := &ast.Line{Span: span(0, len(p.Text)), Line: p.Line, Piece: p.Index, Text: p.Text}
	for _, c := range pl.Conds {
		start := c.Pos.Offset
		end := start + len(c.Name) + len(c.Colon)
		l.Conds = append(l.Conds, &ast.Cond{Span: span(start, end), Name: c.Name[1:], Colon: c.Colon != ""})
	}
	if pc := pl.Cmd; pc != nil {
		start := pc.Pos.Offset
		cmd := &ast.Command{Keyword: pc.Keyword, KeywordSpan: span(start, start+len(pc.Keyword))}
		end := start + len(pc.Keyword)
		if pc.Rest != nil {
			cmd.HasArg = true
			cmd.Arg = (*pc.Rest)[1:]
			argStart := end + 1
			end = argStart + len(cmd.Arg)
			cmd.ArgSpan = span(argStart, end)
			cmd.SetArgOffsets(offsetsOf(p, argStart, end))
		} else {
			cmd.ArgSpan = span(end, end)
		}
		cmd.Span = span(start, end)
		cmd.Text = p.Text[start:end]
		l.Cmd = cmd
	}
	return l, nil
}

func offsetsOf(p *Piece, i, j int) []int {
	out := make([]int, 0, j-i+1)
	for k := i; k <= j; k++ {
		out = append(out, p.Offset(k))
	}
	return out
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

// isBinary guesses whether data is not text: a NUL or many control bytes in
// the first 8 KiB. A single stray NUL in an otherwise textual line is left
// to the per-line NUL warning.
func isBinary(data []byte) bool {
	n := len(data)
	if n > 8192 {
		n = 8192
	}
	ctl, nul := 0, 0
	for _, b := range data[:n] {
		switch {
		case b == 0:
			nul++
		case b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != '\v':
			ctl++
		}
	}
	return nul > 1 || (n > 0 && (ctl+nul)*10 > n)
}

package parse

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/source"
)

type lineOut struct {
	Line    int
	Piece   int
	Conds   []string
	Keyword string
	HasArg  bool
	Arg     string
}

func lines(t *testing.T, src string) ([]lineOut, diag.List) {
	t.Helper()
	f, d := File(source.NewFile("t.profile", []byte(src)))
	var out []lineOut
	for _, l := range f.Lines {
		o := lineOut{Line: l.Line, Piece: l.Piece}
		for _, c := range l.Conds {
			s := c.Name
			if c.Colon {
				s += ":"
			}
			o.Conds = append(o.Conds, s)
		}
		if l.Cmd != nil {
			o.Keyword, o.HasArg, o.Arg = l.Cmd.Keyword, l.Cmd.HasArg, l.Cmd.Arg
		}
		out = append(out, o)
	}
	return out, d
}

func codes(d diag.List) []string {
	var out []string
	for _, x := range d {
		out = append(out, x.Code)
	}
	return out
}

// Each case is a rule from reference §1 (how Firejail reads a line).
func TestLexing(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  []lineOut
		codes []string
	}{
		{"comment anywhere", "blacklist /a # hide a\n# whole line\n", []lineOut{{Line: 1, Keyword: "blacklist", HasArg: true, Arg: "/a"}}, nil},
		{"hash inside argument cuts it", "env A=b#c\n", []lineOut{{Line: 1, Keyword: "env", HasArg: true, Arg: "A=b"}}, nil},
		{"blank runs collapse", "noblacklist   ${HOME}/.Wolfram    Research\n", []lineOut{{Line: 1, Keyword: "noblacklist", HasArg: true, Arg: "${HOME}/.Wolfram Research"}}, nil},
		{"tabs are blanks", "\tblacklist\t/x\t\t/y\t\n", []lineOut{{Line: 1, Keyword: "blacklist", HasArg: true, Arg: "/x /y"}}, nil},
		{"leading and trailing blanks", "   include rpcs3.local \n", []lineOut{{Line: 1, Keyword: "include", HasArg: true, Arg: "rpcs3.local"}}, nil},
		{"tab before inline comment", "nogroups\t# comment\n", []lineOut{{Line: 1, Keyword: "nogroups"}}, nil},
		{"CRLF", "caps.drop all\r\nnonewprivs\r\n", []lineOut{{Line: 1, Keyword: "caps.drop", HasArg: true, Arg: "all"}, {Line: 2, Keyword: "nonewprivs"}}, nil},
		{"CR ends the line", "blacklist /a\rblacklist /b\n", []lineOut{{Line: 1, Keyword: "blacklist", HasArg: true, Arg: "/a"}}, []string{CodeCR}},
		{"NUL ends the line", "blacklist /a\x00/b\n", []lineOut{{Line: 1, Keyword: "blacklist", HasArg: true, Arg: "/a"}}, []string{CodeNUL}},
		{"empty and blank lines skipped", "\n   \n\t\nquiet\n", []lineOut{{Line: 4, Keyword: "quiet"}}, nil},
		{"no final newline", "seccomp", []lineOut{{Line: 1, Keyword: "seccomp"}}, nil},
		{"conditional", "?HAS_NET: net none\n", []lineOut{{Line: 1, Conds: []string{"HAS_NET:"}, Keyword: "net", HasArg: true, Arg: "none"}}, nil},
		{"conditional space before colon", "?HAS_NET : net none\n", []lineOut{{Line: 1, Conds: []string{"HAS_NET:"}, Keyword: "net", HasArg: true, Arg: "none"}}, nil},
		{"nested conditionals", "?HAS_NET: ?HAS_X11:nosound\n", []lineOut{{Line: 1, Conds: []string{"HAS_NET:", "HAS_X11:"}, Keyword: "nosound"}}, nil},
		{"conditional without colon", "?HAS_NODBUSprivate\n", []lineOut{{Line: 1, Conds: []string{"HAS_NODBUSprivate"}}}, nil},
		{"conditional without body", "?HAS_NODBUS:\n", []lineOut{{Line: 1, Conds: []string{"HAS_NODBUS:"}}}, nil},
		{"BOM is part of the first keyword", "\ufeffquiet\n", []lineOut{{Line: 1, Keyword: "\ufeffquiet"}}, []string{CodeBOM}},
		{"keyword followed by one separator", "seccomp  chroot,mount\n", []lineOut{{Line: 1, Keyword: "seccomp", HasArg: true, Arg: "chroot,mount"}}, nil},
		{"invalid UTF-8", "blacklist /\xff\n", []lineOut{{Line: 1, Keyword: "blacklist", HasArg: true, Arg: "/\xff"}}, []string{CodeInvalidUTF8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, d := lines(t, tc.src)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.codes, codes(d)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// A 9000-byte line is read as two pieces (8191 + the rest), each a line to
// Firejail; the second piece here starts with "aaa..." and is an unknown
// command to Firejail. A long comment line behaves the same way: only the
// first piece starts with '#'.
func TestLongLinePieces(t *testing.T) {
	long := "blacklist /" + strings.Repeat("a", 9000) + "\nquiet\n"
	got, d := lines(t, long)
	if len(got) != 3 {
		t.Fatalf("got %d lines, want 3: %+v", len(got), got)
	}
	if got[0].Keyword != "blacklist" || len(got[0].Arg) != PieceSize-len("blacklist ") {
		t.Errorf("first piece: keyword %q, arg length %d", got[0].Keyword, len(got[0].Arg))
	}
	if got[1].Line != 1 || got[1].Piece != 1 || !strings.HasPrefix(got[1].Keyword, "aaa") {
		t.Errorf("second piece: %+v", got[1])
	}
	if got[2].Line != 2 || got[2].Keyword != "quiet" {
		t.Errorf("third line: %+v", got[2])
	}
	if diff := cmp.Diff([]string{CodeLongLine}, codes(d)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	comment := "#" + strings.Repeat("c", 9000) + "\n"
	got, _ = lines(t, comment)
	if len(got) != 1 || got[0].Piece != 1 {
		t.Errorf("long comment: want the second piece as a command line, got %+v", got)
	}
}

// Positions map back through whitespace collapse to the original bytes.
func TestPositions(t *testing.T) {
	src := "include a.local\n\t?HAS_NET:   blacklist    /tmp/x\n"
	f, _ := File(source.NewFile("p.profile", []byte(src)))
	l := f.Lines[1]
	if p := l.Conds[0].Span.Pos(); p.Line != 2 || p.Col != 2 {
		t.Errorf("conditional at %v, want 2:2", p)
	}
	if p := l.Cmd.KeywordSpan.Pos(); p.Line != 2 || p.Col != 14 {
		t.Errorf("keyword at %v, want 2:14", p)
	}
	if p := l.Cmd.ArgSpan.Pos(); p.Col != 27 {
		t.Errorf("argument at %v, want column 27", p)
	}
	if p := l.Cmd.ArgSpanOf(5, 6).Pos(); p.Col != 32 {
		t.Errorf("argument byte 5 at %v, want column 32", p)
	}
}

func TestBinary(t *testing.T) {
	f, d := File(source.NewFile("b", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00")))
	if len(f.Lines) != 0 || len(d) != 1 || d[0].Code != CodeBinary || d[0].Severity != diag.Error {
		t.Errorf("binary: lines %d, diags %v", len(f.Lines), d)
	}
}

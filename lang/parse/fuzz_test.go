package parse

import (
	"testing"

	"github.com/jailc/jailc/lang/source"
)

// FuzzParse: parsing never panics and every span lies inside its file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "quiet\n", "?HAS_NET: net none\n", "?HAS_NODBUS\n", "blacklist ${HOME}/.ssh # c\n",
		"seccomp !chroot,mount:EPERM,$165\r\n", "\ufeffinclude x.local\n", "a\x00b\rc\n",
		"?X:?Y: ?Z :w\n", "\t \t\n", "#\n", "env A=b c   d\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := source.NewFile("fuzz.profile", data)
		af, diags := File(src)
		n := len(data)
		in := func(what string, s source.Span) {
			if s.File != src || s.Start < 0 || s.End > n || s.Start > s.End {
				t.Fatalf("%s span [%d,%d) outside file of %d bytes", what, s.Start, s.End, n)
			}
		}
		for _, l := range af.Lines {
			in("line", l.Span)
			for _, c := range l.Conds {
				in("conditional", c.Span)
			}
			if c := l.Cmd; c != nil {
				in("command", c.Span)
				in("keyword", c.KeywordSpan)
				in("argument", c.ArgSpan)
				for i := 0; i <= len(c.Arg); i++ {
					in("argument byte", c.ArgSpanOf(i, len(c.Arg)))
				}
			}
		}
		for _, d := range diags {
			if d.Pos.Offset < 0 || d.Pos.Offset > n || d.End.Offset > n {
				t.Fatalf("diagnostic outside file: %v", d)
			}
		}
	})
}

package lint

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/resolve"
)

// UnusedIgnore finds ignore lines that match no later line. An ignore
// drops a later line whose text (without conditionals) starts with the
// ignore text followed by the end of the line or a space (reference §6.4),
// so `ignore noexec ${HOME}` does not touch `noexec ${HOME}/x`, and
// `ignore noblack` matches nothing. Later lines behind a false conditional
// count, since the ignore matters in the context where they apply. Include
// fragments are not checked on their own: their ignores are meant for the
// profile that includes them.
var UnusedIgnore = &Rule{
	Name:     "unused-ignore",
	Doc:      "ignore that matches no later line (matching is by whole words at the start of the line)",
	Severity: diag.Warning,
	Category: "paths",
	Run:      runUnusedIgnore,
}

// ignoreMatches is Firejail's test of a line's text against an ignore text.
func ignoreMatches(ignore, text string) bool {
	return strings.HasPrefix(text, ignore) && (len(text) == len(ignore) || text[len(ignore)] == ' ')
}

func runUnusedIgnore(p *Pass) {
	if p.Fragment {
		return
	}
	entries := p.Unit.Entries
	for i, e := range entries {
		cmd := e.Line.Cmd
		if !p.InFile(e) || cmd == nil || cmd.Keyword != "ignore" || !cmd.HasArg || e.CondError || e.IgnoredBy != nil {
			continue
		}
		used := false
		for _, later := range entries[i+1:] {
			if later.Line.Cmd != nil && ignoreMatches(cmd.Arg, later.Line.Cmd.Text) {
				used = true
				break
			}
		}
		if used {
			continue
		}
		detail := []string{"an ignore drops later lines whose text starts with it as whole words; no line after this one in the profile or its includes does"}
		if near := nearMiss(cmd.Arg, entries[i+1:]); near != "" {
			detail = append(detail, fmt.Sprintf("did you mean %q? the comparison is on the text as written, before macros are expanded", near))
		}
		p.Report(Diag(cmd.ArgSpan, fmt.Sprintf("ignore %q matches no later line", cmd.Arg), detail...))
	}
}

// nearMiss finds a later line that starts with the ignore's keyword, the
// likeliest intended target.
func nearMiss(arg string, later []*resolve.Entry) string {
	kw, _, _ := strings.Cut(arg, " ")
	for _, e := range later {
		if c := e.Line.Cmd; c != nil && c.Keyword == kw && c.Text != arg {
			return c.Text
		}
	}
	return ""
}

package lint

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/diag"
)

// DuplicateLine finds a line repeated in the same file (same text after
// Firejail's whitespace normalisation, conditionals included). Firejail
// accepts repeats silently: most are harmless, an include read twice
// applies its file twice, and a repeated noblacklist or ignore usually means
// an edit went wrong.
var DuplicateLine = &Rule{
	Name:     "duplicate-line",
	Doc:      "the same line twice in one file",
	Severity: diag.Warning,
	Category: "paths",
	Run:      runDuplicateLine,
}

func runDuplicateLine(p *Pass) {
	first := map[string]int{}
	for i, l := range p.File.Lines {
		if l.Cmd == nil {
			continue
		}
		j, seen := first[l.Text]
		if !seen {
			first[l.Text] = i
			continue
		}
		prev := p.File.Lines[j]
		d := Diag(l.Span, fmt.Sprintf("%q repeats line %d", l.Text, prev.Line))
		if l.Cmd.Keyword == "include" {
			d.Detail = append(d.Detail, "Firejail reads the file again: every line of it is applied twice")
		}
		d.Related = []diag.Related{{Pos: prev.Span.Pos(), Message: "first here"}}
		if !safeToDelete(p.File.Lines[j+1:i], l.Cmd.Keyword) {
			d.Detail = append(d.Detail, "not fixed automatically: lines in between may depend on the repeat")
			p.Report(d)
			continue
		}
		// The fix deletes the whole physical line of the repeat.
		start := l.Span.File.LineStart(l.Line)
		end := l.Span.File.LineStart(l.Line + 1)
		if l.Line >= l.Span.File.LineCount() {
			end = len(l.Span.File.Data)
		}
		p.Report(d, Fix{Message: "delete the repeated line", Edits: []Edit{{File: p.File.Src.Name, Start: start, End: end}}})
	}
}

// family groups keywords whose relative order matters, so that deleting a
// repeat is safe only when no line of its family sits between the two.
func family(kw string) string {
	switch kw {
	case "blacklist", "blacklist-nolog", "noblacklist":
		return "blacklist"
	case "whitelist", "nowhitelist", "whitelist-ro":
		return "whitelist"
	case "read-only", "read-write", "noexec", "tmpfs":
		return "remount"
	case "env", "rmenv":
		return "env"
	case "seccomp", "seccomp.drop", "seccomp.keep":
		return "seccomp"
	case "caps.drop", "caps.keep":
		return "caps"
	}
	if strings.HasPrefix(kw, "dbus-user") {
		return "dbus-user"
	}
	if strings.HasPrefix(kw, "dbus-system") {
		return "dbus-system"
	}
	return kw
}

// safeToDelete reports whether the repeat of a kw line can go: no line in
// between belongs to its family; for an include, no command at all, since
// the file read twice may hold anything.
func safeToDelete(between []*ast.Line, kw string) bool {
	for _, l := range between {
		if l.Cmd == nil {
			continue
		}
		if kw == "include" || family(l.Cmd.Keyword) == family(kw) {
			return false
		}
	}
	return true
}

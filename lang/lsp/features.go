package lsp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/names"
	"github.com/jailc/jailc/lang/resolve"
)

// context describes the line under the cursor.
type context struct {
	line    string
	keyword string // "" while the keyword is being typed
	inKey   bool   // the cursor is on the keyword
	word    string // the token under or before the cursor (list item)
	start   int    // its first column
}

func (s *Server) context(uri string, pos position) (context, bool) {
	text, ok := s.docs[uri]
	if !ok {
		return context{}, false
	}
	lines := strings.Split(text, "\n")
	if pos.Line >= len(lines) {
		return context{}, false
	}
	line := strings.SplitN(lines[pos.Line], "#", 2)[0]
	col := min(pos.Character, len(line))
	c := context{line: line}
	// Skip conditional prefixes.
	body, off := line, 0
	for {
		t := strings.TrimLeft(body, " \t")
		off += len(body) - len(t)
		body = t
		if !strings.HasPrefix(body, "?") {
			break
		}
		i := strings.Index(body, ":")
		if i < 0 || col <= off+i {
			c.word, c.start = strings.TrimSpace(body[:max(i, 0)]), off
			if i < 0 {
				c.word = strings.TrimSpace(body)
			}
			return c, true
		}
		body, off = body[i+1:], off+i+1
	}
	kwEnd := strings.IndexAny(body, " \t")
	if kwEnd < 0 {
		kwEnd = len(body)
	}
	c.keyword = body[:kwEnd]
	if col <= off+kwEnd {
		c.inKey, c.word, c.start = true, body[:max(0, min(col-off, kwEnd))], off
		if col-off < kwEnd {
			c.word = c.keyword
		}
		return c, true
	}
	// The list item around the cursor.
	i := col
	for i > 0 && !strings.ContainsRune(" \t,", rune(line[i-1])) {
		i--
	}
	j := col
	for j < len(line) && !strings.ContainsRune(" \t,", rune(line[j])) {
		j++
	}
	c.word, c.start = line[i:j], i
	return c, true
}

func (s *Server) hover(uri string, pos position) string {
	c, ok := s.context(uri, pos)
	if !ok || c.word == "" {
		return ""
	}
	w := c.word
	switch {
	case strings.HasPrefix(w, "?"):
		name, _, ok := directive.MatchCondition(strings.TrimPrefix(w, "?"))
		if ok {
			return fmt.Sprintf("**?%s** — conditional: the rest of the line applies only when %s is true when the line is read.", name, name)
		}
	case c.inKey:
		if spec, ok := directive.Lookup(w); ok {
			return directiveDoc(spec)
		}
		if l, ok := directive.LookupLater(w); ok {
			return fmt.Sprintf("**%s** — %s. Needs Firejail %s or later; 0.9.72 rejects it.", l.Name, l.Doc, l.Since)
		}
		return ""
	case strings.HasPrefix(w, "${"):
		return macroDoc(w)
	}
	spec, _ := directive.Lookup(c.keyword)
	if spec == nil {
		return ""
	}
	item := strings.TrimLeft(w, "!+-=")
	item, action, _ := strings.Cut(item, ":")
	switch spec.Arg {
	case directive.ArgCaps, directive.ArgCapsDrop:
		if n, ok := names.CapNumber(item); ok {
			return fmt.Sprintf("**%s** — capability %d (CAP_%s)", item, n, strings.ToUpper(item))
		}
	case directive.ArgSyscalls:
		if strings.HasPrefix(item, "@") {
			if g, ok := names.LookupGroup(item); ok {
				m, _ := names.ExpandGroup(g.Name, sysnum.X86_64)
				return fmt.Sprintf("**%s** — syscall group, %d syscalls on x86_64: %s", g.Name, len(m), strings.Join(m, ", "))
			}
			return ""
		}
		var on []string
		for _, a := range sysnum.Arches() {
			if nr, ok := a.Number(item); ok {
				on = append(on, fmt.Sprintf("%s %d", a.Name, nr))
			}
		}
		if len(on) == 0 {
			return ""
		}
		doc := fmt.Sprintf("**%s** — syscall: %s", item, strings.Join(on, ", "))
		if action != "" {
			if n, ok := names.ErrnoNumber(action); ok {
				doc += fmt.Sprintf("; `:%s` returns errno %d", action, n)
			}
		}
		return doc
	case directive.ArgProtocols:
		for _, p := range names.Protocols {
			if p.Name == item {
				return fmt.Sprintf("**%s** — socket family %d", p.Name, p.Family)
			}
		}
	case directive.ArgErrorAction:
		if n, ok := names.ErrnoNumber(item); ok {
			return fmt.Sprintf("**%s** — errno %d", strings.ToUpper(item), n)
		}
	}
	return ""
}

func directiveDoc(s *directive.Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — %s.\n\n", s.Name, s.Doc)
	switch {
	case s.Bare && s.Arg == directive.ArgNone:
		fmt.Fprintf(&b, "Usage: `%s` (no argument).", s.Name)
	case s.Bare:
		fmt.Fprintf(&b, "Usage: `%s` or `%s ARGUMENT`.", s.Name, s.Name)
	default:
		fmt.Fprintf(&b, "Usage: `%s ARGUMENT`.", s.Name)
	}
	fmt.Fprintf(&b, " Repeats: %s.", s.Repeat)
	if s.Gate != "" {
		fmt.Fprintf(&b, " Needs `%s yes` in firejail.config.", s.Gate)
	}
	if s.Deprecated != "" {
		fmt.Fprintf(&b, " Deprecated: write %s.", s.Deprecated)
	}
	return b.String()
}

func macroDoc(w string) string {
	switch {
	case strings.HasPrefix(w, "${HOME}"):
		return "**${HOME}** — the user's home directory from the passwd entry (not $HOME)."
	case strings.HasPrefix(w, "${CFG}"):
		return "**${CFG}** — Firejail's configuration directory, /etc/firejail; expanded only in include lines."
	case strings.HasPrefix(w, "${RUNUSER}"):
		return "**${RUNUSER}** — /run/user/UID of the user."
	case strings.HasPrefix(w, "${PATH}"):
		return "**${PATH}** — every directory of PATH; only in blacklist, blacklist-nolog, noblacklist, read-only, read-write, noexec, tmpfs."
	}
	if macro.IsXDG(w) {
		return fmt.Sprintf("**%s** — an XDG user directory (user-dirs.dirs, else the usual names); only as the whole argument.", w)
	}
	return ""
}

type completion struct {
	Label  string `json:"label"`
	Kind   int    `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

func (s *Server) complete(uri string, pos position) []completion {
	c, ok := s.context(uri, pos)
	if !ok {
		return []completion{}
	}
	var out []completion
	add := func(kind int, detail string, items ...string) {
		for _, it := range items {
			if strings.HasPrefix(it, strings.TrimLeft(c.word, "!+-=")) {
				out = append(out, completion{Label: it, Kind: kind, Detail: detail})
			}
		}
	}
	switch {
	case strings.HasPrefix(c.word, "?"):
		for _, n := range directive.Conditions {
			out = append(out, completion{Label: "?" + n + ":", Kind: 14, Detail: "conditional"})
		}
		return out
	case c.inKey:
		for _, spec := range directive.All() {
			if strings.HasPrefix(spec.Name, c.word) {
				out = append(out, completion{Label: spec.Name, Kind: 14, Detail: spec.Doc})
			}
		}
		return out
	case strings.HasPrefix(c.word, "$"):
		ms := []string{"${HOME}", "${CFG}", "${RUNUSER}", "${PATH}"}
		for _, x := range macro.XDG {
			ms = append(ms, x.Macro)
		}
		for _, m := range ms {
			if strings.HasPrefix(m, c.word) {
				out = append(out, completion{Label: m, Kind: 21, Detail: "macro"})
			}
		}
		return out
	}
	spec, _ := directive.Lookup(c.keyword)
	if spec == nil {
		return []completion{}
	}
	switch spec.Arg {
	case directive.ArgCaps, directive.ArgCapsDrop:
		if spec.Arg == directive.ArgCapsDrop {
			add(12, "drop every capability", "all")
		}
		add(12, "capability", names.Capabilities...)
	case directive.ArgSyscalls:
		if strings.HasPrefix(c.word, "@") {
			for _, g := range names.Groups {
				add(9, "syscall group", g.Name)
			}
			break
		}
		arch := sysnum.X86_64
		if strings.HasPrefix(c.keyword, "seccomp.32") {
			arch = sysnum.I386
		}
		var ns []string
		for _, sc := range arch.Syscalls() {
			ns = append(ns, sc.Name)
		}
		sort.Strings(ns)
		add(3, "syscall on "+arch.Name, ns...)
	case directive.ArgProtocols:
		for _, p := range names.Protocols {
			add(12, "socket family", p.Name)
		}
	case directive.ArgNamespaces:
		for _, n := range names.Namespaces {
			add(12, "namespace", n.Name)
		}
	case directive.ArgErrorAction:
		add(12, "action", "kill", "log")
		for _, e := range names.Errnos {
			add(12, "errno", e.Name)
		}
	case directive.ArgX11:
		add(12, "x11 mode", "none", "xorg", "xephyr", "xpra", "xvfb")
	case directive.ArgDBusPolicy:
		add(12, "policy", "filter", "none")
	}
	if out == nil {
		out = []completion{}
	}
	return out
}

// definition answers on include lines with the file the include reads.
func (s *Server) definition(uri string, pos position) *location {
	_, res, err := s.check(uri)
	if err != nil || res.Unit == nil {
		return nil
	}
	unit := res.Unit
	path := pathOf(uri)
	for _, e := range unit.Entries {
		p := e.Line.Span.Pos()
		if p.File != path || p.Line != pos.Line+1 || e.Include == nil || e.Include.Path == "" {
			continue
		}
		target := e.Include.Path
		if strings.HasPrefix(target, resolve.StdlibPrefix) {
			return nil // embedded: no file to open
		}
		return &location{URI: uriOf(target)}
	}
	return nil
}

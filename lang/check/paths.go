package check

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/source"
)

// rejected characters of Firejail's filename check; globs are rejected too
// where a directive takes no pattern.
const (
	rejectedChars = `\&!"<>%^{};,`
	globChars     = `*?[]`
)

// charClass: 1 rejected always, 2 rejected where globs are not allowed.
var charClass = func() (t [256]uint8) {
	for i := 0; i < 0x20; i++ {
		t[i] = 1
	}
	t[0x7f] = 1
	for i := 0; i < len(rejectedChars); i++ {
		t[rejectedChars[i]] = 1
	}
	for i := 0; i < len(globChars); i++ {
		t[globChars[i]] = 2
	}
	return t
}()

// badChar finds the first character Firejail's filename check rejects.
func badChar(s string, glob bool) (int, string) {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch charClass[ch] {
		case 0:
			continue
		case 2:
			if glob {
				continue
			}
		}
		if ch < 0x20 || ch == 0x7f {
			return i, "control character"
		}
		return i, string(ch)
	}
	return -1, ""
}

// charCheck reports the first rejected character or "..", offsets relative
// to the argument; skip is the length of a leading macro Firejail skips.
func (c *checker) charCheck(cmd *ast.Command, skip int, glob, dotdot bool) bool {
	arg := cmd.Arg
	rest := arg[skip:]
	if i, what := badChar(rest, glob); i >= 0 {
		at := skip + i
		det := []string{}
		switch {
		case what == "{" || what == "}":
			if m := macroAt(arg, at); m != "" {
				det = append(det, macroAdvice(m, cmd.Keyword))
			} else {
				det = append(det, "braces are not allowed in paths")
			}
		case strings.IndexByte(globChars, what[0]) >= 0:
			det = append(det, fmt.Sprintf("%s takes a plain path, not a glob pattern", cmd.Keyword))
		case what == ",":
			det = append(det, "commas are not allowed in paths")
		}
		if what == "control character" {
			c.errorf(CodeInvalidFilename, cmd.ArgSpanOf(at, at+1), fmt.Sprintf("%q is an invalid filename: control characters are not allowed", arg), det...)
		} else {
			c.errorf(CodeInvalidFilename, cmd.ArgSpanOf(at, at+1), fmt.Sprintf("%q is an invalid filename: rejected character %q", arg, what), det...)
		}
		return false
	}
	if dotdot {
		if i := strings.Index(arg, ".."); i >= 0 {
			c.errorf(CodeDotDot, cmd.ArgSpanOf(i, i+2), fmt.Sprintf("path %q contains \"..\"", arg),
				"Firejail rejects \"..\" anywhere in the path; write the path without it")
			return false
		}
	}
	return true
}

func macroAt(arg string, at int) string {
	start := strings.LastIndex(arg[:at+1], "${")
	if start < 0 {
		return ""
	}
	end := strings.IndexByte(arg[start:], '}')
	if end < 0 {
		return ""
	}
	return arg[start : start+end+1]
}

func macroAdvice(m, kw string) string {
	switch {
	case macro.IsXDG(m):
		return fmt.Sprintf("%s can only stand alone as the whole argument; %s %s/... is rejected", m, kw, m)
	case m == "${CFG}":
		return "${CFG} is expanded only in include lines"
	case m == "${HOME}" || m == "${RUNUSER}" || m == "${PATH}":
		return fmt.Sprintf("%s is expanded only at the start of the argument", m)
	}
	return fmt.Sprintf("%s is not a Firejail macro; the macros are ${HOME}, ${CFG}, ${RUNUSER}, ${PATH} and the XDG directories", m)
}

func leadingMacro(arg string, macros ...string) (string, int) {
	for _, m := range macros {
		if strings.HasPrefix(arg, m) {
			return m, len(m)
		}
	}
	return "", 0
}

// path checks the blacklist family, whitelist, nowhitelist and whitelist-ro.
func (c *checker) path(spec *directive.Spec, cmd *ast.Command) {
	arg := cmd.Arg
	kw := spec.Name
	if macro.HasDollarHome(arg) {
		c.errorf(CodeDollarHome, cmd.ArgSpanOf(0, 5), "$HOME is not allowed in profile files",
			"write ${HOME} instead; Firejail fails when the sandbox applies this line")
		return
	}
	if macro.IsXDG(arg) {
		return // Firejail does not check a whole-argument XDG macro
	}
	m, skip := leadingMacro(arg, "${HOME}", "${PATH}", "${RUNUSER}")
	glob := true
	if !c.charCheck(cmd, skip, glob, true) {
		return
	}
	switch spec.Arg {
	case directive.ArgWhitelist, directive.ArgWhitelistRO:
		if m == "${PATH}" {
			c.errorf(CodeMacroNotAllowed, cmd.ArgSpanOf(0, skip), fmt.Sprintf("${PATH} cannot be used with %s", kw),
				"Firejail accepts the line but fails at start with \"invalid whitelist path\"; list the directories explicitly")
			return
		}
		if kw == "nowhitelist" && strings.ContainsAny(arg, globChars) {
			c.warnf(CodeNowhitelistGlob, cmd.ArgSpan, fmt.Sprintf("nowhitelist %q is a glob pattern and has no effect", arg),
				"Firejail resolves nowhitelist paths with realpath, which fails on a pattern, and then silently ignores the line; name each path")
		}
		if m == "" && !strings.HasPrefix(arg, "/") && !strings.HasPrefix(arg, "~") {
			c.errorf(CodeRelativePath, cmd.ArgSpan, fmt.Sprintf("%s path %q is not absolute", kw, arg),
				"Firejail fails at start; write an absolute path or start with ${HOME}")
		}
	default:
		if m == "" && !strings.HasPrefix(arg, "/") && !strings.HasPrefix(arg, "~") {
			c.warnf(CodeRelativePath, cmd.ArgSpan, fmt.Sprintf("%s path %q is not absolute and does nothing", kw, arg),
				"Firejail accepts it but matches nothing; write an absolute path or start with ${HOME}")
		}
	}
	if spec.Arg == directive.ArgWhitelistRO {
		// Firejail checks nothing here; report what the checks would catch
		// at start only. (Character problems were reported above.)
		return
	}
}

// mkpath checks mkdir and mkfile: no globs, and the expanded path must start
// with the home directory, /tmp or /run/user/UID (a string-prefix test).
func (c *checker) mkpath(cmd *ast.Command) {
	arg := cmd.Arg
	if macro.HasDollarHome(arg) {
		c.errorf(CodeDollarHome, cmd.ArgSpanOf(0, 5), "$HOME is not allowed in profile files", "write ${HOME} instead")
		return
	}
	env := c.opts.Env
	expanded := env.Expand(arg)
	_, skip := leadingMacro(arg, "${HOME}", "${RUNUSER}", "${CFG}", "~")
	if macro.IsXDG(arg) {
		skip = len(arg)
	}
	if !c.charCheck(cmd, skip, false, false) {
		return
	}
	if !strings.HasPrefix(expanded, env.Home) && !strings.HasPrefix(expanded, "/tmp") && !strings.HasPrefix(expanded, env.RunUser) {
		c.errorf(CodeMkdirOutside, cmd.ArgSpan, fmt.Sprintf("%s %q is outside the home directory, /tmp and %s", cmd.Keyword, arg, env.RunUser),
			fmt.Sprintf("Firejail creates %s paths only under ${HOME}, /tmp or ${RUNUSER}", cmd.Keyword))
	}
}

func (c *checker) bind(cmd *ast.Command) {
	src, dst, ok := strings.Cut(cmd.Arg, ",")
	if !ok || src == "" || dst == "" {
		c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("bind needs SRC,DST, got %q", cmd.Arg), "write `bind /source,/destination`")
		return
	}
	if !c.charCheck(&ast.Command{Keyword: "bind", Arg: src, ArgSpan: cmd.ArgSpanOf(0, len(src))}, 0, false, true) {
		return
	}
	sub := cmd.ArgSpanOf(len(src)+1, len(cmd.Arg))
	if i, what := badChar(dst, false); i >= 0 {
		c.errorf(CodeInvalidFilename, sub, fmt.Sprintf("%q is an invalid filename: rejected character %q", dst, what))
	} else if strings.Contains(dst, "..") {
		c.errorf(CodeDotDot, sub, fmt.Sprintf("path %q contains \"..\"", dst))
	}
}

// dirArg checks `private DIR` and `private-cwd DIR`.
func (c *checker) dirArg(spec *directive.Spec, cmd *ast.Command) {
	arg := cmd.Arg
	if macro.HasDollarHome(arg) {
		c.errorf(CodeDollarHome, cmd.ArgSpanOf(0, 5), "$HOME is not allowed in profile files", "write ${HOME} instead")
		return
	}
	_, skip := leadingMacro(arg, "${HOME}", "${RUNUSER}", "${CFG}", "~")
	if macro.IsXDG(arg) {
		skip = len(arg)
	}
	if !c.charCheck(cmd, skip, false, true) {
		return
	}
	expanded := c.opts.Env.Expand(arg)
	if spec.Arg == directive.ArgCwd && (expanded == "." || !strings.HasPrefix(expanded, "/")) {
		c.errorf(CodeRelativePath, cmd.ArgSpan, fmt.Sprintf("private-cwd %q is not an absolute directory", arg), "write an absolute path or ${HOME}")
		return
	}
	if exists, isDir := c.opts.Stat(expanded); !exists || !isDir {
		// A warning (it depends on the machine), but Firejail refuses to
		// start on this machine, so --compat reports it.
		c.report(diag.Warning, CodeMissingPath, cmd.ArgSpan, true, fmt.Sprintf("directory %q does not exist on this machine", expanded),
			fmt.Sprintf("Firejail refuses `%s` when the directory is missing", spec.Name))
	}
}

// fileArg checks hosts-file, netfilter and netfilter6 files.
func (c *checker) fileArg(spec *directive.Spec, cmd *ast.Command) {
	arg := cmd.Arg
	if spec.Name != "hosts-file" {
		// Only the part before a comma is a file name.
		arg, _, _ = strings.Cut(arg, ",")
	}
	sub := &ast.Command{Keyword: cmd.Keyword, Arg: arg, ArgSpan: cmd.ArgSpanOf(0, len(arg))}
	sub.SetArgOffsets(nil)
	_, skip := leadingMacro(arg, "${HOME}", "${RUNUSER}", "${CFG}", "~")
	if spec.Name != "hosts-file" {
		skip = 0
	}
	if i, what := badChar(arg[skip:], false); i >= 0 {
		c.errorf(CodeInvalidFilename, cmd.ArgSpanOf(skip+i, skip+i+1), fmt.Sprintf("%q is an invalid filename: rejected character %q", arg, what))
		return
	}
	if strings.Contains(arg, "..") {
		c.errorf(CodeDotDot, cmd.ArgSpan, fmt.Sprintf("path %q contains \"..\"", arg))
		return
	}
	p := arg
	if spec.Name == "hosts-file" {
		p = c.opts.Env.Expand(arg)
	}
	if exists, isDir := c.opts.Stat(p); !exists || isDir {
		c.report(diag.Warning, CodeMissingPath, cmd.ArgSpanOf(0, len(arg)), true, fmt.Sprintf("file %q does not exist on this machine", p),
			fmt.Sprintf("Firejail refuses `%s` when the file is missing or is a directory", spec.Name))
	}
}

// privateList checks the comma lists of private-home/etc/opt/srv/bin/lib.
func (c *checker) privateList(spec *directive.Spec, cmd *ast.Command) {
	items := splitList(cmd.Arg)
	nonEmpty := 0
	for _, it := range items {
		t := it.text
		span := cmd.ArgSpanOf(it.from, it.to)
		if t == "" {
			continue
		}
		nonEmpty++
		if strings.Contains(t, " ") {
			c.warnf(CodeListSpace, span, fmt.Sprintf("list item %q contains a space", t),
				"Firejail treats it as one name, which matches nothing and is skipped; separate items with commas only")
			continue
		}
		glob := spec.Arg == directive.ArgPrivateBin || spec.Arg == directive.ArgPrivateLib
		// private-home expands a leading ${HOME}/ or ~/ before it checks
		// the characters.
		skip := 0
		if spec.Arg == directive.ArgPrivateHome {
			skip = len(t) - len(TrimHomePrefix(t, ""))
		}
		if i, what := badChar(t[skip:], glob); i >= 0 {
			c.errorf(CodeInvalidFilename, cmd.ArgSpanOf(it.from+skip+i, it.from+skip+i+1),
				fmt.Sprintf("%s item %q has a rejected character %q", spec.Name, t, what))
			continue
		}
		if strings.Contains(t, "..") {
			c.errorf(CodeDotDot, span, fmt.Sprintf("%s item %q contains \"..\"", spec.Name, t))
			continue
		}
		switch spec.Arg {
		case directive.ArgPrivateHome:
			c.privateHomeItem(t, span)
		case directive.ArgPrivateEtc:
			if strings.HasPrefix(t, "/") || strings.HasPrefix(t, "~") {
				c.errorf(CodeInvalidListItem, span, fmt.Sprintf("%s item %q must be a name relative to the directory", spec.Name, t),
					fmt.Sprintf("write %q", strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(t, "/etc/"), "~"), "/")))
			}
		case directive.ArgPrivateBin:
			if strings.HasPrefix(t, "~") {
				c.errorf(CodeInvalidListItem, span, fmt.Sprintf("private-bin item %q cannot start with ~", t))
			}
		}
	}
	// The lines of a private-* list accumulate: a list of only commas
	// after a line with names adds nothing; alone, Firejail fails at start.
	switch {
	case nonEmpty > 0:
		if c.e == nil || c.e.Active {
			if c.listed == nil {
				c.listed = map[string]bool{}
			}
			c.listed[spec.Name] = true
		}
	case c.listed[spec.Name]:
		c.warnf(CodeEmptyList, cmd.ArgSpan, fmt.Sprintf("%s list has no names", spec.Name),
			"the line adds nothing to the earlier "+spec.Name+" list; remove it")
	default:
		c.errorf(CodeEmptyList, cmd.ArgSpan, fmt.Sprintf("%s list has no names", spec.Name), "Firejail fails at start on a list of only commas")
	}
}

// TrimHomePrefix returns a private-home item as a name in the home
// directory: without a leading ${HOME}/ or ~/, or home/ when home is
// given. Firejail expands those prefixes and reads any other name relative
// to the home directory.
func TrimHomePrefix(item, home string) string {
	for _, pre := range []string{"${HOME}/", "~/"} {
		if strings.HasPrefix(item, pre) {
			return item[len(pre):]
		}
	}
	if h := strings.TrimSuffix(home, "/"); h != "" && strings.HasPrefix(item, h+"/") {
		return item[len(h)+1:]
	}
	return item
}

// privateHomeItem checks one private-home entry the way Firejail 0.9.72
// does when the sandbox starts (verified): the entry must be a file or
// directory directly in the home directory, and it must exist.
func (c *checker) privateHomeItem(t string, span source.Span) {
	home := strings.TrimSuffix(c.opts.Env.Home, "/")
	name := TrimHomePrefix(t, home)
	switch {
	case strings.HasPrefix(name, "/") || name == "" || strings.HasSuffix(name, "/"):
		c.errorf(CodeInvalidListItem, span, fmt.Sprintf("private-home item %q is not an entry of the home directory", t),
			"Firejail stops with \"invalid file\"; name a file or directory directly in the home directory, such as .bashrc or ${HOME}/.bashrc")
	case strings.Contains(name, "/"):
		top, _, _ := strings.Cut(name, "/")
		c.errorf(CodeInvalidListItem, span, fmt.Sprintf("private-home item %q is below the top of the home directory", t),
			fmt.Sprintf("Firejail stops with \"only top files and directories in user home are allowed\"; keep %q instead, or use whitelist for the one path", top))
	default:
		if exists, _ := c.opts.Stat(home + "/" + name); !exists {
			c.report(diag.Warning, CodeMissingPath, span, true, fmt.Sprintf("%q does not exist on this machine", home+"/"+name),
				"Firejail refuses to start when a private-home entry is missing (\"invalid file\")")
		}
	}
}

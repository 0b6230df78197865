// Package check validates a resolved unit: every directive's keyword and
// argument against the directive table, and the rules that span lines
// (conflicts, per-interface repeats, list algebra results, 32-bit seccomp
// quirks). It validates every line whatever its context: lines behind a
// false conditional and ignored lines are checked too, but a problem there is
// marked as one Firejail would not report in this context.
package check

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/names"
	"github.com/jailc/jailc/lang/resolve"
	"github.com/jailc/jailc/lang/source"
)

// Options give the context Firejail's own checks depend on.
type Options struct {
	Config *config.Config
	Env    macro.Env
	// Root is true when the sandbox is started by root (bind, restricted
	// network).
	Root bool
	// Stat reports whether a host path exists and is a directory; nil uses
	// the real filesystem.
	Stat func(path string) (exists, isDir bool)
}

// Result is the checker's output: the diagnostics of the whole unit
// (including those resolve found) and per-entry facts later phases reuse.
type Result struct {
	Unit  *resolve.Unit
	Diags diag.List
}

type checker struct {
	opts  Options
	diags diag.List
	e     *resolve.Entry
	// skipped says why Firejail does not read the current line's argument
	// in this context (firejail.config or restricted-network switches the
	// directive off); its diagnostics are then not Firejail rejections.
	skipped string
	// listed records the accumulating lists (private-etc, private-bin, ...)
	// an earlier line has put a name in.
	listed map[string]bool
}

// Check validates u. The returned list contains u.Diags as well.
func Check(u *resolve.Unit, opts Options) *Result {
	if opts.Config == nil {
		opts.Config = config.Default()
	}
	if opts.Stat == nil {
		opts.Stat = hostStat
	}
	c := &checker{opts: opts}
	c.diags = append(c.diags, u.Diags...)
	for _, e := range u.Entries {
		if e.CondError || e.Line.Cmd == nil {
			continue
		}
		if e.Include != nil || (e.Line.Cmd.Keyword == "include" && e.Line.Cmd.HasArg && len(e.Line.Conds) == 0) {
			continue // resolve handled it
		}
		c.e = e
		c.command(e.Line.Cmd)
	}
	c.e = nil
	c.crossLine(u)
	c.diags.Sort()
	return &Result{Unit: u, Diags: c.diags}
}

// report adds a diagnostic for the current entry. fj says whether Firejail
// rejects this input when it acts on the line; for lines Firejail does not
// act on in this context (false conditional, ignored) the diagnostic is kept
// but not counted as a Firejail rejection, and an error on an ignored line
// becomes a warning because no context makes Firejail read it.
func (c *checker) report(sev diag.Severity, code string, span source.Span, fj bool, msg string, detail ...string) {
	d := diag.Diagnostic{
		Pos: span.Pos(), End: span.EndPos(), Severity: sev, Code: code, Message: msg,
		Detail: detail, Firejail: fj,
	}
	if c.skipped != "" && d.Code != CodeConfigDisabled && d.Code != CodeRootOnly {
		d.Firejail = false
		d.Detail = append(d.Detail, fmt.Sprintf("Firejail does not read this argument here (%s); it does where the directive is enabled", c.skipped))
	}
	if e := c.e; e != nil {
		d.Related = e.Related()
		if !e.Active {
			d.Firejail = false
			if e.IgnoredBy != nil {
				if d.Severity == diag.Error {
					d.Severity = diag.Warning
				}
				d.Detail = append(d.Detail, fmt.Sprintf("Firejail does not check this line: it is dropped by `ignore %s` at %s", e.IgnoredBy.Line.Cmd.Arg, e.IgnoredBy.Line.Span.Pos()))
			} else if e.FalseCond != nil {
				d.Detail = append(d.Detail, fmt.Sprintf("Firejail checks this line only when ?%s is true", e.FalseCond.Name))
			}
		}
	}
	c.diags = append(c.diags, d)
}

func (c *checker) errorf(code string, span source.Span, msg string, detail ...string) {
	c.report(diag.Error, code, span, true, msg, detail...)
}

func (c *checker) warnf(code string, span source.Span, msg string, detail ...string) {
	c.report(diag.Warning, code, span, false, msg, detail...)
}

func (c *checker) command(cmd *ast.Command) {
	kw := cmd.Keyword
	spec, ok := directive.Lookup(kw)
	if !ok {
		c.unknown(cmd)
		return
	}
	if kw == "whitelist-ro" && len(c.e.Line.Conds) > 0 {
		c.errorf(resolve.CodeWhitelistROInCnd, cmd.KeywordSpan, "whitelist-ro cannot follow a conditional",
			"Firejail expands whitelist-ro before it reads conditionals, so behind a true conditional the line is invalid; write `?COND: whitelist PATH` and `?COND: read-only PATH`")
		return
	}
	if !cmd.HasArg && !spec.Bare {
		c.errorf(CodeMissingArgument, cmd.Span, fmt.Sprintf("%s needs an argument", kw), usage(spec))
		return
	}
	if cmd.HasArg && spec.Arg == directive.ArgNone {
		c.errorf(CodeUnexpectedArgument, cmd.ArgSpan, fmt.Sprintf("%s takes no argument", kw),
			fmt.Sprintf("write just `%s`", kw))
		return
	}
	if spec.Deprecated != "" {
		c.warnf(CodeDeprecated, cmd.KeywordSpan, fmt.Sprintf("%s is deprecated", kw), fmt.Sprintf("write %s instead", spec.Deprecated))
	}
	c.skipped = c.gate(spec, cmd)
	if cmd.HasArg {
		c.argument(spec, cmd)
	}
	c.skipped = ""
}

// Codes of the diagnostics this package reports.
const (
	CodeUnknownDirective   = "unknown-directive"
	CodeLaterDirective     = "later-directive"
	CodeCompiledOut        = "compiled-out"
	CodeMissingArgument    = "missing-argument"
	CodeUnexpectedArgument = "unexpected-argument"
	CodePrefixKeyword      = "prefix-keyword"
	CodeInvalidRlimit      = "invalid-rlimit"
	CodeConfigDisabled     = "config-disabled"
	CodeRootOnly           = "root-only"
	CodeDeprecated         = "deprecated"
)

func usage(s *directive.Spec) string {
	return fmt.Sprintf("usage: %s %s (%s)", s.Name, argHint(s.Arg), s.Doc)
}

func argHint(a directive.Arg) string {
	switch a {
	case directive.ArgPath, directive.ArgWhitelist, directive.ArgWhitelistRO, directive.ArgMkPath, directive.ArgPrivateDir, directive.ArgCwd, directive.ArgFile:
		return "PATH"
	case directive.ArgSyscalls:
		return "SYSCALL[,SYSCALL...]"
	case directive.ArgCaps, directive.ArgCapsDrop:
		return "CAP[,CAP...]"
	case directive.ArgProtocols:
		return "unix,inet,inet6,netlink,packet,bluetooth"
	case directive.ArgNamespaces:
		return "cgroup,ipc,net,mnt,pid,time,user,uts"
	case directive.ArgEnv:
		return "NAME=VALUE"
	case directive.ArgTimeout:
		return "hh:mm:ss"
	case directive.ArgDBusPolicy:
		return "filter|none"
	case directive.ArgBind:
		return "SRC,DST"
	case directive.ArgInclude:
		return "FILE"
	}
	return "VALUE"
}

func (c *checker) unknown(cmd *ast.Command) {
	kw := cmd.Keyword
	if l, ok := directive.LookupLater(kw); ok {
		c.errorf(CodeLaterDirective, cmd.KeywordSpan,
			fmt.Sprintf("%s needs Firejail %s or later", kw, l.Since),
			fmt.Sprintf("Firejail 0.9.72 does not know %q (%s) and refuses the profile", kw, l.Doc))
		return
	}
	if feat, ok := directive.CompiledOut[kw]; ok {
		c.errorf(CodeCompiledOut, cmd.KeywordSpan,
			fmt.Sprintf("%s is not available in Debian's Firejail build", kw),
			fmt.Sprintf("Debian builds Firejail 0.9.72 without %s, so the line is invalid there", feat))
		return
	}
	if strings.HasPrefix(kw, "private-lib") {
		// Firejail compares only the first 11 characters.
		c.warnf(CodePrefixKeyword, cmd.KeywordSpan,
			fmt.Sprintf("%q is read as bare private-lib", kw),
			"Firejail matches private-lib by prefix and ignores the rest of the word; write `private-lib` or `private-lib LIST`")
		spec, _ := directive.Lookup("private-lib")
		c.gate(spec, cmd)
		return
	}
	if strings.HasPrefix(kw, "rlimit") {
		c.errorf(CodeInvalidRlimit, cmd.KeywordSpan, fmt.Sprintf("unknown resource limit %q", kw),
			suggestion(kw, directive.Names())+"the limits are rlimit-as, rlimit-cpu, rlimit-fsize, rlimit-nofile, rlimit-nproc, rlimit-sigpending")
		return
	}
	detail := []string{}
	if s := suggestion(kw, directive.Names()); s != "" {
		detail = append(detail, strings.TrimSuffix(s, " "))
	}
	if strings.HasPrefix(kw, "\ufeff") {
		detail = append(detail, "the line starts with a UTF-8 byte order mark")
	}
	c.errorf(CodeUnknownDirective, cmd.KeywordSpan, fmt.Sprintf("unknown command %q", kw), detail...)
}

// suggestion returns "did you mean X? " or "".
func suggestion(word string, candidates []string) string {
	if s, ok := names.Suggest(word, candidates); ok {
		return fmt.Sprintf("did you mean %q? ", s)
	}
	return ""
}

// gate reports directives that firejail.config switches off, and returns
// why Firejail skips the line in this context ("" when it reads it).
func (c *checker) gate(spec *directive.Spec, cmd *ast.Command) string {
	cfg := c.opts.Config
	key, label := spec.Gate, spec.GateLabel
	switch spec.Name {
	case "net":
		if cmd.Arg == "none" {
			return ""
		}
		key, label = "network", "networking"
	case "x11":
		if cmd.Arg == "none" {
			return ""
		}
	case "dbus-user", "dbus-system":
		return "" // only the filter proxy depends on the dbus key
	}
	if spec.RootOnly && !c.opts.Root {
		// Firejail refuses to start (verified: exit 1 as a normal user).
		c.report(diag.Warning, CodeRootOnly, cmd.KeywordSpan, true,
			fmt.Sprintf("%s works only when the sandbox is started by root", spec.Name),
			"Firejail started by another user stops with an error; the profile works for root")
	}
	if key == "" {
		return ""
	}
	if !cfg.Enabled(key) {
		msg := fmt.Sprintf("%s is disabled in firejail.config (%s no)", spec.Name, key)
		det := fmt.Sprintf("Firejail prints \"Warning: %s feature is disabled in Firejail configuration file\" and ignores the line", label)
		if spec.GateSilent {
			det = "Firejail ignores the line without a warning"
		}
		c.report(diag.Note, CodeConfigDisabled, cmd.KeywordSpan, false, msg, det)
		return fmt.Sprintf("%s no", key)
	}
	if (spec.Network || spec.Name == "net") && !c.opts.Root && cfg.Enabled("restricted-network") {
		c.report(diag.Note, CodeConfigDisabled, cmd.KeywordSpan, false,
			fmt.Sprintf("%s is disabled for non-root users (restricted-network yes)", spec.Name),
			"Firejail prints \"Warning: networking feature is disabled in Firejail configuration file\" and ignores the line")
		return "restricted-network yes, for a non-root user"
	}
	return ""
}

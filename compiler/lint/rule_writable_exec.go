package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/resolve"
)

// WritableExec finds the two places a sandboxed program can most easily
// write a file and then run it: the home directory and /tmp. Each is
// reported unless the plan remounts it (or a directory above it) noexec or
// read-only, or blacklists it. disable-exec.inc does the noexec part;
// profiles that `ignore noexec ${HOME}` give it up on purpose, and the
// finding is then shown on that ignore line, where it can be silenced with
// `# jailc:ignore writable-exec`.
var WritableExec = &Rule{
	Name:     "writable-exec",
	Doc:      "home or /tmp is both writable and executable (no noexec ${HOME} / noexec /tmp, not read-only)",
	Severity: diag.Warning,
	Category: "weak-sandbox",
	Run:      runWritableExec,
}

// covers reports whether an op on dir applies to target.
func covers(dir, target string) bool {
	dir = path.Clean(dir)
	return dir == target || dir == "/" || strings.HasPrefix(target, dir+"/")
}

// writableExec reports whether target stays writable and executable, and
// the tmpfs that made it so again after a noexec or read-only, if any.
func writableExec(fs *plan.Filesystem, target string) (bool, *plan.Origin) {
	noexec, readOnly := false, false
	var reset *plan.Origin
	for _, op := range fs.BlacklistPass {
		if op.Glob || op.PathMacro || !covers(op.Path, target) {
			continue
		}
		switch op.Op {
		case "noexec":
			noexec = true
		case "blacklist", "blacklist-nolog":
			return false, nil
		case "read-only":
			readOnly = true
		case "read-write":
			if path.Clean(op.Path) == target {
				readOnly = false
			}
		case "tmpfs":
			if path.Clean(op.Path) == target {
				if noexec || readOnly {
					o := op.Origin
					reset = &o
				}
				noexec, readOnly = false, false
			}
		}
	}
	if noexec || readOnly {
		return false, nil
	}
	return true, reset
}

func runWritableExec(p *Pass) {
	if p.Fragment || p.Plan == nil {
		return
	}
	fs := &p.Plan.Filesystem
	home := path.Clean(p.Plan.Bindings.Home)
	for _, t := range []struct{ dir, macro, name string }{
		{home, "${HOME}", "the home directory"},
		{"/tmp", "/tmp", "/tmp"},
	} {
		if t.dir == "/" {
			continue
		}
		open, reset := writableExec(fs, t.dir)
		if !open {
			continue
		}
		d := p.StartDiag(fmt.Sprintf("%s is writable and executable in the sandbox", t.name),
			fmt.Sprintf("nothing remounts %s noexec or read-only, so a compromised program can write a binary there and run it; include disable-exec.inc or add `noexec %s`", t.dir, t.macro))
		if reset != nil {
			span := p.AnchorOrigin(*reset)
			d.Pos, d.End = span.Pos(), span.EndPos()
			d.Detail = append(d.Detail, fmt.Sprintf("this tmpfs mounts a fresh, executable %s over the earlier noexec or read-only", t.dir))
		} else if e := p.ignoreOf("noexec " + t.macro); e != nil {
			span := p.Anchor(e)
			d.Pos, d.End = span.Pos(), span.EndPos()
			d.Detail = append(d.Detail, fmt.Sprintf("`ignore noexec %s` turns the protection off", t.macro))
		}
		p.Report(d)
	}
}

// ignoreOf returns the first active ignore line with this text.
func (p *Pass) ignoreOf(text string) *resolve.Entry {
	for _, e := range p.Unit.Ignores {
		if e.Line.Cmd.Arg == text {
			return e
		}
	}
	return nil
}

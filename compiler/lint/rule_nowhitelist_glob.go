package lint

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/diag"
)

// NowhitelistGlob finds nowhitelist lines with a glob pattern. Firejail
// resolves a nowhitelist path with realpath and silently drops it when that
// fails, which it always does for a pattern (reference §6.3, verified:
// `nowhitelist /srv/wl/*` has no effect).
var NowhitelistGlob = &Rule{
	Name:     "nowhitelist-glob",
	Doc:      "nowhitelist of a glob pattern, which Firejail silently ignores",
	Severity: diag.Warning,
	Category: "paths",
	Run:      runNowhitelistGlob,
}

func runNowhitelistGlob(p *Pass) {
	for _, l := range p.File.Lines {
		cmd := l.Cmd
		if cmd == nil || cmd.Keyword != "nowhitelist" || !cmd.HasArg {
			continue
		}
		i := strings.IndexAny(cmd.Arg, "*?[")
		if i < 0 {
			continue
		}
		p.Report(Diag(cmd.ArgSpan, fmt.Sprintf("nowhitelist %q has no effect: Firejail ignores glob patterns here", cmd.Arg),
			"Firejail resolves the path with realpath and silently drops the line when that fails, as it does for any pattern; list each path to exempt on its own line"))
	}
}

// Package why explains one decision of a plan — is a path hidden, what
// happens to a syscall, is a capability kept, what is a variable — and the
// chain of rules behind it. It reads only the plan, so its answers are the
// runtime's answers.
package why

import (
	"fmt"
	"path"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
)

func at(o plan.Origin) string {
	s := o.String()
	if len(o.Chain) > 0 {
		s += ", included from " + strings.Join(o.Chain, ", included from ")
	}
	return s
}

func quote(o plan.Origin, fallback string) string {
	if o.Text != "" {
		return "`" + o.Text + "`"
	}
	return "`" + fallback + "`"
}

// expand returns the concrete patterns of an op: ${PATH} becomes one per
// PATH directory (the plan's runtime expansion, with Firejail's default
// PATH when the plan does not fix one).
func expand(op plan.FSOp, pathDirs []string) []string {
	if !op.PathMacro {
		return []string{op.Path}
	}
	rest := strings.TrimPrefix(op.Path, "${PATH}")
	out := make([]string, 0, len(pathDirs))
	for _, d := range pathDirs {
		out = append(out, d+rest)
	}
	return out
}

// match is fnmatch(3) with FNM_PATHNAME: wildcards do not cross '/', a
// leading dot is not special, no prefix matching.
func match(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// ancestors returns p and each parent directory, innermost first.
func ancestors(p string) []string {
	p = path.Clean(p)
	out := []string{p}
	for p != "/" {
		p = path.Dir(p)
		out = append(out, p)
	}
	return out
}

func under(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// Path explains what the sandbox does to a host path.
func Path(p *plan.Plan, target string, pathDirs []string) string {
	var b strings.Builder
	target = path.Clean(target)
	fs := p.Filesystem
	verdict := "visible"
	// Whitelist pass.
	var wlTop []plan.FSOp
	var covering *plan.FSOp
	excluded := map[string]plan.Origin{}
	for i, op := range fs.WhitelistPass {
		if op.Op == "nowhitelist" {
			excluded[op.Path] = op.Origin
			continue
		}
		// The whitelist empties its top directory: only paths below that
		// are affected.
		wtop := plan.WhitelistTop(op.Path, p.Bindings.Home, p.Bindings.UID)
		if wtop == "" || !under(target, wtop) {
			continue
		}
		wlTop = append(wlTop, op)
		for _, a := range ancestors(target) {
			if match(op.Path, a) {
				if o, ex := excluded[a]; ex {
					fmt.Fprintf(&b, "- %s at %s would expose %s, but `nowhitelist` at %s removes it\n", quote(op.Origin, "whitelist "+op.Path), at(op.Origin), a, at(o))
					continue
				}
				if covering == nil {
					covering = &fs.WhitelistPass[i]
				}
			}
		}
	}
	if len(wlTop) > 0 {
		if covering != nil {
			fmt.Fprintf(&b, "- whitelisted: %s at %s keeps it (its top directory is emptied and the whitelisted paths are bound back)\n", quote(covering.Origin, "whitelist "+covering.Path), at(covering.Origin))
		} else {
			verdict = "hidden"
			fmt.Fprintf(&b, "- hidden by the whitelist pass: %s at %s empties its top directory and no whitelist covers %s\n", quote(wlTop[0].Origin, "whitelist "+wlTop[0].Path), at(wlTop[0].Origin), target)
		}
	}
	// Blacklist pass, in order, with noblacklist patterns as they accumulate.
	type nb struct {
		pattern string
		op      plan.FSOp
		index   int // position in the blacklist pass
	}
	var all []nb
	for i, op := range fs.BlacklistPass {
		if op.Op == "noblacklist" {
			for _, pat := range expand(op, pathDirs) {
				all = append(all, nb{pat, op, i})
			}
		}
	}
	for i, op := range fs.BlacklistPass {
		pats := expand(op, pathDirs)
		var before []nb
		for _, e := range all {
			if e.index < i {
				before = append(before, e)
			}
		}
		switch op.Op {
		case "noblacklist":
		case "blacklist", "blacklist-nolog":
			for _, pat := range pats {
				for _, a := range ancestors(target) {
					if !match(pat, a) {
						continue
					}
					src := quote(op.Origin, op.Op+" "+op.Path)
					where := at(op.Origin)
					if op.Added && op.Origin.File == "" {
						where = "Firejail's built-in list"
					}
					exempt := false
					for _, e := range before {
						if match(e.pattern, a) {
							exempt = true
							fmt.Fprintf(&b, "- %s at %s would hide %s, but %s at %s exempts it\n", src, where, a, quote(e.op.Origin, "noblacklist "+e.op.Path), at(e.op.Origin))
							break
						}
					}
					if exempt {
						continue
					}
					verdict = "hidden"
					fmt.Fprintf(&b, "- hidden: %s at %s", src, where)
					if a != target {
						fmt.Fprintf(&b, " (it hides the directory %s)", a)
					}
					b.WriteString("\n")
					for _, e := range all {
						if match(e.pattern, a) && e.index > i {
							fmt.Fprintf(&b, "  %s at %s does not apply because it comes after that blacklist; move it before the include that blacklists it\n", quote(e.op.Origin, "noblacklist "+e.op.Path), at(e.op.Origin))
						}
					}
				}
			}
		case "read-only", "read-write", "noexec", "tmpfs":
			for _, pat := range pats {
				for _, a := range ancestors(target) {
					if match(pat, a) {
						fmt.Fprintf(&b, "- %s: %s at %s", op.Op, quote(op.Origin, op.Op+" "+op.Path), at(op.Origin))
						if a != target {
							fmt.Fprintf(&b, " (on %s)", a)
						}
						b.WriteString("\n")
						if op.Op == "tmpfs" && verdict == "visible" {
							verdict = "replaced by an empty tmpfs"
						}
						if op.Op == "read-only" && verdict == "visible" {
							verdict = "read-only"
						}
					}
				}
			}
		}
	}
	if b.Len() == 0 {
		b.WriteString("- no filesystem rule of this profile matches it\n")
	}
	return fmt.Sprintf("%s is %s:\n%s", target, verdict, b.String())
}

// Syscall explains what the filter does with a syscall on an architecture.
func Syscall(p *plan.Plan, name string, arch *sysnum.Arch) (string, error) {
	nr, ok := arch.Number(name)
	if !ok {
		return "", fmt.Errorf("%q is not a syscall on %s", name, arch.Name)
	}
	s := p.Seccomp
	head := fmt.Sprintf("%s (%s %d)", name, arch.Name, nr)
	if !s.Enabled {
		return head + " is allowed: the profile installs no seccomp filter\n", nil
	}
	for _, ap := range s.Policies {
		if ap.Arch != arch.Name {
			continue
		}
		for _, r := range ap.Syscalls {
			if r.Nr != nr {
				continue
			}
			var b strings.Builder
			if len(r.Rules) == 0 {
				fmt.Fprintf(&b, "%s: %s\n", head, r.Else)
			} else {
				fmt.Fprintf(&b, "%s depends on its arguments:\n", head)
				for _, rule := range r.Rules {
					var conds []string
					for _, c := range rule.Conds {
						conds = append(conds, fmt.Sprintf("arg%d %s %#x", c.Arg, c.Op, c.Value))
						if c.Op == "masked-eq" {
							conds[len(conds)-1] = fmt.Sprintf("arg%d & %#x == %#x", c.Arg, c.Mask, c.Value)
						}
					}
					fmt.Fprintf(&b, "  if %s: %s\n", strings.Join(conds, " and "), rule.Action)
				}
				fmt.Fprintf(&b, "  otherwise: %s\n", r.Else)
			}
			for _, o := range r.Origins {
				if o.File == "" {
					fmt.Fprintf(&b, "- because %s\n", o.Text)
					continue
				}
				fmt.Fprintf(&b, "- from %s at %s\n", quote(o, ""), at(o))
			}
			return b.String(), nil
		}
		why := "it is not listed, so the default applies"
		if s.Mode == "keep" {
			why = "it is not in the seccomp.keep list"
		}
		return fmt.Sprintf("%s: %s (%s)\n", head, ap.Default, why), nil
	}
	return "", fmt.Errorf("the plan has no policy for %s", arch.Name)
}

// Cap explains whether a capability is kept.
func Cap(p *plan.Plan, name string) string {
	c := p.Credentials
	kept := false
	for _, n := range c.Bounding {
		if n == name {
			kept = true
		}
	}
	o := ""
	if c.CapsOrigin != nil {
		o = fmt.Sprintf(" by %s at %s", quote(*c.CapsOrigin, ""), at(*c.CapsOrigin))
	}
	var b strings.Builder
	if kept {
		fmt.Fprintf(&b, "%s is kept in the bounding set (capability mode %s%s)\n", name, c.CapsMode, o)
		for _, a := range c.Ambient {
			if a == name {
				fmt.Fprintf(&b, "- and raised as an ambient capability, so %s keeps it after the switch to uid %d\n", c.User, c.UID)
			}
		}
		if c.UID != 0 && len(c.Ambient) == 0 {
			fmt.Fprintf(&b, "- but %s (uid %d) is not root, so the program has it only if a file capability grants it\n", c.User, c.UID)
		}
	} else {
		fmt.Fprintf(&b, "%s is dropped (capability mode %s%s)\n", name, c.CapsMode, o)
		if c.UID == 0 && c.CapsMode != "keep" && (name == "dac_override" || name == "dac_read_search") {
			b.WriteString("- Firejail also drops dac_override and dac_read_search for a root sandbox without caps.keep\n")
		}
	}
	return b.String()
}

// Env explains the value of an environment variable in the sandbox.
func Env(p *plan.Plan, name string) string {
	var b strings.Builder
	state := "inherited from the caller's environment"
	for _, e := range p.Environment {
		if e.Name != name {
			continue
		}
		if e.Op == "set" {
			state = fmt.Sprintf("set to %q", e.Value)
			fmt.Fprintf(&b, "- set to %q by %s at %s\n", e.Value, quote(e.Origin, ""), at(e.Origin))
		} else {
			state = "removed"
			fmt.Fprintf(&b, "- removed by %s at %s\n", quote(e.Origin, ""), at(e.Origin))
		}
	}
	return fmt.Sprintf("%s is %s\n%s", name, state, b.String())
}

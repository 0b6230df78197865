package main

import (
	"github.com/jailc/jailc/compiler/diff"
)

type diffCmd struct {
	profileFlags
	Format string `enum:"text,json" default:"text" help:"Output format: text or json."`
	FailOn string `name:"fail-on" enum:"never,loosen,any" default:"never" help:"Exit 1 when NEW loosens the sandbox (loosen) or differs at all (any): a CI gate."`
	Old    string `arg:"" name:"OLD" help:"The old profile (a file, a NAME looked up like firejail --profile=NAME, stdlib:NAME, or a compiled plan.json)."`
	New    string `arg:"" name:"NEW" help:"The new profile, in the same forms."`
}

func (c *diffCmd) Run(env *runEnv) error {
	old, err := c.loadPlan(env, c.Old)
	if err != nil {
		return err
	}
	new, err := c.loadPlan(env, c.New)
	if err != nil {
		return err
	}
	r, err := diff.Diff(old, new, diff.Options{})
	if err != nil {
		return err
	}
	if c.Format == "json" {
		err = diff.WriteJSON(env.stdout, r)
	} else {
		err = diff.WriteText(env.stdout, r)
	}
	if err != nil {
		return err
	}
	switch {
	case c.FailOn == "loosen" && r.Has(diff.Loosen):
		env.status = exitProblems
	case c.FailOn == "any" && len(r.Changes) > 0:
		env.status = exitProblems
	}
	return nil
}

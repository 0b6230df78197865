package main

import (
	"fmt"
	"os"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/compiler/why"
	"github.com/jailc/jailc/lang/macro"
)

type planCmd struct {
	profileFlags
	Profile string `arg:"" help:"Profile to show."`
}

func (c *planCmd) Run(env *runEnv) error {
	p, err := c.compilePlan(env, c.Profile)
	if err != nil {
		return err
	}
	return plan.WriteText(env.stdout, p)
}

type whyCmd struct {
	profileFlags
	Path    string `help:"Explain what the sandbox does to this host path." xor:"what" required:""`
	Syscall string `help:"Explain what the seccomp filter does with this syscall." xor:"what" required:""`
	Arch    string `default:"x86_64" help:"Architecture for --syscall: x86_64, i386, aarch64, arm."`
	Cap     string `help:"Explain whether this capability is kept." xor:"what" required:""`
	Env     string `help:"Explain the value of this environment variable." xor:"what" required:""`
	Profile string `arg:"" help:"Profile (or a compiled plan.json) to ask about."`
}

func (c *whyCmd) Run(env *runEnv) error {
	p, err := c.loadPlan(env, c.Profile)
	if err != nil {
		return err
	}
	switch {
	case c.Path != "":
		path := c.Path
		if len(path) == 0 || path[0] != '/' {
			return usageError{fmt.Errorf("--path needs an absolute path, got %q", path)}
		}
		fmt.Fprint(env.stdout, why.Path(p, path, macro.SplitPATH(os.Getenv("PATH"))))
	case c.Syscall != "":
		arch := sysnum.Lookup(c.Arch)
		if arch == nil {
			return usageError{fmt.Errorf("unknown architecture %q: use x86_64, i386, aarch64 or arm", c.Arch)}
		}
		out, err := why.Syscall(p, c.Syscall, arch)
		if err != nil {
			return err
		}
		fmt.Fprint(env.stdout, out)
	case c.Cap != "":
		fmt.Fprint(env.stdout, why.Cap(p, c.Cap))
	case c.Env != "":
		fmt.Fprint(env.stdout, why.Env(p, c.Env))
	}
	return nil
}

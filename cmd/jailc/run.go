package main

import (
	"fmt"

	"path/filepath"

	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/runtime"
)

type runCmd struct {
	profileFlags
	Profile          string   `help:"Profile file or NAME (default: <program>.profile on the search path, else default.profile, or server.profile for root)."`
	AllowUnsupported bool     `help:"Start even if the profile uses features the runtime does not implement; each ignored rule is printed."`
	Command          []string `arg:"" passthrough:"" name:"program" help:"Program and arguments."`
}

// chooseProfile follows Firejail: the program's own profile if one exists
// on the search path, else default.profile for users and server.profile for
// root.
func (c *runCmd) chooseProfile(prog string) (string, error) {
	if c.Profile != "" {
		return c.Profile, nil
	}
	sess, err := frontend.NewSession(frontend.Options{IncludeDirs: c.Include, ConfigPath: c.Config, User: c.User})
	if err != nil {
		return "", usageError{err}
	}
	own := filepath.Base(prog) + ".profile"
	if p := sess.Locate(own); p != own {
		return p, nil
	}
	if sess.Env().UID == 0 {
		return sess.Locate("server.profile"), nil
	}
	return sess.Locate("default.profile"), nil
}

func (c *runCmd) Run(env *runEnv) error {
	argv := c.Command
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return usageError{fmt.Errorf("no program given: jailc run [--profile P] -- PROGRAM [ARGS...]")}
	}
	// Signals are caught from here on and reach the program once it runs
	// (CatchSignals runs beside the compilation).
	sg := runtime.CatchSignals()
	profile, err := c.chooseProfile(argv[0])
	if err != nil {
		return err
	}
	p, err := c.compilePlan(env, profile)
	if err != nil {
		return err
	}
	code, err := runtime.Run(p, argv, c.AllowUnsupported, sg)
	if err != nil {
		return err
	}
	env.status = code
	return nil
}

package main

import (
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
)

type checkCmd struct {
	Format    string          `enum:"text,json,sarif,github" default:"text" help:"${diag_formats}"`
	Compat    bool            `help:"Report only what Firejail 0.9.72 itself rejects."`
	Werror    bool            `help:"Treat warnings as errors for the exit status."`
	Config    string          `placeholder:"FILE" help:"firejail.config to read (default /etc/firejail/firejail.config, else Debian's defaults)."`
	Include   []string        `short:"I" name:"include-dir" placeholder:"DIR" help:"Search DIR for included files before ~/.config/firejail and /etc/firejail."`
	User      string          `help:"Expand the home and runtime-directory macros for this user instead of the invoking one."`
	Condition map[string]bool `placeholder:"NAME=BOOL" help:"Force a conditional (HAS_X11, HAS_APPIMAGE, ...) true or false."`
	NoNotes   bool            `help:"Do not print notes (features disabled by firejail.config and similar)."`
	Files     []string        `arg:"" name:"file" help:"Profiles or include files; a bare NAME is looked up like firejail --profile=NAME, stdlib:NAME reads jailc's embedded library."`
}

func (c *checkCmd) Run(env *runEnv) error {
	sess, err := frontend.NewSession(frontend.Options{
		IncludeDirs: c.Include, ConfigPath: c.Config, User: c.User, Conditions: c.Condition,
	})
	if err != nil {
		return usageError{err}
	}
	all := mergeDiags(sess.DiagnoseAll(c.Files)...)
	if c.Compat {
		all = all.FirejailOnly()
	}
	if c.NoNotes {
		var kept diag.List
		for _, d := range all {
			if d.Severity != diag.Note {
				kept = append(kept, d)
			}
		}
		all = kept
	}
	err = writeDiags(env.stdout, c.Format, all, nil, nil)
	if err != nil {
		return err
	}
	if all.HasErrors() || (c.Werror && all.Count(diag.Warning) > 0) {
		env.status = exitProblems
	}
	return nil
}

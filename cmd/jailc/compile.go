package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
)

// profileFlags are shared by the commands that compile a profile.
type profileFlags struct {
	Config    string          `placeholder:"FILE" help:"firejail.config to read (default /etc/firejail/firejail.config, else Debian's defaults)."`
	Include   []string        `short:"I" name:"include-dir" placeholder:"DIR" help:"Search DIR for included files first."`
	User      string          `help:"Compile for this user (home, runtime directory, capabilities); default: the invoking user."`
	Condition map[string]bool `placeholder:"NAME=BOOL" help:"Force a conditional (HAS_X11, HAS_APPIMAGE, ...) true or false."`
}

// compilePlan checks and builds a profile; problems go to stderr.
func (f profileFlags) compilePlan(env *runEnv, profile string) (*plan.Plan, error) {
	sess, err := frontend.NewSession(frontend.Options{
		IncludeDirs: f.Include, ConfigPath: f.Config, User: f.User, Conditions: f.Condition,
	})
	if err != nil {
		return nil, usageError{err}
	}
	res := sess.Check(profile)
	var shown diag.List
	for _, d := range res.Diags {
		if d.Severity != diag.Note {
			shown = append(shown, d)
		}
	}
	if err := diag.WriteText(env.stderr, shown); err != nil {
		return nil, err
	}
	cfgPath := f.Config
	if cfgPath == "" {
		if _, err := os.Stat("/etc/firejail/firejail.config"); err == nil {
			cfgPath = "/etc/firejail/firejail.config"
		}
	}
	return build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config(), ConfigPath: cfgPath})
}

// loadPlan reads a compiled plan (a file starting with '{') or compiles a
// profile.
func (f profileFlags) loadPlan(env *runEnv, arg string) (*plan.Plan, error) {
	if data, err := os.ReadFile(arg); err == nil && len(data) > 0 && data[0] == '{' {
		return plan.Unmarshal(data)
	}
	return f.compilePlan(env, arg)
}

type compileCmd struct {
	profileFlags
	Output  string `short:"o" placeholder:"FILE" help:"Write the plan here (default: standard output)."`
	Profile string `arg:"" help:"Profile to compile (a file, a NAME looked up like firejail --profile=NAME, or stdlib:NAME)."`
}

func (c *compileCmd) Run(env *runEnv) error {
	p, err := c.compilePlan(env, c.Profile)
	if err != nil {
		return err
	}
	data, err := plan.Marshal(p)
	if err != nil {
		return err
	}
	if c.Output == "" {
		_, err = env.stdout.Write(data)
		return err
	}
	return writeAtomic(c.Output, data)
}

// writeAtomic replaces a regular file with data via a temporary file in
// the same directory, so an interrupted write never leaves a truncated
// file. A device, FIFO or socket (-o /dev/null, -o /dev/stdout) is written
// in place: renaming over it would replace the node itself. A symlink is
// followed, so the link survives.
func writeAtomic(path string, data []byte) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("writing %s: is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return f.Close()
	}
	// A new file gets mode 0644; an existing one keeps its mode and, when
	// we may, its owner.
	mode, uid, gid := os.FileMode(0o644), -1, -1
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(sys.Uid), int(sys.Gid)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	fail := func(err error) error {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if uid >= 0 {
		_ = tmp.Chown(uid, gid) // best effort: only root may give files away
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

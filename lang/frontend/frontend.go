// Package frontend runs the language pipeline for one profile: resolve
// (includes, conditionals, ignore) then check. It owns the defaults the
// commands share: the include search path, the firejail.config that is read,
// the user whose macros are expanded, and the embedded stdlib profiles.
package frontend

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
	stdlibprofiles "github.com/jailc/jailc/stdlib-profiles"
)

// Options configure a run of the front end.
type Options struct {
	IncludeDirs []string
	ConfigPath  string // "" reads /etc/firejail/firejail.config if present
	User        string // "" is the invoking user
	// SystemDir overrides /etc/firejail ("-" disables it).
	SystemDir string
	// NoUserDir skips ~/.config/firejail.
	NoUserDir  bool
	Conditions map[string]bool
}

// Session holds what every profile of one run shares.
type Session struct {
	Resolve   resolve.Options
	CheckOpts check.Options
}

// NewSession loads the configuration and user context.
func NewSession(o Options) (*Session, error) {
	var cfg *config.Config
	var err error
	if o.ConfigPath != "" {
		cfg, err = config.Load(o.ConfigPath)
		if err != nil {
			return nil, fmt.Errorf("reading firejail config: %w", err)
		}
	} else if cfg, err = config.LoadDefault(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", config.DefaultPath, err)
	}
	env := macro.CurrentEnv()
	if o.User != "" {
		if env, err = macro.EnvForUser(o.User); err != nil {
			return nil, err
		}
	}
	sys := "/etc/firejail"
	switch o.SystemDir {
	case "-":
		sys = ""
	case "":
	default:
		sys = o.SystemDir
	}
	userDir := ""
	if !o.NoUserDir {
		userDir = filepath.Join(env.Home, ".config", "firejail")
	}
	s := &Session{
		Resolve: resolve.Options{
			IncludeDirs: o.IncludeDirs, UserDir: userDir, SystemDir: sys,
			Stdlib: stdlibprofiles.FS(), Env: env, Config: cfg, Conditions: o.Conditions,
			Getenv: os.Getenv, Cache: resolve.NewCache(),
		},
		CheckOpts: check.Options{Config: cfg, Env: env, Root: env.UID == 0},
	}
	return s, nil
}

// Locate turns a command-line profile argument into a path for resolve:
// an existing file as given; "stdlib:NAME" for the embedded library; and,
// like firejail --profile=NAME, a bare NAME without "/" is looked up as
// NAME, then NAME.profile, on the include search path.
func (s *Session) Locate(arg string) string {
	if strings.HasPrefix(arg, resolve.StdlibPrefix) {
		return arg
	}
	if _, err := os.Stat(arg); err == nil || strings.Contains(arg, "/") {
		return arg
	}
	names := []string{arg}
	if !strings.HasSuffix(arg, ".profile") && !strings.HasSuffix(arg, ".inc") && !strings.HasSuffix(arg, ".local") {
		names = append(names, arg+".profile")
	}
	o := s.Resolve
	for _, n := range names {
		for _, d := range append(append([]string{}, o.IncludeDirs...), o.UserDir, o.SystemDir) {
			if d == "" {
				continue
			}
			p := filepath.Join(d, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		if o.Stdlib != nil {
			if st, err := fs.Stat(o.Stdlib, n); err == nil && !st.IsDir() {
				return resolve.StdlibPrefix + n
			}
		}
	}
	return arg
}

// Check resolves and checks one profile.
func (s *Session) Check(arg string) *check.Result {
	u := resolve.Load(s.Locate(arg), s.Resolve)
	return check.Check(u, s.CheckOpts)
}

// DiagnoseAll checks several profiles concurrently (one worker per CPU) and
// returns their diagnostics in argument order, so output stays
// deterministic. Resolved units are dropped as soon as each profile is
// checked, which keeps memory flat over a large corpus.
func (s *Session) DiagnoseAll(args []string) []diag.List {
	out := make([]diag.List, len(args))
	Parallel(len(args), func(i int) { out[i] = s.Check(args[i]).Diags })
	return out
}

// Env is the user the session expands macros for.
func (s *Session) Env() macro.Env { return s.Resolve.Env }

// Config is the firejail.config the session read.
func (s *Session) Config() *config.Config { return s.CheckOpts.Config }

// Parallel calls f(0) ... f(n-1) on one worker per CPU and returns when
// all calls have returned. Callers write results by index, which keeps
// output in argument order.
func Parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Package resolve turns a root profile into a resolved unit: every line of
// the profile and of the files it includes, in Firejail's reading order, each
// with the include chain that led to it and the context-dependent facts
// Firejail decides while reading (is a conditional true, did an earlier
// `ignore` drop the line, was an include skipped). It applies nothing: the
// checker validates every line whatever its truth, and the plan builder
// applies the active ones.
package resolve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/parse"
	"github.com/jailc/jailc/lang/source"
)

// MaxDepth is Firejail's include limit: the top file is level 0 and a file
// at level 17 is refused, so 16 nested includes work.
const MaxDepth = 16

// MaxIgnores is Firejail's limit on ignore texts from all sources.
const MaxIgnores = 32

// MaxEntries bounds the lines one profile may expand to. Firejail has no
// such limit, but a file included many times by files included many times
// grows exponentially; stopping is better than hanging.
const MaxEntries = 1 << 20

// StdlibPrefix marks files read from the embedded profile library.
const StdlibPrefix = "stdlib:"

// Diagnostic codes reported by this package.
const (
	CodeMissingInclude   = "missing-include"
	CodeMissingFile      = "missing-file" // the profile given on the command line
	CodeInvalidInclude   = "invalid-include"
	CodeIncludeDepth     = "include-depth"
	CodeIncludeCycle     = "include-cycle"
	CodeUnreadable       = "unreadable-file"
	CodeUnknownCond      = "unknown-conditional"
	CodeCondColon        = "conditional-colon"
	CodeCondEmpty        = "conditional-empty"
	CodeCondInclude      = "conditional-include"
	CodeTooManyIgnores   = "too-many-ignores"
	CodeIgnoreBypassed   = "ignore-bypassed"
	CodeDollarHome       = "dollar-home"
	CodeIncludeFromCWD   = "include-from-cwd"
	CodeEmptyFile        = "empty-file"
	CodeIncludeBadChar   = "invalid-filename"
	CodeSkippedInclude   = "include-skipped"
	CodeUnresolvedXDG    = "unresolved-xdg"
	CodeWhitelistROInCnd = "whitelist-ro-conditional"
	CodeTooLarge         = "expansion-too-large"
	CodeDanglingInclude  = "dangling-include"
)

// Options say where includes are searched and in which context conditionals
// are evaluated.
type Options struct {
	IncludeDirs []string // -I, searched first
	UserDir     string   // ~/.config/firejail ("" to skip)
	SystemDir   string   // /etc/firejail ("" to skip)
	Stdlib      fs.FS    // embedded profiles, searched after SystemDir (may be nil)
	Env         macro.Env
	Config      *config.Config
	// Conditions forces the truth of conditionals by name (HAS_APPIMAGE,
	// HAS_X11, ...), as command-line options would.
	Conditions map[string]bool
	// Getenv reads the process environment (FIREJAIL_X11); nil means none.
	Getenv func(string) string
	// Cache, when set, shares parsed files between Load calls (one
	// `jailc check` run over many profiles parses each include once).
	Cache *Cache
	// Overlay holds file contents that take precedence over the disk
	// (an editor's unsaved buffers), by path as written.
	Overlay map[string][]byte
	// NoCWD disables Firejail's last resort of opening a bare include
	// name relative to the working directory.
	NoCWD bool
}

// Cache holds parsed files by canonical name. It is safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	files map[string]cached
	keys  map[string]peeked // path as written → canonical key or error
}

type peeked struct {
	key string
	err error
}

type cached struct {
	f     *ast.File
	diags diag.List
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{files: map[string]cached{}, keys: map[string]peeked{}} }

func (c *Cache) get(key string) (cached, bool) {
	if c == nil {
		return cached{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.files[key]
	return v, ok
}

func (c *Cache) put(key string, v cached) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[key] = v
}

// Include describes what an include line did.
type Include struct {
	Arg      string    // after macro expansion
	Path     string    // the file read ("" if none)
	File     *ast.File // nil if not read
	Skipped  string    // why it was not read, if it was not
	Optional bool      // a missing .local file, skipped silently by Firejail
}

// Entry is one line in reading order.
type Entry struct {
	File  *ast.File
	Line  *ast.Line
	Chain []source.Pos // include sites, innermost first
	Depth int
	// Active is true when Firejail acts on the line in this context: every
	// conditional true, not ignored, no syntax error in its prefix.
	Active bool
	// FalseCond is the first conditional found false, if any.
	FalseCond *ast.Cond
	// IgnoredBy is the ignore line that dropped this line, if any.
	IgnoredBy *Entry
	// CondError is true when the conditional prefix itself is malformed.
	CondError bool
	Include   *Include
}

// Cmd returns the command of the line (nil for an empty conditional).
func (e *Entry) Cmd() *ast.Command { return e.Line.Cmd }

// Related returns the include chain as diagnostic notes.
func (e *Entry) Related() []diag.Related {
	return ChainRelated(e.Chain)
}

// ChainRelated turns include sites into "included from" notes.
func ChainRelated(chain []source.Pos) []diag.Related {
	if len(chain) == 0 {
		return nil
	}
	out := make([]diag.Related, len(chain))
	for i, p := range chain {
		out[i] = diag.Related{Pos: p, Message: "included from"}
	}
	return out
}

// Unit is a resolved profile.
type Unit struct {
	Root    string
	Entries []*Entry
	Files   []*ast.File // distinct files read, in first-read order
	Ignores []*Entry    // active ignore lines, in order
	Diags   diag.List
	// Quiet is Firejail's quiet mode after reading.
	Quiet bool
}

type state struct {
	opts    Options
	unit    *Unit
	parsed  map[string]*ast.File
	stack   []string // canonical names of the files being read
	sites   []source.Pos
	hasNet  bool
	noDBus  bool
	noSound bool
	private bool
	x11     bool
	debug   bool // allow-debuggers seen
	stopped bool // MaxEntries reached
	envX11  bool
}

// Load resolves the profile at path (a file on disk, or StdlibPrefix+name).
func Load(path string, opts Options) *Unit {
	if opts.Config == nil {
		opts.Config = config.Default()
	}
	st := &state{opts: opts, unit: &Unit{Root: path}, parsed: map[string]*ast.File{}}
	if opts.Getenv != nil && opts.Getenv("FIREJAIL_X11") != "" {
		st.envX11 = true
	}
	f, key, err := st.read(path)
	if err != nil {
		st.unit.Diags = append(st.unit.Diags, fileError(path, err))
		return st.unit
	}
	st.file(f, key, 0)
	return st.unit
}

func fileError(name string, err error) diag.Diagnostic {
	d := diag.Diagnostic{Pos: source.Pos{File: name}, Severity: diag.Error, Firejail: true, Code: CodeUnreadable}
	switch {
	case errors.Is(err, errIsDir):
		d.Code, d.Message = CodeInvalidInclude, "is a directory, not a profile file"
	case errors.Is(err, fs.ErrNotExist):
		d.Code, d.Message = CodeMissingFile, "no such file"
		d.Detail = []string{"a path is read as written; a bare NAME is looked up like firejail --profile=NAME (-I directories, ~/.config/firejail, /etc/firejail, then jailc's stdlib:NAME)"}
	case errors.Is(err, fs.ErrPermission):
		d.Message = "permission denied"
	default:
		d.Message = "cannot read file: " + err.Error()
	}
	return d
}

var errIsDir = errors.New("is a directory")

// read loads and parses a file, caching by canonical name.
func (st *state) read(name string) (*ast.File, string, error) {
	_, key, err := st.peek(name)
	if err != nil {
		return nil, "", err
	}
	if f, ok := st.parsed[key]; ok {
		return f, key, nil
	}
	_, overlaid := st.opts.Overlay[name]
	c, ok := st.opts.Cache.get(key)
	if !ok || overlaid { // an editor buffer is parsed afresh every time
		ok = false
	}
	if !ok {
		var data []byte
		if overlaid {
			data = st.opts.Overlay[name]
		} else if rest, isStd := strings.CutPrefix(name, StdlibPrefix); isStd {
			data, err = fs.ReadFile(st.opts.Stdlib, rest)
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			return nil, "", err
		}
		c.f, c.diags = parse.File(source.NewFile(name, data))
		if len(c.f.Lines) == 0 && len(c.f.Comments) == 0 && len(c.diags) == 0 {
			// Firejail accepts an empty profile and sandboxes with no
			// rules from it; that is almost always a mistake (a truncated
			// or wrongly named file), so jailc refuses it.
			c.diags = append(c.diags, diag.Diagnostic{
				Pos: source.Pos{File: name, Line: 1, Col: 1}, Severity: diag.Error, Code: CodeEmptyFile,
				Message: "file is empty",
				Detail:  []string{"Firejail accepts it and applies no rules from it; a file meant to be empty should say so in a comment"},
			})
		}
		if !overlaid {
			st.opts.Cache.put(key, c)
		}
	}
	chain := ChainRelated(st.chain())
	for _, d := range c.diags {
		d.Related = chain
		st.unit.Diags = append(st.unit.Diags, d)
	}
	st.parsed[key] = c.f
	st.unit.Files = append(st.unit.Files, c.f)
	return c.f, key, nil
}

// chain returns the include sites, innermost first.
func (st *state) chain() []source.Pos {
	out := make([]source.Pos, len(st.sites))
	for i := range st.sites {
		out[i] = st.sites[len(st.sites)-1-i]
	}
	return out
}

func (st *state) file(f *ast.File, key string, depth int) {
	st.stack = append(st.stack, key)
	defer func() { st.stack = st.stack[:len(st.stack)-1] }()
	chain := st.chain()
	for _, l := range f.Lines {
		if st.stopped {
			return
		}
		if len(st.unit.Entries) >= MaxEntries {
			st.stopped = true
			e := &Entry{File: f, Line: l, Chain: chain, Depth: depth}
			st.diag(e, diag.Error, CodeTooLarge, l.Span, false,
				fmt.Sprintf("the profile expands to more than %d lines through its includes", MaxEntries),
				"files that include each other many times multiply; jailc stops reading here")
			return
		}
		st.line(&Entry{File: f, Line: l, Chain: chain, Depth: depth})
	}
}

func (st *state) diag(e *Entry, sev diag.Severity, code string, span source.Span, fj bool, msg string, detail ...string) {
	st.unit.Diags = append(st.unit.Diags, diag.Diagnostic{
		Pos: span.Pos(), End: span.EndPos(), Severity: sev, Code: code, Message: msg,
		Detail: detail, Related: e.Related(), Firejail: fj,
	})
}

// ignoredBy returns the ignore line that matches text: text starts with the
// ignore text followed by end of line or a space (reference §6.4).
func (st *state) ignoredBy(text string) *Entry {
	for _, ig := range st.unit.Ignores {
		t := ig.Line.Cmd.Arg
		if strings.HasPrefix(text, t) && (len(text) == len(t) || text[len(t)] == ' ') {
			return ig
		}
	}
	return nil
}

func (st *state) line(e *Entry) {
	u := st.unit
	u.Entries = append(u.Entries, e)
	l, cmd := e.Line, e.Line.Cmd
	e.Active = true

	// whitelist-ro is expanded before conditionals and ignore are looked at.
	if len(l.Conds) == 0 && cmd.Keyword == "whitelist-ro" && cmd.HasArg {
		if ig := st.ignoredBy(cmd.Text); ig != nil {
			st.diag(e, diag.Warning, CodeIgnoreBypassed, cmd.Span, false,
				fmt.Sprintf("%q does not stop whitelist-ro", "ignore "+ig.Line.Cmd.Arg),
				fmt.Sprintf("the ignore at %s matches this line, but Firejail expands whitelist-ro before it looks at ignores; write the whitelist and read-only lines separately if they must be ignorable", ig.Line.Span.Pos()))
		}
		return
	}
	if len(l.Conds) == 0 && l.Text == "quiet" {
		u.Quiet = st.ignoredBy("quiet") == nil
		if !u.Quiet {
			e.IgnoredBy = st.ignoredBy("quiet")
		}
		return
	}
	if len(l.Conds) == 0 && cmd.Keyword == "include" && cmd.HasArg {
		if ig := st.ignoredBy(cmd.Text); ig != nil {
			e.IgnoredBy, e.Active = ig, false
			return
		}
		st.include(e)
		return
	}

	// The dispatcher: conditionals first, then ignore, then the command.
	for _, c := range l.Conds {
		name, rest, ok := directive.MatchCondition(c.Name)
		switch {
		case !ok:
			st.diag(e, diag.Error, CodeUnknownCond, c.Span, true,
				fmt.Sprintf("unknown conditional %q", c.Name),
				suggestCond(c.Name))
			e.CondError = true
		case rest != "" || !c.Colon:
			st.diag(e, diag.Error, CodeCondColon, c.Span, true,
				fmt.Sprintf("conditional %q must be followed by a colon", "?"+name),
				fmt.Sprintf("write `?%s: COMMAND`", name))
			e.CondError = true
		default:
			if e.FalseCond == nil && !st.condition(name) {
				e.FalseCond = c
			}
		}
	}
	if e.CondError {
		e.Active = false
		return
	}
	if cmd == nil {
		st.diag(e, diag.Error, CodeCondEmpty, l.Span, true, "no command after conditional",
			"write the command on the same line, e.g. `?HAS_NET: net none`")
		e.Active = false
		return
	}
	if len(l.Conds) > 0 {
		if strings.HasPrefix(cmd.Text, "include") || strings.HasPrefix(cmd.Text, "quiet") {
			st.diag(e, diag.Error, CodeCondInclude, cmd.KeywordSpan, e.FalseCond == nil,
				fmt.Sprintf("%s is not allowed after a conditional", strings.Fields(cmd.Text)[0]),
				"Firejail refuses this line whenever the condition is true; move it out of the conditional")
			e.Active = false
			return
		}
	}
	if e.FalseCond != nil {
		e.Active = false
		return
	}
	if ig := st.ignoredBy(cmd.Text); ig != nil {
		e.IgnoredBy, e.Active = ig, false
		return
	}
	st.apply(e, cmd)
}

// apply updates the reading state that later conditionals and includes see.
func (st *state) apply(e *Entry, cmd *ast.Command) {
	switch cmd.Keyword {
	case "ignore":
		if !cmd.HasArg {
			return
		}
		if len(st.unit.Ignores) >= MaxIgnores {
			st.diag(e, diag.Error, CodeTooManyIgnores, cmd.Span, true,
				fmt.Sprintf("more than %d ignore lines", MaxIgnores),
				"Firejail stops with \"maximum 32 --ignore options are permitted\"; remove ignores that match nothing")
			return
		}
		st.unit.Ignores = append(st.unit.Ignores, e)
	case "net":
		if cmd.HasArg {
			st.hasNet = true
		}
	case "nodbus":
		st.noDBus = true
	case "dbus-user", "dbus-system":
		if cmd.Arg == "none" || cmd.Arg == "filter" {
			st.noDBus = true
		}
	case "nosound":
		st.noSound = true
	case "private":
		st.private = true
	case "private-home":
		if st.opts.Config.Enabled("private-home") {
			st.private = true
		}
	case "x11":
		if cmd.Arg == "none" || cmd.Arg == "xorg" {
			st.x11 = true
		}
	case "env":
		if strings.HasPrefix(cmd.Arg, "FIREJAIL_X11=") {
			st.envX11 = true
		}
	case "allow-debuggers":
		st.debug = true
	}
}

// condition evaluates a conditional from the state built so far.
func (st *state) condition(name string) bool {
	if v, ok := st.opts.Conditions[name]; ok {
		return v
	}
	cfg := st.opts.Config
	switch name {
	case "HAS_APPIMAGE":
		return false
	case "HAS_NET":
		return st.hasNet
	case "HAS_NODBUS":
		return st.noDBus
	case "HAS_NOSOUND":
		return st.noSound
	case "HAS_PRIVATE":
		return st.private
	case "HAS_X11":
		return st.x11 || st.envX11
	case "BROWSER_DISABLE_U2F":
		return cfg.Enabled("browser-disable-u2f")
	case "BROWSER_ALLOW_DRM":
		return cfg.Enabled("browser-allow-drm")
	case "ALLOW_TRAY":
		return cfg.Enabled("allow-tray")
	}
	return false
}

func suggestCond(name string) string {
	best, dist := "", 1<<30
	for _, c := range directive.Conditions {
		if d := editDistance(strings.ToUpper(name), c); d < dist {
			best, dist = c, d
		}
	}
	if dist <= len(best)/2 {
		return fmt.Sprintf("did you mean %q? the conditionals are %s", best, strings.Join(directive.Conditions, ", "))
	}
	return "the conditionals are " + strings.Join(directive.Conditions, ", ")
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// isLocal applies Firejail's rule for silently skipped includes: the first
// ".local" in the base name is at its very end.
func isLocal(arg string) bool {
	base := path.Base(arg)
	i := strings.Index(base, ".local")
	return i >= 0 && i+len(".local") == len(base)
}

// isFragment reports whether a file is an include fragment rather than a
// profile Firejail starts with: its name ends in .inc or .local, or has
// ".inc." in it (electron-hardened.inc.profile).
func isFragment(name string) bool {
	base := path.Base(strings.TrimPrefix(name, StdlibPrefix))
	return strings.HasSuffix(base, ".inc") || strings.HasSuffix(base, ".local") || strings.Contains(base, ".inc.")
}

// includeBadChar applies the no-glob filename check to include paths.
func includeBadChar(s string) (int, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return i, "control character"
		}
		if strings.IndexByte(`\&!"<>%^{};,*?[]`, c) >= 0 {
			return i, string(c)
		}
	}
	return -1, ""
}

func (st *state) include(e *Entry) {
	cmd := e.Line.Cmd
	arg := cmd.Arg
	inc := &Include{}
	e.Include = inc
	if macro.HasDollarHome(arg) {
		st.diag(e, diag.Error, CodeDollarHome, cmd.ArgSpanOf(0, 5), true,
			"$HOME is not allowed in profile files", "write ${HOME} instead")
		inc.Skipped = "error"
		return
	}
	if !macro.IsXDG(arg) {
		// Firejail checks the expanded path; a leading macro expands to
		// clean text, so checking what follows it is equivalent.
		check, skip := arg, 0
		for _, m := range []string{"${HOME}", "${CFG}", "${RUNUSER}"} {
			if strings.HasPrefix(arg, m) {
				check, skip = arg[len(m):], len(m)
			}
		}
		if i, what := includeBadChar(check); i >= 0 {
			st.diag(e, diag.Error, CodeIncludeBadChar, cmd.ArgSpanOf(skip+i, skip+i+1), true,
				fmt.Sprintf("include path %q has a rejected character %q", arg, what),
				"include paths may not contain control characters or any of \\ & ! \" < > % ^ { } ; , * ? [ ]")
			inc.Skipped = "error"
			return
		}
	}
	expanded := st.opts.Env.Expand(arg)
	inc.Arg = expanded
	if macro.IsXDG(arg) && expanded == arg {
		st.diag(e, diag.Error, CodeUnresolvedXDG, cmd.ArgSpan, true,
			fmt.Sprintf("%s does not resolve to a directory for this user", arg))
		inc.Skipped = "error"
		return
	}
	if st.debug && path.Base(expanded) == "disable-devel.inc" {
		inc.Skipped = "allow-debuggers is set, so Firejail skips disable-devel.inc"
		st.diag(e, diag.Note, CodeSkippedInclude, cmd.Span, false,
			"disable-devel.inc is skipped because allow-debuggers was set earlier")
		return
	}
	if e.Depth+1 > MaxDepth {
		st.diag(e, diag.Error, CodeIncludeDepth, cmd.Span, true,
			fmt.Sprintf("include nesting deeper than %d levels", MaxDepth),
			"Firejail stops with \"maximum profile include level was reached\"")
		inc.Skipped = "depth"
		return
	}
	candidates := st.candidates(expanded)
	var lastErr error
	for i, c := range candidates {
		f, key, err := st.peek(c)
		if err != nil {
			lastErr = err
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			break
		}
		_ = f
		for j, k := range st.stack {
			if k == key {
				names := make([]string, 0, len(st.stack)-j+1)
				for _, s := range st.stack[j:] {
					names = append(names, displayName(s))
				}
				names = append(names, displayName(key))
				st.diag(e, diag.Error, CodeIncludeCycle, cmd.Span, true,
					"include cycle: "+strings.Join(names, " -> "),
					"Firejail reads the files again and again until it stops with \"maximum profile include level was reached\"; remove one of these includes")
				inc.Skipped = "cycle"
				return
			}
		}
		if i == len(candidates)-1 && len(candidates) > 1 && !strings.Contains(expanded, "/") && !st.opts.NoCWD {
			st.diag(e, diag.Warning, CodeIncludeFromCWD, cmd.ArgSpan, false,
				fmt.Sprintf("%q was found only in the current directory", expanded),
				"Firejail falls back to the working directory, so this include depends on where firejail is started; use an absolute path or ${CFG}")
		}
		st.sites = append(st.sites, cmd.Span.Pos())
		f, key, err = st.read(c)
		if err != nil {
			st.sites = st.sites[:len(st.sites)-1]
			lastErr = err
			break
		}
		inc.Path, inc.File = c, f
		st.file(f, key, e.Depth+1)
		st.sites = st.sites[:len(st.sites)-1]
		return
	}
	if lastErr == nil {
		lastErr = fs.ErrNotExist
	}
	switch {
	case errors.Is(lastErr, fs.ErrNotExist) && isLocal(expanded):
		inc.Optional, inc.Skipped = true, "missing .local file"
	case errors.Is(lastErr, errIsDir) || expanded == "":
		st.diag(e, diag.Error, CodeInvalidInclude, cmd.ArgSpan, true,
			fmt.Sprintf("%q is a directory, not a profile file", expanded))
		inc.Skipped = "error"
	case errors.Is(lastErr, fs.ErrNotExist) && e.Depth == 0 && isFragment(st.unit.Root):
		// An include fragment checked on its own: Firejail fails only when
		// some profile includes this file, which is worth a warning, not an
		// error against the fragment.
		st.diag(e, diag.Warning, CodeDanglingInclude, cmd.ArgSpan, false,
			fmt.Sprintf("cannot find included file %q", expanded),
			"Firejail stops with \"cannot access profile file\" in any profile that includes this file",
			"searched: "+strings.Join(st.searchDescription(expanded), ", "))
		inc.Skipped = "missing"
	case errors.Is(lastErr, fs.ErrNotExist):
		st.diag(e, diag.Error, CodeMissingInclude, cmd.ArgSpan, true,
			fmt.Sprintf("cannot find included file %q", expanded),
			"searched: "+strings.Join(st.searchDescription(expanded), ", "))
		inc.Skipped = "error"
	default:
		code := CodeUnreadable
		if errors.Is(lastErr, syscall.EACCES) {
			lastErr = fs.ErrPermission
		}
		st.diag(e, diag.Error, code, cmd.ArgSpan, true,
			fmt.Sprintf("cannot read included file %q: %v", expanded, lastErr))
		inc.Skipped = "error"
	}
}

func displayName(key string) string {
	return key
}

// peek finds a file's canonical key without parsing it; answers are cached
// for the session, since files do not change during one run.
func (st *state) peek(name string) (*ast.File, string, error) {
	c := st.opts.Cache
	if c != nil {
		c.mu.Lock()
		p, ok := c.keys[name]
		c.mu.Unlock()
		if ok {
			return nil, p.key, p.err
		}
	}
	_, key, err := st.peekUncached(name)
	if c != nil {
		c.mu.Lock()
		c.keys[name] = peeked{key, err}
		c.mu.Unlock()
	}
	return nil, key, err
}

func (st *state) peekUncached(name string) (*ast.File, string, error) {
	if _, ok := st.opts.Overlay[name]; ok {
		abs, _ := filepath.Abs(name)
		return nil, abs, nil
	}
	if rest, ok := strings.CutPrefix(name, StdlibPrefix); ok {
		if st.opts.Stdlib == nil {
			return nil, "", fs.ErrNotExist
		}
		fi, err := fs.Stat(st.opts.Stdlib, rest)
		if err != nil {
			return nil, "", err
		}
		if fi.IsDir() {
			return nil, "", errIsDir
		}
		return nil, name, nil
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, "", err
	}
	if fi.IsDir() {
		return nil, "", errIsDir
	}
	if !fi.Mode().IsRegular() {
		return nil, "", fmt.Errorf("not a regular file")
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, "", err
	}
	f.Close()
	key := name
	if abs, err := filepath.Abs(name); err == nil {
		key = abs
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			key = real
		}
	}
	return nil, key, nil
}

// candidates lists the places an include argument is looked for, in order.
func (st *state) candidates(arg string) []string {
	if arg == "" {
		return nil
	}
	if strings.Contains(arg, "/") {
		return []string{arg}
	}
	var out []string
	for _, d := range st.opts.IncludeDirs {
		out = append(out, filepath.Join(d, arg))
	}
	if st.opts.UserDir != "" {
		out = append(out, filepath.Join(st.opts.UserDir, arg))
	}
	if st.opts.SystemDir != "" {
		out = append(out, filepath.Join(st.opts.SystemDir, arg))
	}
	if st.opts.Stdlib != nil {
		out = append(out, StdlibPrefix+arg)
	}
	if st.opts.NoCWD {
		return out
	}
	return append(out, arg)
}

func (st *state) searchDescription(arg string) []string {
	c := st.candidates(arg)
	for i, s := range c {
		if i == len(c)-1 && !strings.Contains(arg, "/") && !st.opts.NoCWD {
			c[i] = s + " (current directory)"
		}
	}
	return c
}

// Package macro expands Firejail's path macros (reference §4): ${HOME}, ~,
// ${CFG}, ${RUNUSER} at the start of an argument, the six XDG directory
// macros when they are the whole argument, and ${PATH} for the blacklist
// family. The resolver uses it for include paths; the plan builder records
// the Env it used so a plan says which user it was compiled for.
package macro

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Env is everything expansion depends on.
type Env struct {
	User    string   `json:"user"`
	UID     int      `json:"uid"`
	Home    string   `json:"home"`
	CFG     string   `json:"cfg"`
	RunUser string   `json:"runuser"`
	PATH    []string `json:"path"`
	// Root is the filesystem root XDG lookups are made under ("" = "/");
	// tests point it at a temporary tree.
	Root string `json:"-"`
}

// DefaultPATH is Firejail's PATH when the variable is unset.
const DefaultPATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"

// CurrentEnv describes the invoking user as Firejail sees it: home from the
// passwd entry, not $HOME.
func CurrentEnv() Env {
	u, err := user.Current()
	if err != nil {
		uid := os.Getuid()
		return NewEnv(strconv.Itoa(uid), uid, "/")
	}
	uid, _ := strconv.Atoi(u.Uid)
	return NewEnv(u.Username, uid, u.HomeDir)
}

// EnvForUser looks a user up by name or numeric id.
func EnvForUser(name string) (Env, error) {
	u, err := user.Lookup(name)
	if err != nil {
		if u2, err2 := user.LookupId(name); err2 == nil {
			u, err = u2, nil
		}
	}
	if err != nil {
		return Env{}, fmt.Errorf("unknown user %q: %v", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	return NewEnv(u.Username, uid, u.HomeDir), nil
}

// NewEnv builds an Env with Firejail's defaults for the rest.
func NewEnv(name string, uid int, home string) Env {
	return Env{
		User: name, UID: uid, Home: CleanHome(home), CFG: "/etc/firejail",
		RunUser: "/run/user/" + strconv.Itoa(uid), PATH: SplitPATH(os.Getenv("PATH")),
	}
}

// CleanHome normalises a home directory like Firejail: repeated slashes,
// "/./" and a trailing slash removed.
func CleanHome(h string) string {
	if h == "" {
		return "/"
	}
	return filepath.Clean(h)
}

// SplitPATH applies Firejail's rules: default when empty, only absolute
// entries, trailing slashes removed, duplicates removed.
func SplitPATH(p string) []string {
	if p == "" {
		p = DefaultPATH
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range strings.Split(p, ":") {
		if !strings.HasPrefix(d, "/") {
			continue
		}
		for len(d) > 1 && strings.HasSuffix(d, "/") {
			d = d[:len(d)-1]
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// XDG macros and the built-in directory names tried in order.
var XDG = []struct {
	Macro    string
	Key      string
	Fallback []string
}{
	{"${DOWNLOADS}", "XDG_DOWNLOAD_DIR", []string{"Downloads", "Загрузки", "Téléchargement", "Scaricati", "Descargas"}},
	{"${MUSIC}", "XDG_MUSIC_DIR", []string{"Music", "Музыка", "Musique", "Musica", "Música", "Musik"}},
	{"${VIDEOS}", "XDG_VIDEOS_DIR", []string{"Videos", "Видео", "Vidéos", "Video", "Vídeos"}},
	{"${PICTURES}", "XDG_PICTURES_DIR", []string{"Pictures", "Изображения", "Photos", "Immagini", "Imágenes", "Imagens", "Bilder"}},
	{"${DESKTOP}", "XDG_DESKTOP_DIR", []string{"Desktop", "Рабочий стол", "Bureau", "Scrivania", "Escritorio", "Área de trabalho", "Schreibtisch"}},
	{"${DOCUMENTS}", "XDG_DOCUMENTS_DIR", []string{"Documents", "Документы", "Documenti", "Documentos", "Dokumente"}},
}

// IsXDG reports whether s is exactly one XDG macro.
func IsXDG(s string) bool {
	for _, x := range XDG {
		if s == x.Macro {
			return true
		}
	}
	return false
}

// XDGPrefix returns the XDG macro s starts with, if any.
func XDGPrefix(s string) string {
	for _, x := range XDG {
		if strings.HasPrefix(s, x.Macro) {
			return x.Macro
		}
	}
	return ""
}

func (e Env) host(p string) string {
	if e.Root == "" {
		return p
	}
	return filepath.Join(e.Root, p)
}

// ResolveXDG returns the directory an XDG macro stands for, following
// Firejail: user-dirs.dirs entries relative to $HOME first (used only if the
// directory exists), then the built-in names. ok is false when nothing
// resolves, in which case Firejail keeps the macro text literally.
func (e Env) ResolveXDG(m string) (dir string, ok bool) {
	for _, x := range XDG {
		if x.Macro != m {
			continue
		}
		if rel, found := e.userDirs(x.Key); found {
			d := filepath.Join(e.Home, rel)
			if isDir(e.host(d)) {
				return d, true
			}
		}
		for _, name := range x.Fallback {
			d := filepath.Join(e.Home, name)
			if isDir(e.host(d)) {
				return d, true
			}
		}
	}
	return "", false
}

func (e Env) userDirs(key string) (string, bool) {
	data, err := os.ReadFile(e.host(filepath.Join(e.Home, ".config", "user-dirs.dirs")))
	if err != nil {
		return "", false
	}
	prefix := key + `="$HOME/`
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimLeft(sc.Text(), " \t")
		if strings.HasPrefix(l, "#") || !strings.HasPrefix(l, prefix) {
			continue
		}
		rest := l[len(prefix):]
		if i := strings.IndexByte(rest, '"'); i >= 0 {
			rest = rest[:i]
		}
		return rest, true
	}
	return "", false
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Expand applies the prefix macros and whole-argument XDG macros, once, at
// the start of arg, as Firejail's expand_macros does. It does not handle
// ${PATH} (see ExpandPATH) and does not reject $HOME (see HasDollarHome).
func (e Env) Expand(arg string) string {
	switch {
	case strings.HasPrefix(arg, "${HOME}"):
		return e.Home + arg[len("${HOME}"):]
	case strings.HasPrefix(arg, "~"):
		return e.Home + arg[1:]
	case strings.HasPrefix(arg, "${CFG}"):
		return e.CFG + arg[len("${CFG}"):]
	case strings.HasPrefix(arg, "${RUNUSER}"):
		return e.RunUser + arg[len("${RUNUSER}"):]
	case IsXDG(arg):
		if d, ok := e.ResolveXDG(arg); ok {
			return d
		}
	}
	return arg
}

// ExpandPATH returns one pattern per PATH directory for an argument that
// starts with ${PATH}, or nil.
func (e Env) ExpandPATH(arg string) []string {
	if !strings.HasPrefix(arg, "${PATH}") {
		return nil
	}
	rest := arg[len("${PATH}"):]
	out := make([]string, 0, len(e.PATH))
	for _, d := range e.PATH {
		out = append(out, d+rest)
	}
	return out
}

// HasDollarHome reports the form Firejail refuses: "$HOME" at the start.
func HasDollarHome(arg string) bool { return strings.HasPrefix(arg, "$HOME") }

// Package config reads firejail.config, the system-wide switches that gate
// profile directives (private-lib, tracelog, restricted-network, ...). The
// checker and the plan builder take a *Config as input, so results say which
// configuration they assumed.
package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// DefaultPath is where Firejail reads its configuration.
const DefaultPath = "/etc/firejail/firejail.config"

// Config holds key/value settings. Get falls back to Debian's defaults.
type Config struct {
	Path   string // "" when built from defaults
	values map[string]string
}

// Defaults are Debian 0.9.72's effective settings: upstream's compiled-in
// defaults plus Debian's one change, restricted-network yes.
var Defaults = map[string]string{
	"allow-tray": "no", "apparmor": "yes", "bind": "yes", "browser-allow-drm": "no",
	"browser-disable-u2f": "yes", "chroot": "no", "dbus": "yes", "disable-mnt": "no",
	"file-transfer": "yes", "force-nonewprivs": "no", "join": "yes", "tracelog": "no",
	"name-change": "yes", "network": "yes", "overlayfs": "yes", "private-bin": "yes",
	"private-bin-no-local": "no", "private-cache": "yes", "private-etc": "yes",
	"private-home": "yes", "private-lib": "no", "private-opt": "yes", "private-srv": "yes",
	"quiet-by-default": "no", "restricted-network": "yes", "seccomp": "yes",
	"seccomp-log": "no", "userns": "yes", "x11": "yes", "xephyr-window-title": "yes",
	"xpra-attach": "no",
}

// Default returns Debian's defaults.
func Default() *Config { return &Config{values: map[string]string{}} }

// Load reads a config file. Unknown keys are kept; malformed lines are errors
// naming file and line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(path, data)
	return c, err
}

// LoadDefault reads DefaultPath when it exists, else returns Default().
func LoadDefault() (*Config, error) {
	if _, err := os.Stat(DefaultPath); err != nil {
		return Default(), nil
	}
	return Load(DefaultPath)
}

// Parse reads config text: "key value" lines, '#' comments.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{Path: name, values: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s:%d:1: config line %q has no value; write \"KEY VALUE\"", name, n, line)
		}
		c.values[key] = strings.TrimSpace(val)
	}
	return c, sc.Err()
}

// Get returns the value of key and whether it is set anywhere.
func (c *Config) Get(key string) (string, bool) {
	if v, ok := c.values[key]; ok {
		return v, true
	}
	v, ok := Defaults[key]
	return v, ok
}

// Enabled reports whether a yes/no key is yes. Unknown keys count as yes,
// so a gate nobody defined never disables anything.
func (c *Config) Enabled(key string) bool {
	v, ok := c.Get(key)
	return !ok || v == "yes"
}

// Set overrides a key (used by tests and --condition).
func (c *Config) Set(key, value string) { c.values[key] = value }

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func jailc(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// isolated runs check without the user's and the system's profile dirs.
func check(t *testing.T, args ...string) (int, string, string) {
	return jailc(t, append([]string{"check", "--config", "/dev/null"}, args...)...)
}

func TestCheckExitStatus(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.profile", "caps.drop all\nnonewprivs\n")
	warn := write(t, dir, "warn.profile", "seccomp chrot\n")
	bad := write(t, dir, "bad.profile", "caps.drop CHOWN\n")
	if code, out, _ := check(t, good); code != 0 || out != "" {
		t.Errorf("clean profile: exit %d, output %q", code, out)
	}
	code, out, _ := check(t, warn)
	if code != 0 || !strings.Contains(out, `warn.profile:1:9: warning: unknown syscall "chrot" [unknown-syscall]`) || !strings.Contains(out, `did you mean "chroot"?`) {
		t.Errorf("warning: exit %d, output %q", code, out)
	}
	if code, _, _ := check(t, "--werror", warn); code != 1 {
		t.Errorf("--werror with a warning: exit %d, want 1", code)
	}
	if code, out, _ := check(t, bad); code != 1 || !strings.Contains(out, "bad.profile:1:11: error: unknown capability \"CHOWN\" [unknown-capability]") {
		t.Errorf("error: exit %d, output %q", code, out)
	}
	if code, _, errs := jailc(t, "check", "--format", "xml", good); code != 2 || errs == "" {
		t.Errorf("bad flag value: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := jailc(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	if code, _, _ := jailc(t, "check"); code != 2 {
		t.Errorf("no files: exit %d, want 2", code)
	}
}

func TestCheckCompatAndJSON(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.profile", "seccomp chrot\ncaps.keep net_rwa\n")
	code, out, _ := check(t, "--compat", "--format", "json", p)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("--compat should keep only the Firejail rejection, got %d lines:\n%s", len(lines), out)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &d); err != nil {
		t.Fatal(err)
	}
	if d["code"] != "unknown-capability" || d["line"].(float64) != 2 || d["column"].(float64) != 11 {
		t.Errorf("json: %v", d)
	}
}

func TestCheckIncludeChain(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "leaf.inc", "seccomp chrot\n")
	top := write(t, dir, "top.profile", "include top.local\ninclude leaf.inc\n")
	_, out, _ := check(t, "-I", dir, top)
	if !strings.Contains(out, "leaf.inc:1:9: warning: unknown syscall") || !strings.Contains(out, "included from "+top+":2:1") {
		t.Errorf("include chain missing:\n%s", out)
	}
}

// Bad input: each gets a positioned message and exit status 1, no panic,
// no hang.
func TestCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	lines := make([]string, 0, 100001)
	for i := 0; i < 100000; i++ {
		lines = append(lines, "blacklist /tmp/x"+strings.Repeat("y", i%7))
	}
	big := strings.Join(lines, "\n") + "\nseccomp.drop @nope\n"
	cases := []struct {
		name, content string
		want          string
	}{
		{"empty.profile", "", "empty.profile:1:1: error: file is empty [empty-file]"},
		{"binary.profile", "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00", "binary.profile:1:1: error: this is a binary file"},
		{"utf8.profile", "blacklist /tmp/\xff\xfe\n", "utf8.profile:1:16: error: invalid UTF-8 [invalid-utf8]"},
		{"longline.profile", "blacklist /" + strings.Repeat("a", 1<<20) + "\n", "longline.profile:1:8192: error: line is longer than 8191 bytes [long-line]"},
		{"big.profile", big, "big.profile:100001:14: error: unknown syscall group \"@nope\" [unknown-syscall-group]"},
		{"missing.profile", "include nothere.inc\n", "missing.profile:1:9: error: cannot find included file \"nothere.inc\" [missing-include]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, dir, tc.name, tc.content)
			start := time.Now()
			code, out, _ := check(t, p)
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want 1; output does not contain %q:\n%.600s", code, tc.want, out)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		code, out, _ := check(t, dir)
		if code != 1 || !strings.Contains(out, dir+": error: is a directory, not a profile file") {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
	t.Run("not a regular file", func(t *testing.T) {
		code, out, _ := check(t, "/dev/null")
		if code != 1 || !strings.Contains(out, "/dev/null: error: cannot read file: not a regular file") {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		code, out, _ := check(t, filepath.Join(dir, "nope.profile"))
		if code != 1 || !strings.Contains(out, "nope.profile: error: no such file") {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		p := write(t, dir, "secret.profile", "quiet\n")
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		if f, err := os.Open(p); err == nil {
			f.Close()
			t.Skip("running as root, so a mode-000 file is still readable; permission errors cannot be provoked here")
		}
		code, out, _ := check(t, p)
		if code != 1 || !strings.Contains(out, "permission denied") {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
}

func TestCheckStdlib(t *testing.T) {
	for _, name := range []string{"stdlib:default.profile", "stdlib:server.profile"} {
		code, out, errs := jailc(t, "check", "--config", "/dev/null", name)
		if code != 0 || strings.Contains(out, "error") {
			t.Errorf("%s: exit %d\n%s%s", name, code, out, errs)
		}
	}
}

func TestTables(t *testing.T) {
	cases := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"syscalls", "clone"}, "56  clone", 0},
		{[]string{"syscalls", "--arch", "i386", "clone"}, "120  clone", 0},
		{[]string{"syscalls", "--arch", "aarch64", "56"}, "56  openat", 0},
		{[]string{"syscalls", "--arch", "arm", "socket"}, "281  socket", 0},
		{[]string{"syscalls", "$0x5a"}, "90  chmod", 0},
		{[]string{"syscalls", "@swap"}, "167  swapon\n168  swapoff", 0},
		{[]string{"caps"}, "13  net_raw", 0},
		{[]string{"errnos"}, "13   EACCES", 0},
		{[]string{"protocols"}, "10  inet6", 0},
	}
	for _, tc := range cases {
		code, out, errs := jailc(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("jailc %v: exit %d, output %q %q; want %q", tc.args, code, out, errs, tc.want)
		}
	}
	if code, _, errs := jailc(t, "syscalls", "--arch", "aarch64", "open"); code != 1 || !strings.Contains(errs, "not a syscall on aarch64") || !strings.Contains(errs, "x86_64 2") {
		t.Errorf("open on aarch64: exit %d, %q", code, errs)
	}
	if code, _, errs := jailc(t, "syscalls", "chrot"); code != 1 || !strings.Contains(errs, `did you mean "chroot"?`) {
		t.Errorf("typo: exit %d, %q", code, errs)
	}
	if code, _, _ := jailc(t, "syscalls", "--arch", "mips", "read"); code != 2 {
		t.Errorf("unknown arch: exit %d, want 2", code)
	}
}

// `jailc run` parses with a model of the run command alone (runOnly); it
// must read the same flags and say the same things as the full model.
func TestRunOnlyModelMatchesFull(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--help"}, {"run"}, {"run", "--profile"}, {"run", "--condition", "X", "--", "true"},
		{"run", "--profile", "p", "--user", "u", "--condition", "HAS_X11=false", "-I", "d", "--allow-unsupported", "--", "prog", "--arg"},
	} {
		var got [2]string
		for i, model := range []any{&cli{}, &runOnly{}} {
			var out, errb bytes.Buffer
			exit := -1
			p, err := newParser(model, &out, &errb, &exit)
			if err != nil {
				t.Fatal(err)
			}
			kctx, err := p.Parse(args)
			got[i] = fmt.Sprintf("exit %d err %v\nstdout:\n%s\nstderr:\n%s", exit, err, out.String(), errb.String())
			if err == nil && exit < 0 {
				r := kctx.Selected().Target.Addr().Interface().(*runCmd)
				got[i] += fmt.Sprintf("command %s: %+v", kctx.Command(), *r)
			}
		}
		if got[0] != got[1] {
			t.Errorf("%q:\nfull model:\n%s\nrun-only model:\n%s", args, got[0], got[1])
		}
	}
}

package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want cli
		err  string
	}{
		{args: []string{"--plan", "p.json", "--", "/bin/true", "-x"}, want: cli{Plan: "p.json", Command: []string{"/bin/true", "-x"}}},
		{args: []string{"--plan=p.json", "--allow-unsupported", "ls", "-l"}, want: cli{Plan: "p.json", AllowUnsupported: true, Command: []string{"ls", "-l"}}},
		// Options after the program belong to the program.
		{args: []string{"-plan", "p.json", "sh", "--plan", "x"}, want: cli{Plan: "p.json", Command: []string{"sh", "--plan", "x"}}},
		{args: []string{"--", "/bin/true"}, err: "missing --plan"},
		{args: []string{"--plan", "p.json"}, err: "no program given"},
		{args: []string{"--plan", "p.json", "--"}, err: "no program given"},
		{args: []string{"--plan"}, err: "flag needs an argument"},
		{args: []string{"--bogus", "--plan", "p.json", "true"}, err: "flag provided but not defined: -bogus"},
	} {
		got, err := parseArgs(tc.args, &bytes.Buffer{})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%q: (-want +got)\n%s", tc.args, d)
		}
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseArgs([]string{"--help"}, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "Usage: jailrun --plan PLAN.json") {
		t.Errorf("--help: %v\n%s", err, out.String())
	}
}

// readPlan maps regular files and reads anything else; both give the bytes.
func TestReadPlan(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"plan.json": `{"version": 1}`, "empty.json": ""} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		data, release, err := readPlan(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(data) != content {
			t.Errorf("%s: read %q, want %q", name, data, content)
		}
		release()
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.WriteString(`{"version": 1}`)
			f.Close()
		}
	}()
	data, release, err := readPlan(fifo)
	if err != nil || string(data) != `{"version": 1}` {
		t.Errorf("fifo: %q, %v", data, err)
	}
	release()
	if _, _, err := readPlan(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing plan file was read without error")
	}
}

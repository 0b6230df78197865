package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/jailc/jailc/compiler/explain"
	"github.com/jailc/jailc/compiler/plan"
)

// explainStdin is what `-` reads; tests replace it with a pipe.
var explainStdin io.Reader = os.Stdin

type explainCmd struct {
	profileFlags
	Profile string `placeholder:"P" xor:"source" help:"Explain against this profile (a file, a NAME, or stdlib:NAME), compiled like jailc compile does."`
	Plan    string `placeholder:"PLAN.json" xor:"source" help:"Explain against a compiled plan (jailc compile -o)."`
	Follow  bool   `short:"f" help:"Keep reading (journalctl -kf | jailc explain --follow): explain each new call as it arrives and report repeats."`
	Format  string `enum:"text,json" default:"text" help:"Output: text, or json (one document; with --follow, one JSON object per line)."`
	File    string `arg:"" optional:"" default:"-" help:"Log to read: dmesg, /dev/kmsg, journalctl or syslog output, audit.log, ausearch (raw or -i); - for standard input."`
}

// followJSON is one line of --follow --format json.
type followJSON struct {
	New   bool              `json:"new"`
	Group explain.GroupJSON `json:"group"`
}

func (c *explainCmd) Run(env *runEnv) error {
	var p *plan.Plan
	switch {
	case c.Plan != "":
		data, err := os.ReadFile(c.Plan)
		if err != nil {
			return usageError{err}
		}
		if p, err = plan.Unmarshal(data); err != nil {
			return usageError{fmt.Errorf("%s: %w", c.Plan, err)}
		}
	case c.Profile != "":
		var err error
		if p, err = c.compilePlan(env, c.Profile); err != nil {
			return err
		}
	}
	in, name := explainStdin, "<stdin>"
	if c.File != "-" && c.File != "" {
		f, err := os.Open(c.File)
		if err != nil {
			return usageError{err}
		}
		defer f.Close()
		in, name = f, c.File
	}
	s := explain.NewSession(explain.NewExplainer(p))
	enc := json.NewEncoder(env.stdout)
	err := explain.ReadLines(in, func(n int, line string, tooLong bool) error {
		g, isNew, err := s.AddLine(n, line, tooLong)
		if err != nil {
			fmt.Fprintf(env.stderr, "jailc explain: %s:%d: malformed seccomp record, skipped: %v\n", name, n, err.(explain.Malformed).Err)
			return nil
		}
		if g == nil || !c.Follow {
			return nil
		}
		switch {
		case c.Format == "json":
			return enc.Encode(followJSON{New: isNew, Group: g.JSON()})
		case isNew:
			if len(s.Groups()) > 1 {
				fmt.Fprintln(env.stdout)
			}
			return explain.WriteText(env.stdout, g)
		default:
			return explain.WriteUpdate(env.stdout, g)
		}
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if len(s.Malformed) > 0 {
		env.status = exitProblems
	}
	switch {
	case c.Follow && c.Format == "json":
		return nil
	case c.Follow:
		fmt.Fprintln(env.stdout)
		return explain.WriteSummary(env.stdout, s)
	case c.Format == "json":
		return explain.WriteJSON(env.stdout, s)
	}
	for _, g := range s.Groups() {
		if err := explain.WriteText(env.stdout, g); err != nil {
			return err
		}
		fmt.Fprintln(env.stdout)
	}
	return explain.WriteSummary(env.stdout, s)
}

// Command jailrun is the minimal runner: it reads a compiled plan and
// launches a program inside the sandbox the plan describes. It links the
// plan, the seccomp backend and the runtime only — never the language
// front end — so it stays small enough to audit and to install setuid root
// or start from a systemd unit:
//
//	ExecStart=/usr/bin/jailrun --plan /etc/jailc/restd.plan -- /usr/bin/restd
//
// Its two options are parsed with the standard library's flag package:
// every launch pays for the runner's start-up, and a CLI framework's
// initialisation cost a quarter of a millisecond of it (see the launch
// benchmark in the README).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/runtime"
)

type cli struct {
	Plan             string
	AllowUnsupported bool
	Command          []string
}

const usage = `Usage: jailrun --plan PLAN.json [--allow-unsupported] [--] PROGRAM [ARGS...]

Run a program in the sandbox a compiled jailc plan describes.

Options:
  --plan PLAN.json       compiled plan (jailc compile)
  --allow-unsupported    start even if the plan uses features jailrun does not
                         implement; each ignored rule is printed
`

// parseArgs reads the command line; errHelp when help was asked for.
func parseArgs(args []string, stderr io.Writer) (cli, error) {
	var c cli
	fs := flag.NewFlagSet("jailrun", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.Plan, "plan", "", "")
	fs.BoolVar(&c.AllowUnsupported, "allow-unsupported", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
		}
		return c, err
	}
	c.Command = fs.Args()
	switch {
	case c.Plan == "":
		return c, errors.New("missing --plan PLAN.json (compile one with: jailc compile PROFILE -o PLAN.json)")
	case len(c.Command) == 0:
		return c, errors.New("no program given: jailrun --plan PLAN.json -- PROGRAM [ARGS...]")
	}
	return c, nil
}

func main() {
	runtime.Stage()
	c, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "jailrun:", err)
		fmt.Fprintln(os.Stderr, "Run jailrun --help for usage.")
		os.Exit(2)
	}
	os.Exit(run(c))
}

// readPlan maps the plan file instead of copying it into the heap, and
// release unmaps it: the decoded plan does not share its memory, and
// the sandbox's processes are forked from this one, so every page it no
// longer has is one the forks need not copy.
func readPlan(name string) ([]byte, func(), error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() || st.Size() == 0 || st.Size() > 1<<30 {
		data, err := io.ReadAll(f) // a pipe, /dev/stdin, an empty file: read it
		return data, func() {}, err
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "mmap", Path: name, Err: err}
	}
	return data, func() { unix.Munmap(data) }, nil
}

func run(c cli) int {
	// The runner allocates the plan and the filter and then only waits.
	debug.SetGCPercent(-1)
	// Starting to catch signals takes a while; it runs while the plan is
	// read (see CatchSignals).
	sg := runtime.CatchSignals()
	data, release, err := readPlan(c.Plan)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jailrun:", err)
		return 2
	}
	p, err := plan.Unmarshal(data)
	release()
	if err != nil {
		fmt.Fprintf(os.Stderr, "jailrun: %s: %v\n", c.Plan, err)
		return 2
	}
	code, err := runtime.Run(p, c.Command, c.AllowUnsupported, sg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jailrun:", err)
		return 127
	}
	return code
}

// Command jailrun is the minimal runner: it reads a compiled plan and
// launches a program inside the sandbox the plan describes. It links the
// plan, the seccomp backend and the runtime only — never the language
// front end — so it stays small enough to audit and to install setuid root
// or start from a systemd unit:
//
//	ExecStart=/usr/bin/jailrun --plan /etc/jailc/restd.plan -- /usr/bin/restd
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/alecthomas/kong"

	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/runtime"
)

type cli struct {
	Plan             string   `required:"" placeholder:"PLAN.json" help:"Compiled plan (jailc compile)."`
	AllowUnsupported bool     `help:"Start even if the plan uses features jailrun does not implement; each ignored rule is printed."`
	Command          []string `arg:"" passthrough:"" name:"program" help:"Program and arguments."`
}

func main() {
	runtime.Stage()
	var c cli
	parser := kong.Must(&c, kong.Name("jailrun"), kong.Description("Run a program in the sandbox a compiled jailc plan describes."),
		kong.Exit(func(code int) { os.Exit(code) }))
	if _, err := parser.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "jailrun:", err)
		os.Exit(2)
	}
	os.Exit(run(c))
}

func run(c cli) int {
	// The runner allocates the plan and the filter and then only waits.
	debug.SetGCPercent(-1)
	data, err := os.ReadFile(c.Plan)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jailrun:", err)
		return 2
	}
	p, err := plan.Unmarshal(data)
	if err != nil {
		fmt.Fprintf(os.Stderr, "jailrun: %s: %v\n", c.Plan, err)
		return 2
	}
	argv := c.Command
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	code, err := runtime.Run(p, argv, c.AllowUnsupported)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jailrun:", err)
		return 127
	}
	return code
}

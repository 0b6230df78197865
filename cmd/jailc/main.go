// Command jailc is the toolchain for the Firejail profile language.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/jailc/jailc/runtime"
)

// Exit statuses: 0 clean (warnings allowed), 1 problems found, 2 usage.
const (
	exitOK       = 0
	exitProblems = 1
	exitUsage    = 2
)

type cli struct {
	Check     checkCmd     `cmd:"" help:"Read profiles, follow their includes and report every problem."`
	Fmt       fmtCmd       `cmd:"" help:"Format profiles canonically (template section order, sorted lists, normalised blanks); -w writes, -d diffs, -l lists."`
	Compile   compileCmd   `cmd:"" help:"Compile a profile into a plan (deterministic JSON)."`
	Plan      planCmd      `cmd:"" help:"Show the effective sandbox a profile describes, each line with its origin."`
	Why       whyCmd       `cmd:"" help:"Explain one decision of a profile: a path, a syscall, a capability or a variable."`
	Diff      diffCmd      `cmd:"" help:"Compare the sandboxes of two profiles or plans: what became allowed, what became denied."`
	Lint      lintCmd      `cmd:"" help:"Find mistakes, weak spots and style problems in profiles; --fix applies the safe fixes."`
	Explain   explainCmd   `cmd:"" help:"Explain kernel seccomp audit records (dmesg, journalctl, audit.log) and how to allow each call."`
	Run       runCmd       `cmd:"" help:"${run_help}"`
	BPF       bpfCmd       `cmd:"" name:"bpf" help:"Compile a profile's seccomp policy to BPF; disassemble, evaluate, measure."`
	Learn     learnCmd     `cmd:"" help:"Run a program, observe it, and write a least-privilege profile for it."`
	LSP       lspCmd       `cmd:"" name:"lsp" help:"Language server over stdio for editors."`
	Syscalls  syscallsCmd  `cmd:"" help:"List syscalls, or look up a name, number or @group, for an architecture."`
	Caps      capsCmd      `cmd:"" help:"List capability names and numbers."`
	Errnos    errnosCmd    `cmd:"" help:"List errno names and numbers."`
	Protocols protocolsCmd `cmd:"" help:"List socket families for the protocol directive."`
}

// runOnly is the command line of `jailc run`: kong builds its model of
// every subcommand on each start (~1.3 ms, most of it interpolating help
// texts), which a command that launches programs need not pay.
type runOnly struct {
	Run runCmd `cmd:"" help:"${run_help}"`
}

const runHelp = "Compile a profile and run a program in its sandbox."

// usageError marks errors that should exit with status 2.
type usageError struct{ error }

func main() {
	runtime.Stage() // the sandbox stages re-execute this binary
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var model any = &cli{}
	if len(args) > 0 && args[0] == "run" {
		model = &runOnly{}
	}
	exit := -1
	parser, err := newParser(model, stdout, stderr, &exit)
	if err != nil {
		fmt.Fprintln(stderr, "jailc:", err)
		return exitUsage
	}
	kctx, err := parser.Parse(args)
	if exit >= 0 {
		return exit // --help
	}
	if err != nil {
		fmt.Fprintln(stderr, "jailc:", err)
		return exitUsage
	}
	env := &runEnv{stdout: stdout, stderr: stderr}
	err = kctx.Run(env)
	var ue usageError
	switch {
	case err == nil:
		return env.status
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "jailc:", err)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "jailc:", err)
		return exitProblems
	}
}

// newParser is jailc's kong parser for model (cli, or runOnly); --help and
// usage errors set *exit.
func newParser(model any, stdout, stderr io.Writer, exit *int) (*kong.Kong, error) {
	return kong.New(model,
		kong.Name("jailc"),
		kong.Description("A toolchain for the Firejail 0.9.72 sandbox profile language."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { *exit = code }),
		kong.UsageOnError(),
		kong.Vars{"diag_formats": diagFormatHelp, "run_help": runHelp},
	)
}

type runEnv struct {
	stdout, stderr io.Writer
	status         int
}

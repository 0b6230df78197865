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
	Run       runCmd       `cmd:"" help:"Compile a profile and run a program in its sandbox."`
	BPF       bpfCmd       `cmd:"" name:"bpf" help:"Compile a profile's seccomp policy to BPF; disassemble, evaluate, measure."`
	Learn     learnCmd     `cmd:"" help:"Run a program, observe it, and write a least-privilege profile for it."`
	LSP       lspCmd       `cmd:"" name:"lsp" help:"Language server over stdio for editors."`
	Syscalls  syscallsCmd  `cmd:"" help:"List syscalls, or look up a name, number or @group, for an architecture."`
	Caps      capsCmd      `cmd:"" help:"List capability names and numbers."`
	Errnos    errnosCmd    `cmd:"" help:"List errno names and numbers."`
	Protocols protocolsCmd `cmd:"" help:"List socket families for the protocol directive."`
}

// usageError marks errors that should exit with status 2.
type usageError struct{ error }

func main() {
	runtime.Stage() // the sandbox stages re-execute this binary
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var c cli
	exit := -1
	parser, err := kong.New(&c,
		kong.Name("jailc"),
		kong.Description("A toolchain for the Firejail 0.9.72 sandbox profile language."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exit = code }),
		kong.UsageOnError(),
		kong.Vars{"diag_formats": diagFormatHelp},
	)
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

type runEnv struct {
	stdout, stderr io.Writer
	status         int
}

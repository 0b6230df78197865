package main

import (
	"os"

	"github.com/jailc/jailc/lang/format"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/lang/lsp"
)

type lspCmd struct {
	Config  string   `placeholder:"FILE" help:"firejail.config to read."`
	Include []string `short:"I" name:"include-dir" placeholder:"DIR" help:"Search DIR for included files (the document's own directory is searched first)."`
}

func (c *lspCmd) Run(env *runEnv) error {
	s := &lsp.Server{Options: frontend.Options{ConfigPath: c.Config, IncludeDirs: c.Include}, Format: formatter}
	return s.Serve(os.Stdin, env.stdout)
}

// formatter serves textDocument/formatting with jailc fmt; a file the
// formatter refuses gives an error (a *format.Error with the diagnostics,
// the first one as file:line:col in its message).
var formatter func(name string, text []byte) ([]byte, error) = format.Bytes

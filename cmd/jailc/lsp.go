package main

import (
	"os"

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

// formatter is set when a formatter is linked in (jailc fmt).
var formatter func(name string, text []byte) ([]byte, error)

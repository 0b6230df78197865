// Command genschema writes compiler/plan/plan.schema.json from the plan's
// Go types, so the schema cannot drift from the encoder. Run with
// `go generate ./compiler/plan`.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/invopop/jsonschema"

	"github.com/jailc/jailc/compiler/plan"
)

func main() {
	r := &jsonschema.Reflector{
		RequiredFromJSONSchemaTags: false,
		DoNotReference:             false,
		ExpandedStruct:             true,
	}
	s := r.Reflect(&plan.Plan{})
	s.ID = "https://jailc.invalid/plan/v1.schema.json"
	s.Title = "jailc plan, version 1"
	s.Description = "A compiled Firejail profile: the effective sandbox with the origin of every item. " +
		"Bound at compile time: user, uid, home (${HOME}, ~), runtime directory (${RUNUSER}), ${CFG} and the XDG directory macros, recorded in bindings. " +
		"Left for the runtime to expand at launch: glob characters in filesystem paths (glob: true) and a leading ${PATH} (path_macro: true), " +
		"which becomes one path per directory of the PATH the sandbox starts with."
	if p, ok := s.Properties.Get("version"); ok {
		p.Const = plan.Version
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile("plan.schema.json", append(out, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

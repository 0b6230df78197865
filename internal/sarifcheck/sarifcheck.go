// Package sarifcheck validates SARIF logs against the official SARIF 2.1.0
// JSON schema in tests.
//
// The schema is OASIS's sarif-schema-2.1.0.json (errata01). We do not keep
// a copy: github.com/owenrumney/go-sarif/v3 embeds it in its source, so
// the module (pinned in go.sum, imported blank below so that go.mod keeps
// it) is located with `go list -m` and the schema text read from it.
package sarifcheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	_ "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif" // carries the schema
)

const module = "github.com/owenrumney/go-sarif/v3"

var (
	once   sync.Once
	schema *jsonschema.Schema
	err    error
)

// Schema returns the compiled official SARIF 2.1.0 schema.
func Schema() (*jsonschema.Schema, error) {
	once.Do(func() { schema, err = load() })
	return schema, err
}

func load() (*jsonschema.Schema, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		return nil, fmt.Errorf("locating %s: %v", module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return nil, fmt.Errorf("%s is not downloaded (go mod download)", module)
	}
	src, err := os.ReadFile(filepath.Join(dir, "pkg/report/v210/sarif/schema.go"))
	if err != nil {
		return nil, err
	}
	i, j := bytes.IndexByte(src, '`'), bytes.LastIndexByte(src, '`')
	if i < 0 || j <= i {
		return nil, fmt.Errorf("no schema text in %s", module)
	}
	text := src[i+1 : j]
	if !bytes.Contains(text, []byte(`"title": "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"`)) ||
		!bytes.Contains(text, []byte("sarif-schema-2.1.0.json")) {
		return nil, fmt.Errorf("the schema in %s is not SARIF 2.1.0's", module)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("sarif-schema-2.1.0.json")
}

// Validate checks a SARIF log against the schema.
func Validate(log []byte) error {
	s, err := Schema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	return s.Validate(inst)
}

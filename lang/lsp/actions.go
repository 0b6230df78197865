package lsp

import (
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
	"github.com/jailc/jailc/lang/source"
)

// Finding is a diagnostic from an analysis beyond the checker (jailc lint),
// with the fixes the editor offers as quick-fix code actions.
type Finding struct {
	Diag  diag.Diagnostic
	Fixes []Fix
}

// Fix is one suggested change: byte edits of the document.
type Fix struct {
	Title string
	Edits []Edit
}

// Edit replaces the bytes [Start, End) of File with NewText.
type Edit struct {
	File       string
	Start, End int
	NewText    string
}

// Linter runs on a document that checks without errors and returns its
// findings; cmd/jailc plugs jailc lint in here (lang does not import the
// compiler).
type Linter func(sess *frontend.Session, res *check.Result) []Finding

// codeActions answers textDocument/codeAction: the fixes of the findings
// last published for the document on the lines of the requested range
// (editors ask with the cursor's position, often not inside the span).
func (s *Server) codeActions(uri string, r rng) []map[string]any {
	text, ok := s.docs[uri]
	if !ok {
		return []map[string]any{}
	}
	path := pathOf(uri)
	f := source.NewFile(path, []byte(text))
	docText := func(file string) string {
		if file == path {
			return text
		}
		return "" // columns elsewhere stay as they are
	}
	out := []map[string]any{}
	for _, fd := range s.findings[uri] {
		dr := toRange(fd.Diag)
		if dr.End.Line < r.Start.Line || r.End.Line < dr.Start.Line {
			continue
		}
		for _, fix := range fd.Fixes {
			var edits []map[string]any
			for _, e := range fix.Edits {
				if e.File != path || e.Start < 0 || e.End < e.Start || e.End > len(f.Data) {
					edits = nil
					break
				}
				edits = append(edits, map[string]any{"range": s.rangeToClient(text, rng{Start: lspPos(f, e.Start), End: lspPos(f, e.End)}), "newText": e.NewText})
			}
			if edits == nil {
				continue
			}
			out = append(out, map[string]any{
				"title":       fix.Title,
				"kind":        "quickfix",
				"diagnostics": []map[string]any{s.diagnosticJSON(fd.Diag, docText)},
				"edit":        map[string]any{"changes": map[string]any{uri: edits}},
			})
		}
	}
	return out
}

// lspPos turns a byte offset into a position, counting columns in bytes
// as the diagnostics do.
func lspPos(f *source.File, off int) position {
	p := f.Position(off)
	return position{Line: p.Line - 1, Character: p.Col - 1}
}

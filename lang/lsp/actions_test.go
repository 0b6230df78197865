package lsp

import (
	"bufio"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
)

// TestLintAndCodeActions drives a server with a linter: its findings are
// published next to the checker's (a finding repeating a checker
// diagnostic, same code at the same place, once), and their fixes come
// back as quick-fix code actions for a range that meets the finding.
func TestLintAndCodeActions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.profile")
	uri := uriOf(path)
	text := "caps.drop all\nprivate-bin zsh,bash\nnowhitelist /srv/*\n"
	linter := func(sess *frontend.Session, res *check.Result) []Finding {
		f := res.Unit.Files[0]
		data := f.Src.Data
		start := strings.Index(string(data), "zsh,bash")
		var out []Finding
		for _, l := range f.Lines {
			if l.Cmd != nil && l.Cmd.Keyword == "nowhitelist" {
				// The checker reports this one too.
				out = append(out, Finding{Diag: diag.Diagnostic{Pos: l.Cmd.ArgSpan.Pos(), End: l.Cmd.ArgSpan.EndPos(), Severity: diag.Warning, Code: "nowhitelist-glob", Message: "again"}})
			}
		}
		d := diag.Diagnostic{Pos: f.Src.Position(start), End: f.Src.Position(start + 8), Severity: diag.Warning, Code: "sorted-list", Message: "private-bin list is not sorted"}
		return append(out, Finding{Diag: d, Fixes: []Fix{{Title: "sort the list", Edits: []Edit{{File: path, Start: start, End: start + 8, NewText: "bash,zsh"}}}}})
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &Server{Options: frontend.Options{ConfigPath: "/dev/null"}, Lint: linter}
	go s.Serve(inR, outW)
	c := &client{t: t, w: inW, r: bufio.NewReader(outR)}
	id := c.send("initialize", map[string]any{"capabilities": map[string]any{}}, true)
	caps := c.until(id, "")["result"].(map[string]any)["capabilities"].(map[string]any)
	if caps["codeActionProvider"] == nil {
		t.Errorf("no codeActionProvider: %v", caps)
	}
	c.send("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "firejail", "version": 1, "text": text}}, false)
	items := c.until(0, "textDocument/publishDiagnostics")["params"].(map[string]any)["diagnostics"].([]any)
	codes := map[string]int{}
	for _, it := range items {
		codes[it.(map[string]any)["code"].(string)]++
	}
	if codes["sorted-list"] != 1 || codes["nowhitelist-glob"] != 1 || len(items) != 2 {
		t.Errorf("diagnostics: %v", items)
	}
	actions := func(line int) []any {
		id := c.send("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": uri},
			"range":   map[string]any{"start": map[string]any{"line": line, "character": 0}, "end": map[string]any{"line": line, "character": 0}},
			"context": map[string]any{"diagnostics": []any{}}}, true)
		return c.until(id, "")["result"].([]any)
	}
	got := actions(1)
	if len(got) != 1 {
		t.Fatalf("code actions on line 2: %v", got)
	}
	a := got[0].(map[string]any)
	edits := a["edit"].(map[string]any)["changes"].(map[string]any)[uri].([]any)
	e := edits[0].(map[string]any)
	r := e["range"].(map[string]any)
	if a["kind"] != "quickfix" || a["title"] != "sort the list" || e["newText"] != "bash,zsh" ||
		r["start"].(map[string]any)["line"] != float64(1) || r["start"].(map[string]any)["character"] != float64(12) ||
		r["end"].(map[string]any)["character"] != float64(20) {
		t.Errorf("code action: %v", a)
	}
	if got := actions(0); len(got) != 0 {
		t.Errorf("code actions on line 1: %v", got)
	}
	// A document with errors is not linted.
	c.send("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": "caps.drop CHOWN\nprivate-bin zsh,bash\n"}}}, false)
	items = c.until(0, "textDocument/publishDiagnostics")["params"].(map[string]any)["diagnostics"].([]any)
	for _, it := range items {
		if it.(map[string]any)["code"] == "sorted-list" {
			t.Errorf("linted a document with errors: %v", items)
		}
	}
	if got := actions(1); len(got) != 0 {
		t.Errorf("stale code actions: %v", got)
	}
}

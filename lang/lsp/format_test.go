package lsp

import (
	"bufio"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jailc/jailc/lang/format"
	"github.com/jailc/jailc/lang/frontend"
)

// TestFormattingWithJailcFmt drives textDocument/formatting with the real
// formatter (what `jailc lsp` links in): the reply is one edit replacing
// the whole document with `jailc fmt`'s output, and a document the
// formatter refuses gets an error naming the place, not an edit.
func TestFormattingWithJailcFmt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.profile")
	uri := uriOf(path)
	text := "private-tmp\nnonewprivs   # why\r\n?HAS_NET :nosound\nprivate-bin zsh,bash\ncaps.drop all"
	want, err := format.Bytes(path, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if string(want) == text {
		t.Fatal("the sample is already formatted; the test would prove nothing")
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &Server{Options: frontend.Options{ConfigPath: "/dev/null"}, Format: format.Bytes}
	done := make(chan error, 1)
	go func() { done <- s.Serve(inR, outW) }()
	c := &client{t: t, w: inW, r: bufio.NewReader(outR)}

	id := c.send("initialize", map[string]any{"capabilities": map[string]any{}}, true)
	caps := c.until(id, "")["result"].(map[string]any)["capabilities"].(map[string]any)
	if caps["documentFormattingProvider"] != true {
		t.Fatalf("formatting not advertised: %v", caps)
	}
	c.send("initialized", map[string]any{}, false)
	c.send("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "firejail", "version": 1, "text": text}}, false)
	c.until(0, "textDocument/publishDiagnostics")

	formatting := func() map[string]any {
		id := c.send("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 4, "insertSpaces": true}}, true)
		return c.until(id, "")
	}
	r := formatting()
	edits, ok := r["result"].([]any)
	if !ok || len(edits) != 1 {
		t.Fatalf("formatting: %v", r)
	}
	e := edits[0].(map[string]any)
	if got := e["newText"].(string); got != string(want) {
		t.Errorf("newText:\n%q\nwant:\n%q", got, want)
	}
	rg := e["range"].(map[string]any)
	start, end := rg["start"].(map[string]any), rg["end"].(map[string]any)
	lines := strings.Count(text, "\n") + 1
	if start["line"] != float64(0) || start["character"] != float64(0) || end["line"].(float64) < float64(lines-1) {
		t.Errorf("the edit does not cover the document: %v", rg)
	}

	// A CR inside a line: the formatter refuses, the server answers with
	// an error that names the line and column.
	c.send("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": "nonewprivs\nblacklist /a\rnoroot\n"}}}, false)
	c.until(0, "textDocument/publishDiagnostics")
	r = formatting()
	if r["result"] != nil {
		t.Errorf("formatted a refused document: %v", r["result"])
	}
	rpcErr, _ := r["error"].(map[string]any)
	if msg, _ := rpcErr["message"].(string); !strings.Contains(msg, path+":2:13: carriage return") {
		t.Errorf("error: %v", r)
	}

	id = c.send("shutdown", nil, true)
	c.until(id, "")
	c.send("exit", nil, false)
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Error("server did not exit")
	}
}

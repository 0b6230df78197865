package lsp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jailc/jailc/lang/frontend"
)

type client struct {
	t  *testing.T
	w  io.Writer
	r  *bufio.Reader
	id int
}

func (c *client) send(method string, params any, withID bool) int {
	m := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	if withID {
		c.id++
		m["id"] = c.id
	}
	b, _ := json.Marshal(m)
	fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(b), b)
	return c.id
}

func (c *client) read() map[string]any {
	c.t.Helper()
	length := -1
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			length, _ = strconv.Atoi(v)
		}
	}
	body := make([]byte, length)
	io.ReadFull(c.r, body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		c.t.Fatal(err)
	}
	return m
}

// until reads messages until one answers id (or is the named notification).
func (c *client) until(id int, method string) map[string]any {
	c.t.Helper()
	for {
		m := c.read()
		if method != "" && m["method"] == method {
			return m
		}
		if id > 0 && m["id"] == float64(id) {
			return m
		}
	}
}

func TestSession(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "common.inc"), []byte("caps.drop all\n"), 0o644)
	path := filepath.Join(dir, "app.profile")
	uri := uriOf(path)
	text := "include common.inc\nseccomp chrot\ncaps.keep net_raw\nprotocol unix\n"
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &Server{Options: frontend.Options{ConfigPath: "/dev/null"}, Format: func(_ string, b []byte) ([]byte, error) {
		return []byte(strings.ToUpper(string(b))), nil
	}}
	done := make(chan error, 1)
	go func() { done <- s.Serve(inR, outW) }()
	c := &client{t: t, w: inW, r: bufio.NewReader(outR)}

	id := c.send("initialize", map[string]any{"capabilities": map[string]any{}}, true)
	init := c.until(id, "")
	caps := init["result"].(map[string]any)["capabilities"].(map[string]any)
	if caps["hoverProvider"] != true || caps["documentFormattingProvider"] != true || caps["completionProvider"] == nil {
		t.Errorf("capabilities: %v", caps)
	}
	c.send("initialized", map[string]any{}, false)
	c.send("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "firejail", "version": 1, "text": text}}, false)
	diags := c.until(0, "textDocument/publishDiagnostics")["params"].(map[string]any)
	items := diags["diagnostics"].([]any)
	if diags["uri"] != uri || len(items) != 1 {
		t.Fatalf("diagnostics: %v", diags)
	}
	d := items[0].(map[string]any)
	start := d["range"].(map[string]any)["start"].(map[string]any)
	if d["code"] != "unknown-syscall" || start["line"] != float64(1) || start["character"] != float64(8) || !strings.Contains(d["message"].(string), `did you mean "chroot"?`) {
		t.Errorf("diagnostic: %v", d)
	}
	// An edit that fixes it clears the diagnostics.
	c.send("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": strings.Replace(text, "chrot", "chroot", 1)}}}, false)
	if items := c.until(0, "textDocument/publishDiagnostics")["params"].(map[string]any)["diagnostics"].([]any); len(items) != 0 {
		t.Errorf("after the fix: %v", items)
	}
	hover := func(line, char int) string {
		id := c.send("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}, true)
		r := c.until(id, "")["result"]
		if r == nil {
			return ""
		}
		return r.(map[string]any)["contents"].(map[string]any)["value"].(string)
	}
	if h := hover(2, 3); !strings.Contains(h, "**caps.keep**") || !strings.Contains(h, "keep only these capabilities") {
		t.Errorf("hover on keyword: %q", h)
	}
	if h := hover(2, 12); !strings.Contains(h, "capability 13") {
		t.Errorf("hover on net_raw: %q", h)
	}
	if h := hover(1, 10); !strings.Contains(h, "x86_64 161") || !strings.Contains(h, "i386 61") {
		t.Errorf("hover on chroot: %q", h)
	}
	complete := func(line, char int) []string {
		id := c.send("textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}, true)
		var out []string
		for _, it := range c.until(id, "")["result"].([]any) {
			out = append(out, it.(map[string]any)["label"].(string))
		}
		return out
	}
	// "caps.keep net_r|" → net_raw; "prot|" → protocol; "protocol unix|" → unix only
	c.send("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 3},
		"contentChanges": []any{map[string]any{"text": "include common.inc\nseccomp @cl\ncaps.keep net_r\nprot\n"}}}, false)
	c.until(0, "textDocument/publishDiagnostics")
	if got := complete(2, 15); strings.Join(got, ",") != "net_raw" {
		t.Errorf("caps completion: %v", got)
	}
	if got := complete(3, 4); strings.Join(got, ",") != "protocol" {
		t.Errorf("keyword completion: %v", got)
	}
	if got := complete(1, 11); strings.Join(got, ",") != "@clock" {
		t.Errorf("group completion: %v", got)
	}
	id = c.send("textDocument/definition", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 10}}, true)
	if loc := c.until(id, "")["result"]; loc == nil || loc.(map[string]any)["uri"] != uriOf(filepath.Join(dir, "common.inc")) {
		t.Errorf("definition: %v", loc)
	}
	id = c.send("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{}}, true)
	edits := c.until(id, "")["result"].([]any)
	if len(edits) != 1 || !strings.HasPrefix(edits[0].(map[string]any)["newText"].(string), "INCLUDE COMMON.INC") {
		t.Errorf("formatting: %v", edits)
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

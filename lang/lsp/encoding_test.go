package lsp

import (
	"bufio"
	"io"
	"path/filepath"
	"testing"

	"github.com/jailc/jailc/lang/frontend"
)

// TestPositionEncoding: columns go out in UTF-16 units unless the client
// offers utf-8, and positions that come in are read in the same units.
func TestPositionEncoding(t *testing.T) {
	// "blacklist /tmp/😀,x": the comma is at byte 19, UTF-16 unit 17.
	text := "blacklist /tmp/😀,x\ncaps.keep net_raw # é\n"
	for _, c := range []struct {
		offer    []string
		encoding string
		col      float64
	}{
		{nil, "utf-16", 17},
		{[]string{"utf-16"}, "utf-16", 17},
		{[]string{"utf-8", "utf-16"}, "utf-8", 19},
	} {
		dir := t.TempDir()
		uri := uriOf(filepath.Join(dir, "p.profile"))
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		s := &Server{Options: frontend.Options{ConfigPath: "/dev/null"}}
		go s.Serve(inR, outW)
		cl := &client{t: t, w: inW, r: bufio.NewReader(outR)}
		params := map[string]any{"capabilities": map[string]any{}}
		if c.offer != nil {
			params["capabilities"] = map[string]any{"general": map[string]any{"positionEncodings": c.offer}}
		}
		id := cl.send("initialize", params, true)
		caps := cl.until(id, "")["result"].(map[string]any)["capabilities"].(map[string]any)
		if caps["positionEncoding"] != c.encoding {
			t.Errorf("offer %v: encoding %v, want %s", c.offer, caps["positionEncoding"], c.encoding)
		}
		cl.send("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "firejail", "version": 1, "text": text}}, false)
		items := cl.until(0, "textDocument/publishDiagnostics")["params"].(map[string]any)["diagnostics"].([]any)
		found := false
		for _, it := range items {
			d := it.(map[string]any)
			start := d["range"].(map[string]any)["start"].(map[string]any)
			if d["code"] == "invalid-filename" && start["line"] == float64(0) && start["character"] == c.col {
				found = true
			}
		}
		if !found {
			t.Errorf("offer %v: no invalid-filename at column %v: %v", c.offer, c.col, items)
		}
		id = cl.send("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 1, "character": 12}}, true)
		if r := cl.until(id, "")["result"]; r == nil {
			t.Errorf("offer %v: no hover on net_raw", c.offer)
		}
		cl.send("exit", nil, false)
	}
}

func TestColumnConversion(t *testing.T) {
	text := "a\n# 😀é x\n"
	s := &Server{utf16: true}
	// Bytes: "# " 0-1, 😀 2-5, é 6-7, " " 8, x 9. UTF-16: 😀 is 2 units.
	for _, c := range []struct{ bytes, units int }{{0, 0}, {2, 2}, {6, 4}, {8, 5}, {9, 6}, {10, 7}} {
		if got := s.toClient(text, position{1, c.bytes}); got.Character != c.units {
			t.Errorf("toClient(byte %d) = %d, want %d", c.bytes, got.Character, c.units)
		}
		if got := s.fromClient(text, position{1, c.units}); got.Character != c.bytes {
			t.Errorf("fromClient(unit %d) = %d, want %d", c.units, got.Character, c.bytes)
		}
	}
	s.utf16 = false
	if got := s.toClient(text, position{1, 9}); got.Character != 9 {
		t.Errorf("utf-8: %d", got.Character)
	}
}

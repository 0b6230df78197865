// Package lsp is jailc's language server: diagnostics (check, with include
// chains as related information), hover documentation from the directive
// table and the name tables, completion of directives, capabilities,
// syscalls, @groups, protocols, macros and conditionals, go-to-definition on
// include lines, and formatting when a formatter is provided. It speaks
// JSON-RPC 2.0 with LSP's Content-Length framing over stdio; the subset an
// editor needs is small enough that a library would add more than it saves.
package lsp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/frontend"
)

// Server holds the open documents of one editor session.
type Server struct {
	Options frontend.Options
	// Format, when set, formats a file's text (textDocument/formatting).
	Format func(name string, text []byte) ([]byte, error)
	// Lint, when set, adds its findings to the checker's diagnostics and
	// offers their fixes as code actions.
	Lint     Linter
	docs     map[string]string    // URI → text
	findings map[string][]Finding // URI → lint findings last published
	utf16    bool                 // the client counts columns in UTF-16 units
	out      io.Writer
	mu       sync.Mutex
}

type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Serve reads requests from r and writes responses and notifications to w
// until exit or end of input.
func (s *Server) Serve(r io.Reader, w io.Writer) error {
	s.docs = map[string]string{}
	s.findings = map[string][]Finding{}
	s.out = w
	br := bufio.NewReader(r)
	for {
		length := -1
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		if length < 0 || length > 64<<20 {
			return fmt.Errorf("lsp: bad Content-Length")
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			return err
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			s.send(message{JSONRPC: "2.0", Error: &rpcError{-32700, "parse error: " + err.Error()}})
			continue
		}
		if m.Method == "exit" {
			return nil
		}
		s.handle(&m)
	}
}

func (s *Server) send(m message) {
	m.JSONRPC = "2.0"
	b, _ := json.Marshal(m)
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n%s", len(b), b)
}

func (s *Server) reply(m *message, result any) {
	if m.ID == nil {
		return
	}
	if result == nil {
		result = json.RawMessage("null")
	}
	s.send(message{ID: m.ID, Result: result})
}

func (s *Server) fail(m *message, code int, msg string) {
	if m.ID != nil {
		s.send(message{ID: m.ID, Error: &rpcError{code, msg}})
	}
}

type position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

type rng struct {
	Start position `json:"start"`
	End   position `json:"end"`
}

type location struct {
	URI   string `json:"uri"`
	Range rng    `json:"range"`
}

type docParams struct {
	TextDocument struct {
		URI  string `json:"uri"`
		Text string `json:"text"`
	} `json:"textDocument"`
	ContentChanges []struct {
		Text string `json:"text"`
	} `json:"contentChanges"`
	Position position `json:"position"`
	Range    rng      `json:"range"`
}

func (s *Server) handle(m *message) {
	var p docParams
	if len(m.Params) > 0 {
		json.Unmarshal(m.Params, &p)
	}
	uri := p.TextDocument.URI
	if text, ok := s.docs[uri]; ok {
		p.Position = s.fromClient(text, p.Position)
		p.Range = rng{Start: s.fromClient(text, p.Range.Start), End: s.fromClient(text, p.Range.End)}
	}
	switch m.Method {
	case "initialize":
		caps := map[string]any{
			"textDocumentSync":   map[string]any{"openClose": true, "change": 1, "save": map[string]any{"includeText": true}},
			"hoverProvider":      true,
			"definitionProvider": true,
			"completionProvider": map[string]any{"triggerCharacters": []string{" ", ",", "@", "{", "?", "!"}},
		}
		if s.Format != nil {
			caps["documentFormattingProvider"] = true
		}
		if s.Lint != nil {
			caps["codeActionProvider"] = map[string]any{"codeActionKinds": []string{"quickfix"}}
		}
		caps["positionEncoding"] = s.negotiateEncoding(m.Params)
		s.reply(m, map[string]any{"capabilities": caps, "serverInfo": map[string]string{"name": "jailc", "version": "0"}})
	case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
	case "shutdown":
		s.reply(m, nil)
	case "textDocument/didOpen":
		s.docs[uri] = p.TextDocument.Text
		s.publish(uri)
	case "textDocument/didChange":
		if n := len(p.ContentChanges); n > 0 {
			s.docs[uri] = p.ContentChanges[n-1].Text
		}
		s.publish(uri)
	case "textDocument/didSave":
		if p.TextDocument.Text != "" {
			s.docs[uri] = p.TextDocument.Text
		}
		s.publish(uri)
	case "textDocument/didClose":
		delete(s.docs, uri)
		delete(s.findings, uri)
		s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(map[string]any{"uri": uri, "diagnostics": []any{}})})
	case "textDocument/hover":
		if h := s.hover(uri, p.Position); h != "" {
			s.reply(m, map[string]any{"contents": map[string]string{"kind": "markdown", "value": h}})
		} else {
			s.reply(m, nil)
		}
	case "textDocument/completion":
		s.reply(m, s.complete(uri, p.Position))
	case "textDocument/definition":
		if loc := s.definition(uri, p.Position); loc != nil {
			s.reply(m, loc)
		} else {
			s.reply(m, nil)
		}
	case "textDocument/formatting":
		s.formatting(m, uri)
	case "textDocument/codeAction":
		s.reply(m, s.codeActions(uri, p.Range))
	default:
		s.fail(m, -32601, "method not found: "+m.Method)
	}
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// pathOf turns a file:// URI into a path.
func pathOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return uri
	}
	return u.Path
}

func uriOf(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// check runs the front end on the document, with every open buffer as an
// overlay and the document's directory on the include path.
func (s *Server) check(uri string) (*frontend.Session, *check.Result, error) {
	path := pathOf(uri)
	opts := s.Options
	opts.IncludeDirs = append([]string{filepath.Dir(path)}, opts.IncludeDirs...)
	sess, err := frontend.NewSession(opts)
	if err != nil {
		return nil, nil, err
	}
	overlay := map[string][]byte{}
	for u, text := range s.docs {
		overlay[pathOf(u)] = []byte(text)
	}
	sess.Resolve.Overlay = overlay
	return sess, sess.Check(path), nil
}

func (s *Server) publish(uri string) {
	sess, res, err := s.check(uri)
	out := []map[string]any{}
	path := pathOf(uri)
	var mine []Finding
	if err == nil {
		diags := res.Diags
		var found []Finding
		if s.Lint != nil && !diags.HasErrors() {
			found = s.Lint(sess, res)
		}
		// A lint rule may repeat a checker warning (nowhitelist-glob):
		// one of each code at a position.
		seen := map[string]bool{}
		key := func(d diag.Diagnostic) string { return fmt.Sprintf("%s|%s", d.Pos, d.Code) }
		texts := map[string]string{}
		for _, f := range res.Unit.Files {
			texts[f.Src.Name] = string(f.Src.Data)
		}
		textOf := func(file string) string { return texts[file] }
		for _, d := range diags {
			if d.Pos.File != path {
				continue // problems in included files go to those files' own views
			}
			seen[key(d)] = true
			out = append(out, s.diagnosticJSON(d, textOf))
		}
		for _, f := range found {
			if f.Diag.Pos.File != path || seen[key(f.Diag)] {
				continue
			}
			seen[key(f.Diag)] = true
			mine = append(mine, f)
			out = append(out, s.diagnosticJSON(f.Diag, textOf))
		}
	}
	s.findings[uri] = mine
	s.send(message{Method: "textDocument/publishDiagnostics", Params: mustJSON(map[string]any{"uri": uri, "diagnostics": out})})
}

// diagnosticJSON is an LSP Diagnostic; textOf gives the text of the files
// it points into, for the client's column units.
func (s *Server) diagnosticJSON(d diag.Diagnostic, textOf func(file string) string) map[string]any {
	sev := map[diag.Severity]int{diag.Error: 1, diag.Warning: 2, diag.Note: 3}[d.Severity]
	msg := d.Message
	if len(d.Detail) > 0 {
		msg += "\n" + strings.Join(d.Detail, "\n")
	}
	item := map[string]any{
		"range":    s.rangeToClient(textOf(d.Pos.File), toRange(d)),
		"severity": sev,
		"code":     d.Code,
		"source":   "jailc",
		"message":  msg,
	}
	var related []map[string]any
	for _, r := range d.Related {
		related = append(related, map[string]any{
			"location": location{URI: uriOf(r.Pos.File), Range: s.rangeToClient(textOf(r.Pos.File), rng{Start: position{r.Pos.Line - 1, r.Pos.Col - 1}, End: position{r.Pos.Line - 1, r.Pos.Col - 1}})},
			"message":  r.Message,
		})
	}
	if related != nil {
		item["relatedInformation"] = related
	}
	return item
}

func (s *Server) rangeToClient(text string, r rng) rng {
	return rng{Start: s.toClient(text, r.Start), End: s.toClient(text, r.End)}
}

// toRange is a diagnostic's range in byte columns.
func toRange(d diag.Diagnostic) rng {
	start := position{max(d.Pos.Line-1, 0), max(d.Pos.Col-1, 0)}
	end := start
	if d.End.Line > 0 {
		end = position{d.End.Line - 1, d.End.Col - 1}
	}
	return rng{Start: start, End: end}
}

func (s *Server) formatting(m *message, uri string) {
	text, ok := s.docs[uri]
	if !ok {
		s.fail(m, -32602, "document is not open")
		return
	}
	out, err := s.Format(pathOf(uri), []byte(text))
	if err != nil {
		s.fail(m, -32603, err.Error())
		return
	}
	lines := strings.Count(text, "\n") + 1
	s.reply(m, []map[string]any{{"range": rng{End: position{lines, 0}}, "newText": string(out)}})
}

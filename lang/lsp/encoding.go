package lsp

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Position encoding. jailc counts columns in bytes. LSP clients count
// UTF-16 code units unless they offer "utf-8" in
// capabilities.general.positionEncodings (LSP 3.17), which the server then
// picks. Positions are converted at the boundary: requests are turned into
// byte columns as they arrive, results into the client's units as they
// leave.

// negotiateEncoding reads the client's offer from initialize's params and
// returns the encoding the server will use.
func (s *Server) negotiateEncoding(params json.RawMessage) string {
	var p struct {
		Capabilities struct {
			General struct {
				PositionEncodings []string `json:"positionEncodings"`
			} `json:"general"`
		} `json:"capabilities"`
	}
	json.Unmarshal(params, &p)
	s.utf16 = true
	for _, e := range p.Capabilities.General.PositionEncodings {
		if e == "utf-8" {
			s.utf16 = false
			return "utf-8"
		}
	}
	return "utf-16"
}

// lineAt returns line n (0-based) of text, without its newline.
func lineAt(text string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return ""
		}
		text = text[i+1:]
	}
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	return text
}

// toClient turns a byte column of text's line into the client's units.
func (s *Server) toClient(text string, p position) position {
	if !s.utf16 {
		return p
	}
	line := lineAt(text, p.Line)
	b := min(p.Character, len(line))
	units := 0
	for _, r := range line[:b] {
		units += utf16Len(r)
	}
	return position{Line: p.Line, Character: units + (p.Character - b)}
}

// fromClient turns a column in the client's units into a byte column.
func (s *Server) fromClient(text string, p position) position {
	if !s.utf16 {
		return p
	}
	line := lineAt(text, p.Line)
	units, b := 0, 0
	for b < len(line) && units < p.Character {
		r, n := utf8.DecodeRuneInString(line[b:])
		units += utf16Len(r)
		b += n
	}
	return position{Line: p.Line, Character: b}
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

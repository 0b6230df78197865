package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText prints diagnostics in the form compilers use and editors parse:
//
//	file:line:col: severity: message [code]
//	    detail line
//	    included from file:line:col
func WriteText(w io.Writer, l List) error {
	var b strings.Builder
	for _, d := range l {
		fmt.Fprintf(&b, "%s\n", d)
		for _, s := range d.Detail {
			fmt.Fprintf(&b, "    %s\n", s)
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "    %s %s\n", r.Message, r.Pos)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonPos is a position in JSON output: 1-based line and byte column.
type jsonPos struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type jsonRelated struct {
	jsonPos
	Message string `json:"message"`
}

type jsonDiag struct {
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	End      jsonPos       `json:"end"`
	Severity string        `json:"severity"`
	Code     string        `json:"code"`
	Message  string        `json:"message"`
	Detail   []string      `json:"detail"`
	Related  []jsonRelated `json:"related"`
	Firejail bool          `json:"firejail_rejects"`
}

// WriteJSON prints one JSON object per diagnostic, one per line (JSON Lines).
func WriteJSON(w io.Writer, l List) error {
	enc := json.NewEncoder(w)
	for _, d := range l {
		j := jsonDiag{
			File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col,
			End:      jsonPos{Line: d.End.Line, Column: d.End.Col},
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message,
			Detail: d.Detail, Related: []jsonRelated{}, Firejail: d.Firejail,
		}
		if j.Detail == nil {
			j.Detail = []string{}
		}
		for _, r := range d.Related {
			j.Related = append(j.Related, jsonRelated{jsonPos{r.Pos.File, r.Pos.Line, r.Pos.Col}, r.Message})
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

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

// WriteJSON prints one JSON object per diagnostic, one per line.
func WriteJSON(w io.Writer, l List) error {
	enc := json.NewEncoder(w)
	for _, d := range l {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	return nil
}

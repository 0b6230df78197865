package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
)

// Markers for the kinds in text output.
var markers = map[Kind]string{Loosen: "+", Tighten: "-", Changed: "~"}

const (
	maxItems   = 16 // members listed per entry in text output
	maxOrigins = 6  // origins listed per side in text output
)

func originText(o plan.Origin) string {
	switch {
	case o.File == "" && o.Text != "":
		return o.Text
	case o.Text != "":
		return fmt.Sprintf("%s  (%s)", o.Text, o)
	}
	return o.String()
}

// WriteText prints the report for people, grouped by area: one entry per
// difference, marked + (NEW permits more), - (NEW permits less) or ~
// (changed), then each side's state and the rules behind it.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- old: %s\n+++ new: %s\n", r.Old, r.New)
	area := ""
	for _, c := range r.Changes {
		if c.Area != area {
			area = c.Area
			fmt.Fprintf(&b, "\n[%s]\n", area)
		}
		head := c.Subject
		if c.Aspect != "" && c.Aspect != "view" {
			head += " (" + c.Aspect + ")"
		}
		fmt.Fprintf(&b, "%s %s: %s -> %s\n", markers[c.Kind], head, c.Old.State, c.New.State)
		if len(c.Items) > 0 {
			label := "items"
			switch {
			case c.Area == "filesystem" && c.Subject != "" && strings.HasPrefix(c.Subject, "${PATH}"):
				label = "paths"
			case c.Area == "filesystem":
				label = "also"
			case c.Area == "seccomp" && c.Aspect == "syscalls":
				label = "calls"
			}
			items := c.Items
			more := ""
			if len(items) > maxItems {
				more = fmt.Sprintf(" ... (%d more)", len(items)-maxItems)
				items = items[:maxItems]
			}
			fmt.Fprintf(&b, "    %-5s %s%s\n", label, strings.Join(items, ", "), more)
		}
		for _, s := range []struct {
			name string
			side Side
		}{{"old", c.Old}, {"new", c.New}} {
			lines := []string{}
			if s.side.Detail != "" {
				lines = append(lines, s.side.Detail)
			}
			for i, o := range s.side.Origins {
				if i == maxOrigins {
					lines = append(lines, fmt.Sprintf("... (%d more)", len(s.side.Origins)-maxOrigins))
					break
				}
				lines = append(lines, originText(o))
			}
			if len(lines) == 0 {
				lines = append(lines, "(no rule)")
			}
			for i, l := range lines {
				label := ""
				if i == 0 {
					label = s.name
				}
				fmt.Fprintf(&b, "    %-5s %s\n", label, l)
			}
		}
	}
	if len(r.Changes) == 0 {
		b.WriteString("\nno differences\n")
	} else {
		fmt.Fprintf(&b, "\n%d loosen, %d tighten, %d change\n", r.Summary.Loosen, r.Summary.Tighten, r.Summary.Change)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON:
//
//	{"version": 1, "old": PROFILE, "new": PROFILE,
//	 "summary": {"loosen": N, "tighten": N, "change": N},
//	 "changes": [{"kind": "loosen"|"tighten"|"change", "area": AREA,
//	              "subject": S, "aspect": A?, "items": [..]?,
//	              "old": SIDE, "new": SIDE}, ...]}
//
// where SIDE is {"state": S, "detail": D?, "origins": [plan.Origin]?}.
// Changes are sorted by area (filesystem, seccomp, protocol, capabilities,
// credentials, namespaces, network, environment, resources, dbus, x11,
// other, context, notes), then subject, aspect and kind.
func WriteJSON(w io.Writer, r *Report) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

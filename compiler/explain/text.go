package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
)

func (g *Group) program() string {
	r := g.First
	switch {
	case r.Comm != "" && r.Exe != "":
		return fmt.Sprintf("%s (%s)", r.Comm, r.Exe)
	case r.Exe != "":
		return r.Exe
	case r.Comm != "":
		return r.Comm
	}
	return "an unnamed program"
}

// CallText names the call: "clone (x86_64 syscall 56)".
func (g *Group) CallText() string {
	c, r := g.Call, g.First
	switch {
	case c.Arch == nil && r.SyscallName != "":
		return fmt.Sprintf("%s (%s)", r.SyscallName, g.Arch)
	case c.Arch == nil:
		return fmt.Sprintf("syscall %d (%s)", r.Syscall, g.Arch)
	case c.X32 && c.Name != "":
		return fmt.Sprintf("%s (x32 syscall %#x, x86_64 number %d)", c.Name, r.Syscall, c.Nr)
	case c.Name == "" && c.Nr < 0:
		return fmt.Sprintf("%s (%s: jailc's table has no such syscall)", r.SyscallName, c.Arch.Name)
	case c.Name == "":
		return fmt.Sprintf("syscall %d (%s: not in jailc's table)", c.Nr, c.Arch.Name)
	}
	return fmt.Sprintf("%s (%s syscall %d)", c.Name, c.Arch.Name, c.Nr)
}

func lines(g *Group) string {
	if g.FirstLine == g.LastLine {
		return fmt.Sprintf("line %d", g.FirstLine)
	}
	return fmt.Sprintf("lines %d-%d", g.FirstLine, g.LastLine)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// WriteText writes one group's explanation.
func WriteText(w io.Writer, g *Group) error {
	var b strings.Builder
	r := g.First
	fmt.Fprintf(&b, "%s: %s, %s, %s (%s)\n", g.program(), g.CallText(), g.Action.Kind, times(g.Count), lines(g))
	if len(g.PIDs) > 0 {
		ps := make([]string, len(g.PIDs))
		for i, p := range g.PIDs {
			ps[i] = fmt.Sprint(p)
		}
		more := ""
		if len(g.PIDs) == MaxPIDs {
			more = ", ..."
		}
		fmt.Fprintf(&b, "  pid: %s%s\n", strings.Join(ps, ", "), more)
	}
	var raw []string
	if r.ArchName == "" {
		raw = append(raw, fmt.Sprintf("arch=%08x", r.Arch))
	} else {
		raw = append(raw, "arch="+r.ArchName)
	}
	if r.Compat >= 0 {
		raw = append(raw, fmt.Sprintf("compat=%d", r.Compat))
	}
	if r.HasCode {
		raw = append(raw, fmt.Sprintf("code=%#x", r.Code))
	} else if r.CodeName != "" {
		raw = append(raw, "code="+r.CodeName)
	}
	if s := signalText(r.Sig); s != "" {
		raw = append(raw, "sig="+s)
	}
	fmt.Fprintf(&b, "  record: %s\n", strings.Join(raw, " "))
	if g.Call.Compat32 {
		fmt.Fprintf(&b, "  arch: compat=1 marks an i386 or x32 call, and the number lacks the x32 bit, so it is read as an i386 number despite arch=c000003e\n")
	}
	fmt.Fprintf(&b, "  action: %s: %s\n", g.Action.Kind, g.Action.Meaning)
	if v := g.Verdict; v != nil {
		if v.Why != "" {
			fmt.Fprintf(&b, "  why: %s", indent(v.Why, "    "))
		} else {
			fmt.Fprintf(&b, "  plan: %s\n", v.PlanAction)
		}
		if v.Rule != nil && v.Rule.File != "" {
			fmt.Fprintf(&b, "  rule: %s at %s\n", quoted(*v.Rule), at(*v.Rule))
		}
		if f := v.Fix; f != nil {
			switch {
			case f.Replace != nil && len(f.Add) == 0:
				fmt.Fprintf(&b, "  fix: delete line %d of %s: %s\n", f.Replace.Line, f.Replace.File, quoted(*f.Replace))
			case f.Replace != nil:
				fmt.Fprintf(&b, "  fix: in %s, replace line %d (%s) with:\n", f.Replace.File, f.Replace.Line, quoted(*f.Replace))
			default:
				fmt.Fprintf(&b, "  fix: add to %s:\n", f.File)
			}
			for _, l := range f.Add {
				fmt.Fprintf(&b, "      %s\n", l)
			}
			if f.Reason != "" {
				fmt.Fprintf(&b, "    because %s\n", f.Reason)
			}
		} else if v.Cause != CauseAllowed && v.Cause != CauseAlwaysAllowed && v.Cause != CauseNoFilter {
			fmt.Fprintf(&b, "  fix: none from this profile\n")
		}
		for _, n := range v.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(s, pre string) string {
	s = strings.TrimRight(s, "\n")
	return strings.ReplaceAll(s, "\n", "\n"+pre) + "\n"
}

// WriteUpdate writes the one-line notice that a known group grew (--follow).
func WriteUpdate(w io.Writer, g *Group) error {
	pid := ""
	if g.First.PID >= 0 && len(g.PIDs) > 0 {
		pid = fmt.Sprintf(", last pid %d", g.PIDs[len(g.PIDs)-1])
	}
	_, err := fmt.Fprintf(w, "again: %s: %s, %s, now %s (line %d%s)\n", g.program(), g.CallText(), g.Action.Kind, times(g.Count), g.LastLine, pid)
	return err
}

// WriteSummary writes the closing line of a whole input.
func WriteSummary(w io.Writer, s *Session) error {
	if s.Records == 0 {
		_, err := fmt.Fprintf(w, "no seccomp records found (%d other lines, %d malformed)\n", s.Other, len(s.Malformed))
		return err
	}
	_, err := fmt.Fprintf(w, "%d seccomp records in %d groups; %d other lines, %d malformed\n", s.Records, len(s.groups), s.Other, len(s.Malformed))
	return err
}

// GroupJSON is the JSON form of a group.
type GroupJSON struct {
	Program  ProgramJSON  `json:"program"`
	Arch     string       `json:"arch"`
	Audit    string       `json:"audit_arch,omitempty"`
	Syscall  string       `json:"syscall"`
	Nr       int          `json:"nr"`
	X32      bool         `json:"x32,omitempty"`
	Compat   int          `json:"compat"`
	Action   ActionJSON   `json:"action"`
	Count    int          `json:"count"`
	First    int          `json:"first_line"`
	Last     int          `json:"last_line"`
	Form     Form         `json:"form"`
	Verdict  *VerdictJSON `json:"verdict,omitempty"`
	CallText string       `json:"call"`
}

// ProgramJSON names the program.
type ProgramJSON struct {
	Comm string `json:"comm"`
	Exe  string `json:"exe"`
	PIDs []int  `json:"pids"`
}

// ActionJSON is the recorded action.
type ActionJSON struct {
	Kind    string `json:"kind"`
	Code    string `json:"code,omitempty"`
	Sig     int    `json:"sig"`
	Errno   string `json:"errno,omitempty"`
	Meaning string `json:"meaning"`
}

// VerdictJSON is the plan's side.
type VerdictJSON struct {
	PlanAction string       `json:"plan_action"`
	Cause      string       `json:"cause"`
	Why        string       `json:"why,omitempty"`
	Rule       *plan.Origin `json:"rule,omitempty"`
	Fix        *FixJSON     `json:"fix,omitempty"`
	Notes      []string     `json:"notes"`
}

// FixJSON is a fix.
type FixJSON struct {
	File    string       `json:"file"`
	Add     []string     `json:"add"`
	Replace *plan.Origin `json:"replace,omitempty"`
	Reason  string       `json:"reason"`
}

// JSON returns the group's JSON form.
func (g *Group) JSON() GroupJSON {
	r := g.First
	out := GroupJSON{
		Program:  ProgramJSON{Comm: r.Comm, Exe: r.Exe, PIDs: append([]int{}, g.PIDs...)},
		Arch:     g.Arch,
		Syscall:  g.Call.Name,
		Nr:       g.Call.Nr,
		X32:      g.Call.X32,
		Compat:   r.Compat,
		Count:    g.Count,
		First:    g.FirstLine,
		Last:     g.LastLine,
		Form:     r.Form,
		CallText: g.CallText(),
		Action:   ActionJSON{Kind: g.Action.Kind, Sig: r.Sig, Meaning: g.Action.Meaning},
	}
	if g.Call.Arch != nil {
		out.Arch = g.Call.Arch.Name
		out.Audit = fmt.Sprintf("%08x", g.Call.Arch.AuditArch)
	} else if r.ArchName == "" {
		out.Audit = fmt.Sprintf("%08x", r.Arch)
	}
	if out.Syscall == "" {
		out.Syscall = r.SyscallName
	}
	if r.HasCode {
		out.Action.Code = fmt.Sprintf("%#x", r.Code)
	}
	if g.Action.Errno >= 0 {
		out.Action.Errno = errnoText(g.Action.Errno)
	}
	if v := g.Verdict; v != nil {
		vj := &VerdictJSON{PlanAction: v.PlanAction, Cause: v.Cause, Why: v.Why, Rule: v.Rule, Notes: append([]string{}, v.Notes...)}
		if f := v.Fix; f != nil {
			vj.Fix = &FixJSON{File: f.File, Add: append([]string{}, f.Add...), Replace: f.Replace, Reason: f.Reason}
		}
		out.Verdict = vj
	}
	return out
}

// ReportJSON is the JSON document for a whole input.
type ReportJSON struct {
	Groups    []GroupJSON     `json:"groups"`
	Records   int             `json:"records"`
	Other     int             `json:"other_lines"`
	Malformed []MalformedJSON `json:"malformed"`
}

// MalformedJSON is a malformed line.
type MalformedJSON struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// WriteJSON writes the whole session as one JSON document.
func WriteJSON(w io.Writer, s *Session) error {
	rep := ReportJSON{Groups: []GroupJSON{}, Records: s.Records, Other: s.Other, Malformed: []MalformedJSON{}}
	for _, g := range s.groups {
		rep.Groups = append(rep.Groups, g.JSON())
	}
	for _, m := range s.Malformed {
		rep.Malformed = append(rep.Malformed, MalformedJSON{Line: m.Line, Error: m.Err.Error()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

package explain

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Group is the records of one program making one call with one outcome:
// same executable, architecture, syscall number and action.
type Group struct {
	First     *Record
	Call      Call
	Action    Action
	Arch      string // ArchText of the first record
	Verdict   *Verdict
	Count     int
	FirstLine int
	LastLine  int
	PIDs      []int // distinct, in order of appearance, at most MaxPIDs
}

// MaxPIDs bounds the process ids a group remembers.
const MaxPIDs = 16

// Malformed is a line that holds a seccomp record jailc cannot read.
type Malformed struct {
	Line int
	Err  error
}

func (m Malformed) Error() string { return fmt.Sprintf("line %d: %v", m.Line, m.Err) }

// Session groups the records of one input, in the order they appear.
type Session struct {
	ex        *Explainer
	groups    []*Group
	index     map[string]*Group
	Records   int // records read
	Other     int // lines without a record
	Malformed []Malformed
}

// NewSession starts grouping records against ex (which may have no plan).
func NewSession(ex *Explainer) *Session {
	return &Session{ex: ex, index: map[string]*Group{}}
}

// MaxLine is the longest line read; the kernel's audit records are far
// shorter (MAX_AUDIT_MESSAGE_LENGTH is 8970 bytes).
const MaxLine = 64 << 10

// errTooLong marks a line cut at MaxLine.
var errTooLong = fmt.Errorf("line longer than %d bytes", MaxLine)

// Add reads line n. It returns the group the record joined and whether the
// group is new; nil for a line without a record; a Malformed error for a
// record it cannot read (also kept in s.Malformed).
func (s *Session) Add(n int, line string) (*Group, bool, error) {
	r, err := ParseLine(line)
	if errors.Is(err, ErrNotRecord) {
		s.Other++
		return nil, false, nil
	}
	if err != nil {
		m := Malformed{Line: n, Err: err}
		s.Malformed = append(s.Malformed, m)
		return nil, false, m
	}
	s.Records++
	c, a := CallOf(r), ActionOf(r)
	prog := r.Exe
	if prog == "" {
		prog = "comm:" + r.Comm
	}
	key := fmt.Sprintf("%s\x00%08x\x00%s\x00%d\x00%s\x00%s", prog, r.Arch, r.ArchName, r.Syscall, r.SyscallName, a.Kind)
	g := s.index[key]
	isNew := g == nil
	if isNew {
		g = &Group{First: r, Call: c, Action: a, Arch: ArchText(r), FirstLine: n}
		g.Verdict = s.ex.Explain(r, c, a)
		s.index[key] = g
		s.groups = append(s.groups, g)
	}
	g.Count++
	g.LastLine = n
	if r.PID >= 0 && len(g.PIDs) < MaxPIDs {
		seen := false
		for _, p := range g.PIDs {
			seen = seen || p == r.PID
		}
		if !seen {
			g.PIDs = append(g.PIDs, r.PID)
		}
	}
	return g, isNew, nil
}

// Groups returns the groups in order of first appearance.
func (s *Session) Groups() []*Group { return s.groups }

// ReadLines calls fn for each line of r, numbered from 1, as soon as it is
// complete (so a pipe is followed as it is written). A line longer than
// MaxLine is passed as its first MaxLine bytes with tooLong set; the rest is
// skipped. It returns r's first error other than io.EOF, or fn's.
func ReadLines(r io.Reader, fn func(n int, line string, tooLong bool) error) error {
	br := bufio.NewReaderSize(r, MaxLine)
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 || err == nil || errors.Is(err, bufio.ErrBufferFull) {
			n++
			line := string(chunk)
			tooLong := false
			if errors.Is(err, bufio.ErrBufferFull) {
				tooLong = true
				for errors.Is(err, bufio.ErrBufferFull) {
					_, err = br.ReadSlice('\n')
				}
			}
			if ferr := fn(n, line, tooLong); ferr != nil {
				return ferr
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, bufio.ErrBufferFull):
		default:
			return err
		}
	}
}

// AddLine is Add for ReadLines: an over-long line holding a record is
// malformed; other over-long lines are skipped.
func (s *Session) AddLine(n int, line string, tooLong bool) (*Group, bool, error) {
	if tooLong {
		if _, err := ParseLine(line); errors.Is(err, ErrNotRecord) {
			s.Other++
			return nil, false, nil
		}
		m := Malformed{Line: n, Err: errTooLong}
		s.Malformed = append(s.Malformed, m)
		return nil, false, m
	}
	return s.Add(n, line)
}

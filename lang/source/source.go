// Package source holds the bytes of profile files and turns byte offsets into
// file:line:column positions. It is the bottom of the pipeline: every later
// phase (parse, resolve, check, compiler) refers to text through offsets into a
// *File, and only turns them into line and column when a diagnostic is printed.
package source

import (
	"fmt"
	"sort"
)

// File is one file's contents and its line table. Lines are physical lines:
// they end at '\n' only, which is how Firejail's fgets counts them.
type File struct {
	Name  string // as given by the user or as found on the include path
	Data  []byte
	lines []int // offset of the first byte of each line
}

// NewFile builds the line table for data.
func NewFile(name string, data []byte) *File {
	f := &File{Name: name, Data: data, lines: []int{0}}
	for i, b := range data {
		if b == '\n' && i+1 < len(data) {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// LineCount is the number of physical lines (a final line without '\n' counts).
func (f *File) LineCount() int {
	if len(f.Data) == 0 {
		return 0
	}
	return len(f.lines)
}

// LineStart returns the offset of the first byte of 1-based line n.
func (f *File) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	if n > len(f.lines) {
		return len(f.Data)
	}
	return f.lines[n-1]
}

// Pos is a resolved position. Line and Col are 1-based; Col counts bytes.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Col    int    `json:"column"`
	Offset int    `json:"offset"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" }

// Position converts a byte offset (clamped to the file) to a Pos.
func (f *File) Position(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(f.Data) {
		off = len(f.Data)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return Pos{File: f.Name, Line: i + 1, Col: off - f.lines[i] + 1, Offset: off}
}

// Span is a half-open byte range [Start, End) in one file.
type Span struct {
	File       *File
	Start, End int
}

// Pos and EndPos resolve the span's two ends.
func (s Span) Pos() Pos {
	if s.File == nil {
		return Pos{}
	}
	return s.File.Position(s.Start)
}

func (s Span) EndPos() Pos {
	if s.File == nil {
		return Pos{}
	}
	return s.File.Position(s.End)
}

// Text returns the bytes the span covers.
func (s Span) Text() string {
	if s.File == nil || s.Start < 0 || s.End > len(s.File.Data) || s.Start > s.End {
		return ""
	}
	return string(s.File.Data[s.Start:s.End])
}

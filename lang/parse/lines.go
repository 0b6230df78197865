package parse

import (
	"github.com/jailc/jailc/lang/source"
)

// PieceSize is the most bytes Firejail's line buffer takes in one read
// (fgets into char[8192]). A longer physical line is read as several pieces
// and each piece is handled as a separate line.
const PieceSize = 8191

// Piece is one read of Firejail's line buffer after its normalisation:
// comment removed, leading blanks skipped, cut at CR, LF or NUL, each run of
// blanks collapsed to one space and a trailing space removed.
type Piece struct {
	Line  int    // physical line (1-based)
	Index int    // 0 for the first piece of a physical line, 1.. for the rest
	Start int    // file offset of the piece's first byte
	End   int    // file offset just past the piece (including its '\n')
	Text  string // the normalised text; "" when Firejail skips the piece
	// offs[i] is the file offset of Text[i]; offs[len(Text)] is the offset
	// just past the last byte of the normalised content.
	offs []int
	// Facts about the raw bytes, reported by the parser.
	NUL      int // file offset of the first NUL in the piece, or -1
	CR       int // file offset of a CR that cut content short, or -1
	HasRaw   bool
	Comment  int // file offset of '#', or -1
	Trailing bool
}

// Offset maps an index into Text (0..len(Text)) to a file offset.
func (p *Piece) Offset(i int) int {
	if len(p.offs) == 0 {
		return p.Start
	}
	if i < 0 {
		i = 0
	}
	if i >= len(p.offs) {
		i = len(p.offs) - 1
	}
	return p.offs[i]
}

// Pieces splits a file into the pieces Firejail reads, in order.
func Pieces(f *source.File) []Piece {
	data := f.Data
	var out []Piece
	line, idx := 1, 0
	for start := 0; start < len(data); {
		end := start
		for end < len(data) && end-start < PieceSize {
			end++
			if data[end-1] == '\n' {
				break
			}
		}
		p := normalise(data, start, end)
		p.Line, p.Index = line, idx
		out = append(out, p)
		if data[end-1] == '\n' {
			line++
			idx = 0
		} else {
			idx++
		}
		start = end
	}
	return out
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' }

// normalise applies Firejail's per-line processing to data[start:end].
func normalise(data []byte, start, end int) Piece {
	p := Piece{Start: start, End: end, NUL: -1, CR: -1, Comment: -1}
	// C string semantics: the line ends at the first NUL.
	stop := end
	for i := start; i < end; i++ {
		if data[i] == 0 {
			p.NUL, stop = i, i
			break
		}
	}
	// Everything from the first '#' is removed.
	for i := start; i < stop; i++ {
		if data[i] == '#' {
			p.Comment, stop = i, i
			break
		}
	}
	// Skip leading blanks; copy until LF or CR; collapse blank runs.
	i := start
	for i < stop && isBlank(data[i]) {
		i++
	}
	text := make([]byte, 0, stop-i)
	offs := make([]int, 0, stop-i+1)
	pendingSpace := -1
	for ; i < stop; i++ {
		c := data[i]
		if c == '\n' {
			break
		}
		if c == '\r' {
			// Firejail drops everything after a CR; a CR right before the
			// LF (CRLF files) loses nothing.
			rest := i + 1
			if rest < stop && data[rest] != '\n' {
				p.CR = i
			}
			break
		}
		if isBlank(c) {
			if pendingSpace < 0 {
				pendingSpace = i
			}
			continue
		}
		if pendingSpace >= 0 {
			text = append(text, ' ')
			offs = append(offs, pendingSpace)
			pendingSpace = -1
		}
		text = append(text, c)
		offs = append(offs, i)
	}
	p.Trailing = pendingSpace >= 0
	if len(text) > 0 {
		offs = append(offs, offs[len(offs)-1]+1)
	}
	p.Text, p.offs = string(text), offs
	p.HasRaw = i > start
	return p
}

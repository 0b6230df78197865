package format

import (
	"strings"
)

// sectionBreak reports whether a blank line goes between two consecutive
// lines because the second starts a later template section. Sections the
// template writes as one paragraph (nowhitelists, mkdirs, whitelists and
// whitelist includes) stay together; a paragraph the formatter left
// intact (same lines, same order) is the author's and is not cut; a
// cohesive paragraph is never cut.
func sectionBreak(a, b *item, intact map[*para]bool) bool {
	switch {
	case a.eff == rNone || b.eff == rNone || paragraph(a.eff) >= paragraph(b.eff):
		return false
	case a.para == b.para && a.cohesive && b.cohesive:
		return false
	case b.idx == a.idx+1 && intact[a.para] && intact[b.para]:
		return false
	}
	return true
}

// intactParas reports the paragraphs whose lines come out together and in
// their input order.
func intactParas(out []*item) map[*para]bool {
	intact := map[*para]bool{}
	seen := map[*para]bool{}
	for i, it := range out {
		pa := it.para
		switch {
		case !seen[pa]:
			seen[pa] = true
			intact[pa] = true
		case out[i-1].para != pa || out[i-1].idx+1 != it.idx:
			intact[pa] = false
		}
	}
	return intact
}

func paragraph(r int) int {
	switch r {
	case rNowhitelist, rMkdir, rWhitelist, rWhitelistInc:
		return rWhitelist
	}
	return r
}

type printer struct {
	b       strings.Builder
	pending bool // a blank line is due before the next line
	started bool
	changes []Change
	blanks  map[int]int
}

func (p *printer) blank() { p.pending = true }

// text prints a line that came from input line n.
func (p *printer) text(s string, n int) {
	got := 0
	if p.pending && p.started {
		p.b.WriteByte('\n')
		got = 1
	}
	p.pending, p.started = false, true
	p.b.WriteString(s)
	p.b.WriteByte('\n')
	if got != p.blanks[n] {
		p.change(n, KindBlankLines)
	}
}

func (p *printer) change(n int, k Kind) { p.changes = append(p.changes, Change{Line: n, Kind: k}) }

func (p *printer) comment(c cline) {
	if c.raw != c.text {
		p.change(c.n, KindComment)
	}
	p.text(c.text, c.n)
}

// blocks prints comment blocks one blank line apart.
func (p *printer) blocks(bs []block) {
	for i, b := range bs {
		if i > 0 {
			p.blank()
		}
		for _, c := range b.lines {
			p.comment(c)
		}
	}
}

func print(d *doc, src []byte) ([]byte, []Change) {
	p := &printer{blanks: d.blanks}
	for _, n := range d.crlf {
		p.change(n, KindLineEnding)
	}
	for _, n := range d.blankWS {
		p.change(n, KindWhitespace)
	}
	if !d.finalNL && d.lastLine > 0 {
		p.change(d.lastLine, KindFinalNewline)
	}
	if d.tailBlanks > 0 {
		p.change(d.lastLine, KindBlankLines)
	}
	p.blocks(d.header)
	if len(d.header) > 0 {
		p.blank()
	}
	moved := movedItems(d.out)
	intact := intactParas(d.out)
	last := map[*para]int{}
	for i, it := range d.out {
		last[it.para] = i
	}
	printed := map[*para]bool{}
	for i, it := range d.out {
		pa := it.para
		first := !printed[pa]
		printed[pa] = true
		if i > 0 {
			prev := d.out[i-1]
			switch {
			case sectionBreak(prev, it, intact):
				p.blank()
			case prev.para == pa:
			case !first, pa.blank, len(pa.heading) != 1, it.idx != prev.idx+1:
				// A paragraph boundary stays visible: a blank line, or
				// the heading comment that opens it where the author put
				// it (a heading of several blocks needs the blank line
				// too, or its first block would read as the note below
				// the line above).
				p.blank()
			}
		}
		if first {
			p.blocks(pa.heading)
			if n := len(pa.heading); n > 0 && pa.heading[n-1].after > 0 {
				p.blank()
			}
		}
		p.item(it)
		if moved[it.idx] {
			p.change(it.n, KindLineOrder)
		}
		if last[pa] == i && pa.trailer != nil {
			for _, c := range pa.trailer.lines {
				p.comment(c)
			}
			p.blank()
		}
	}
	if len(d.footer) > 0 {
		p.blank()
		p.blocks(d.footer)
	}
	return []byte(p.b.String()), p.changes
}

// item prints one command line and records how it differs from the input.
func (p *printer) item(it *item) {
	if it.pseudo {
		p.comment(cline{n: it.n, text: it.text, raw: it.raw})
		return
	}
	line := it.text
	if it.inline != "" {
		line += " " + it.inline
	}
	p.text(line, it.n)
	raw := it.raw
	cmdRaw := raw
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		cmdRaw = raw[:i]
		if strings.TrimRight(raw[i:], " \t") != it.inline || (cmdRaw != strings.TrimRight(cmdRaw, " \t")+" ") {
			p.change(it.n, KindComment)
		}
		cmdRaw = strings.TrimRight(cmdRaw, " \t")
	}
	if cmdRaw != it.line.Text {
		p.change(it.n, KindWhitespace)
	}
	if it.condText {
		p.change(it.n, KindConditional)
	}
	if it.listSort {
		p.change(it.n, KindListOrder)
	}
}

// movedItems marks the items outside a longest run that kept its input
// order: the lines a reader sees move.
func movedItems(out []*item) map[int]bool {
	n := len(out)
	// Longest increasing subsequence of input positions, O(n log n).
	var tails []int // index into out of the smallest tail for each length
	prev := make([]int, n)
	for i, it := range out {
		lo, hi := 0, len(tails)
		for lo < hi {
			m := (lo + hi) / 2
			if out[tails[m]].idx < it.idx {
				lo = m + 1
			} else {
				hi = m
			}
		}
		prev[i] = -1
		if lo > 0 {
			prev[i] = tails[lo-1]
		}
		if lo == len(tails) {
			tails = append(tails, i)
		} else {
			tails[lo] = i
		}
	}
	keep := map[int]bool{}
	if len(tails) > 0 {
		for i := tails[len(tails)-1]; i >= 0; i = prev[i] {
			keep[out[i].idx] = true
		}
	}
	moved := map[int]bool{}
	for _, it := range out {
		if !keep[it.idx] {
			moved[it.idx] = true
		}
	}
	return moved
}

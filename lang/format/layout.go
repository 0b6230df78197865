package format

import (
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/directive"
)

// A file is laid out as a header (the comment blocks above the first
// command that are separated from it by a blank line), items grouped in
// paragraphs, and a footer (comment blocks after the last command that are
// separated from it by a blank line).
//
// A paragraph is what the author wrote together: lines between blank lines
// or comment headings. Its heading is the comment blocks above its first
// line; its trailer a comment block right under its last line that is
// followed by a blank line (often a commented-out alternative). A comment
// block made only of commented-out commands (`#private-dev`, the
// template's convention) that touches a paragraph is part of it: each of
// its lines is a pseudo-item sorted with the real lines. Inline comments
// stay on their line.
type doc struct {
	header     []block
	items      []*item
	paras      []*para
	footer     []block
	tailBlanks int // blank lines at the end of the file
	finalNL    bool
	crlf       []int // input lines ending in CRLF
	blankWS    []int // blank input lines holding spaces or tabs
	lastLine   int
	// blanks[n] is the number of blank lines right above input line n.
	blanks map[int]int
	out    []*item // output order, set by order
}

// para is a paragraph. Lines are sorted within their paragraph; its heading
// stays above its first line and its trailer below its last, wherever those
// end up.
type para struct {
	idx     int
	heading []block
	blank   bool   // a blank line separated it from what came before
	trailer *block // comment block after its last line, followed by a blank line
	pseudo  bool   // holds commented-out commands
	// pinned: the paragraph of the first command when a comment block
	// sits on it; the paragraph stays first, sorted within.
	pinned bool
}

// headed: the paragraph's heading comment sits right on top of it (and
// describes it).
func (p *para) headed() bool {
	n := len(p.heading)
	return n > 0 && p.heading[n-1].after == 0
}

// block is a run of comment lines with no blank line inside.
type block struct {
	lines []cline
	after int // blank lines that followed it in the input
}

// cline is one own comment line.
type cline struct {
	n    int    // input line
	text string // canonical: "#..." with trailing blanks removed
	raw  string // as written (without the line ending)
}

type item struct {
	idx    int // position in the input
	n      int // input line
	line   *ast.Line
	raw    string
	pseudo bool // a commented-out command; text is the comment
	// cohesive: the line's part of its paragraph moves as a whole (set by
	// order, see markCohesive).
	cohesive bool

	text     string // canonical line, conditionals included
	body     string // canonical command text without conditionals (what ignore compares)
	inline   string // canonical inline comment ("#..."), or ""
	listSort bool   // the comma list was reordered
	condText bool   // the conditional prefix was respelled

	above  []block // comments above the first line of the file
	pinned bool    // first command with a comment block on top: keeps the header in place
	para   *para

	f    facts
	rank int // template section (rank constants in order.go), -1 for none
	eff  int // effective section after ordering (see sortRun)
	// nodeRank: the effective section of the node the line moved in.
	nodeRank int
	key      string // sort key within the section
}

type tok struct {
	n       int
	kind    int // tBlank, tComment, tCommand
	raw     string
	line    *ast.Line
	comment *ast.Comment
}

const (
	tBlank = iota
	tComment
	tCommand
)

func layout(af *ast.File, src []byte) *doc {
	d := &doc{blanks: map[int]int{}}
	text := string(src)
	d.finalNL = len(text) == 0 || strings.HasSuffix(text, "\n")
	raws := strings.Split(text, "\n")
	if strings.HasSuffix(text, "\n") || text == "" {
		raws = raws[:len(raws)-1]
	}
	d.lastLine = len(raws)
	byLine := map[int]*ast.Line{}
	for _, l := range af.Lines {
		byLine[l.Line] = l
	}
	comments := map[int]*ast.Comment{}
	for i := range af.Comments {
		c := &af.Comments[i]
		comments[c.Line] = c
	}
	toks := make([]tok, 0, len(raws))
	run := 0
	for i, r := range raws {
		n := i + 1
		if strings.HasSuffix(r, "\r") {
			d.crlf = append(d.crlf, n)
			r = r[:len(r)-1]
		}
		t := tok{n: n, raw: r, line: byLine[n], comment: comments[n]}
		switch {
		case t.line != nil:
			t.kind = tCommand
		case t.comment != nil:
			t.kind = tComment
		default:
			t.kind = tBlank
		}
		if t.kind == tBlank {
			if r != "" {
				d.blankWS = append(d.blankWS, n)
			}
			run++
		} else {
			d.blanks[n], run = run, 0
		}
		toks = append(toks, t)
	}
	d.tailBlanks = run

	ignores := fileIgnores(af)
	pseudo := func(b block, pa *para) {
		pa.pseudo = true
		for _, c := range b.lines {
			it := newPseudo(len(d.items), c)
			it.para = pa
			it.key = sortKey(it)
			d.items = append(d.items, it)
		}
	}
	var region []tok
	var prev *item
	for _, t := range toks {
		if t.kind != tCommand {
			region = append(region, t)
			continue
		}
		lead, blocks := splitRegion(region)
		region = nil
		it := newItem(len(d.items), t, ignores)
		if prev == nil {
			// The block touching the first command belongs to it and pins
			// it (the header above stays on top); the blocks above that
			// are the header.
			if len(blocks) > 0 && blocks[len(blocks)-1].after == 0 {
				it.above = blocks[len(blocks)-1:]
				it.pinned = true
				blocks = blocks[:len(blocks)-1]
			}
			d.header = blocks
			pa := &para{idx: len(d.paras), heading: it.above, blank: len(blocks) > 0, pinned: it.pinned}
			d.paras = append(d.paras, pa)
			it.para = pa
			it.key = sortKey(it)
			d.items = append(d.items, it)
			prev = it
			continue
		}
		newPara := false
		if lead == 0 && len(blocks) > 0 && (blocks[0].after > 0 || disabled(blocks[0])) {
			// The block right under the previous line.
			b := blocks[0]
			blocks = blocks[1:]
			if disabled(b) {
				pseudo(b, prev.para)
			} else {
				// Commented-out commands on top of the block belong to the
				// paragraph (sorting can put them last, right above the
				// trailer); the rest is the trailer.
				pre, rest := splitDisabled(b)
				if len(pre.lines) > 0 {
					pseudo(pre, prev.para)
				}
				prev.para.trailer = &rest
				newPara = true
			}
			lead = b.after
		}
		var head *block
		if n := len(blocks); n > 0 && blocks[n-1].after == 0 && disabled(blocks[n-1]) {
			head = &blocks[n-1]
			blocks = blocks[:n-1]
		}
		pa := prev.para
		if newPara || lead > 0 || len(blocks) > 0 {
			pa = &para{idx: len(d.paras), heading: blocks, blank: lead > 0}
			d.paras = append(d.paras, pa)
		}
		if head != nil {
			pseudo(*head, pa)
		}
		it.idx = len(d.items)
		it.para = pa
		it.key = sortKey(it)
		d.items = append(d.items, it)
		prev = it
	}
	lead, blocks := splitRegion(region)
	if prev == nil {
		// No command at all: the whole file is header.
		d.header = blocks
		return d
	}
	if lead == 0 && len(blocks) > 0 {
		b := blocks[0]
		blocks = blocks[1:]
		if disabled(b) {
			pseudo(b, prev.para)
		} else {
			pre, rest := splitDisabled(b)
			if len(pre.lines) > 0 {
				pseudo(pre, prev.para)
			}
			prev.para.trailer = &rest
		}
	}
	d.footer = blocks
	return d
}

// splitDisabled cuts a block after its leading commented-out commands.
func splitDisabled(b block) (pre, rest block) {
	i := 0
	for i < len(b.lines) && keywordOf(b.lines[i].text) != "" {
		i++
	}
	return block{lines: b.lines[:i]}, block{lines: b.lines[i:], after: b.after}
}

// disabled reports whether every line of a block is a commented-out
// command in the template's style: '#' right before a keyword.
func disabled(b block) bool {
	for _, c := range b.lines {
		if keywordOf(c.text) == "" {
			return false
		}
	}
	return true
}

func keywordOf(comment string) string {
	t := strings.TrimPrefix(comment, "#")
	kw, _, _ := strings.Cut(t, " ")
	if kw == "" {
		return ""
	}
	if _, ok := directive.Lookup(kw); ok || kw == "include" {
		return kw
	}
	return ""
}

// splitRegion cuts the comment and blank lines between two commands into
// blocks; lead is the number of blank lines before the first block.
func splitRegion(region []tok) (lead int, blocks []block) {
	for _, t := range region {
		if t.kind == tBlank {
			if len(blocks) == 0 {
				lead++
			} else {
				blocks[len(blocks)-1].after++
			}
			continue
		}
		cl := cline{n: t.n, raw: t.raw, text: "#" + strings.TrimRight(t.comment.Text, " \t")}
		if len(blocks) == 0 || blocks[len(blocks)-1].after > 0 {
			blocks = append(blocks, block{})
		}
		blocks[len(blocks)-1].lines = append(blocks[len(blocks)-1].lines, cl)
	}
	return lead, blocks
}

// fileIgnores returns the texts of the file's ignore lines.
func fileIgnores(af *ast.File) []string {
	var out []string
	for _, l := range af.Lines {
		if c := l.Cmd; c != nil && c.Keyword == "ignore" && c.HasArg {
			out = append(out, c.Arg)
		}
	}
	return out
}

func newItem(idx int, t tok, ignores []string) *item {
	l := t.line
	it := &item{idx: idx, n: t.n, line: l, raw: t.raw}
	if t.comment != nil {
		it.inline = "#" + strings.TrimRight(t.comment.Text, " \t")
	}
	// The conditional prefix, respelled `?NAME: ` when it is well formed.
	prefix, condsOK := "", true
	for _, c := range l.Conds {
		if !c.Colon || !isCondition(c.Name) {
			condsOK = false
			break
		}
		prefix += "?" + c.Name + ": "
	}
	if l.Cmd == nil || !condsOK {
		it.text = l.Text
		if l.Cmd != nil {
			it.body = l.Cmd.Text
		}
	} else {
		it.body = l.Cmd.Text
		if l.Cmd.HasArg {
			if arg, ok := SortList(l.Cmd.Keyword, l.Cmd.Arg); ok && arg != l.Cmd.Arg {
				newBody := l.Cmd.Keyword + " " + arg
				if sameIgnoreMatches(ignores, l.Cmd.Text, newBody) {
					it.body, it.listSort = newBody, true
				}
			}
		}
		it.text = prefix + it.body
		it.condText = prefix != l.Text[:len(l.Text)-len(l.Cmd.Text)]
	}
	it.f = factsOf(l, condsOK)
	it.rank = rankOf(l, condsOK)
	return it
}

// newPseudo makes the pseudo-item for a commented-out command: it sorts
// by the command it shows and interacts with nothing.
func newPseudo(idx int, c cline) *item {
	body := strings.TrimPrefix(c.text, "#")
	it := &item{idx: idx, n: c.n, raw: c.raw, pseudo: true, text: c.text, body: body}
	kw := keywordOf(c.text)
	arg := ""
	if _, a, ok := strings.Cut(body, " "); ok {
		arg = a
	}
	it.rank = rankOf(&ast.Line{Cmd: &ast.Command{Keyword: kw, Arg: arg, Text: body}}, true)
	it.f.kw = kw
	return it
}

func isCondition(name string) bool {
	for _, c := range directive.Conditions {
		if c == name {
			return true
		}
	}
	return false
}

// ignoreMatches is Firejail's ignore test: the line starts with the text
// and the next character is the end or a space.
func ignoreMatches(ign, line string) bool {
	return strings.HasPrefix(line, ign) && (len(line) == len(ign) || line[len(ign)] == ' ')
}

// sameIgnoreMatches reports whether every ignore of the file treats the
// reordered line as it treats the original: an `ignore private-bin a,b` must
// keep matching (or not matching) what it did.
func sameIgnoreMatches(ignores []string, before, after string) bool {
	for _, ign := range ignores {
		if ignoreMatches(ign, before) != ignoreMatches(ign, after) {
			return false
		}
	}
	return true
}

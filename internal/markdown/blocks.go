package markdown

import "strconv"

// blockRules are the multi-line and line-level constructs, in the JS
// grammar's order; a blank line (LINE_BREAK) comes last.
var blockRules []rule

func init() {
	blockRules = []rule{
		(*parser).quote, (*parser).spoilerBlock, (*parser).codeBlock, (*parser).horizontalRule,
		(*parser).table, (*parser).heading, (*parser).tasks, (*parser).orderedList,
		(*parser).unorderedList, (*parser).katexBlock,
	}
}

// block tries the block rules.
func (p *parser) block(i int) (*node, int) {
	if i >= len(p.s) {
		return nil, -1
	}
	if n, j := p.first(i, blockRules); j >= 0 {
		return n, j
	}
	if j := p.eol(p.skipSpaces(i)); j >= 0 {
		return &node{kind: kLineBreak}, j
	}
	return nil, -1
}

// paragraph is one line of inline content (with its line end).
func (p *parser) paragraph(i int) (*node, int) {
	kids, j := p.inline(i)
	if j < 0 {
		return nil, -1
	}
	return paragraph(kids), j
}

// inline is a non-empty run of inline items (or of single characters that
// start none), then an optional line end. Items stop at line ends, except
// the few that may span lines (inline KaTeX, link labels).
func (p *parser) inline(i int) ([]*node, int) {
	items, j := p.oneOrMore(i, p.inlineOrChar)
	if j < 0 {
		return nil, -1
	}
	if k := p.eol(j); k >= 0 {
		j = k
	}
	return reducePlain(items), j
}

// oneOrMore matches item as many times in a row as it can from i, and
// fails if it cannot once.
func (p *parser) oneOrMore(i int, item func(int) (*node, int)) ([]*node, int) {
	var items []*node
	for {
		n, j := item(i)
		if j < 0 {
			break
		}
		items, i = append(items, n), j
	}
	if items == nil {
		return nil, -1
	}
	return items, i
}

// repeated is oneOrMore as a node of kind k: the shape of quotes and
// lists.
func (p *parser) repeated(i int, k kind, item func(int) (*node, int)) (*node, int) {
	items, j := p.oneOrMore(i, item)
	if j < 0 {
		return nil, -1
	}
	return withKids(k, items), j
}

// inlineOrChar is one inline item or, failing that, one plain character.
func (p *parser) inlineOrChar(i int) (*node, int) {
	if n, j := p.inlineItem(i); j >= 0 {
		return n, j
	}
	return p.anyChar(i)
}

// anyChar is one code unit other than a line end, as plain text.
func (p *parser) anyChar(i int) (*node, int) {
	if c := p.at(i); c < 0 || c == '\n' || c == '\r' {
		return nil, -1
	}
	return p.char(i), i + 1
}

func (p *parser) quote(i int) (*node, int) { return p.repeated(i, kQuote, p.quoteLine) }

func (p *parser) quoteLine(i int) (*node, int) {
	if p.at(i) != '>' {
		return nil, -1
	}
	j := p.skipSpaces(i + 1)
	if k := p.eol(j); k >= 0 {
		return paragraph([]*node{plainStr("")}), k
	}
	return p.paragraph(j)
}

// spoilerBlock is a "||" line, paragraphs that do not start with "||", then
// "||" (not necessarily ending its line).
func (p *parser) spoilerBlock(i int) (*node, int) {
	if !p.lit(i, "||") {
		return nil, -1
	}
	j := p.eol(i + 2)
	if j < 0 {
		return nil, -1
	}
	var paras []*node
	for !p.lit(j, "||") {
		n, k := p.paragraph(j)
		if k < 0 {
			break
		}
		paras, j = append(paras, n), k
	}
	if paras == nil {
		return nil, -1
	}
	if k := p.eol(j); k >= 0 {
		j = k
	}
	if !p.lit(j, "||") {
		return nil, -1
	}
	return withKids(kSpoilerBlock, paras), j + 2
}

// codeBlock is "```" [language] EOL lines EOL "```".
func (p *parser) codeBlock(i int) (*node, int) {
	if !p.lit(i, "```") {
		return nil, -1
	}
	j := i + 3
	langStart := j
	for j < len(p.s) && isCodeLangChar(p.s[j]) {
		j++
	}
	var lang []uint16
	if j > langStart {
		lang = p.s[langStart:j]
	} else {
		lang = utf16Of("none")
	}
	if j = p.eol(j); j < 0 {
		return nil, -1
	}
	lines, j := p.oneOrMore(j, p.codeLine)
	if j < 0 {
		return nil, -1
	}
	if j = p.eol(j); j < 0 || !p.lit(j, "```") {
		return nil, -1
	}
	return &node{kind: kCode, text: lang, kids: lines}, j + 3
}

func isCodeLangChar(c uint16) bool {
	return isAlnumA(c) || c == ' ' || c == '_' || c == '-' || c == '.'
}

// codeLine mirrors the JS alternatives exactly, including that a "\n"
// followed by text is taken before an empty line is considered, which drops
// a blank first line.
func (p *parser) codeLine(i int) (*node, int) {
	codeLineOf := func(t []uint16) *node { return &node{kind: kCodeLine, sub: plain(t)} }
	if j := p.codeChunk(i); j > i {
		return codeLineOf(p.s[i:j]), j
	}
	if p.at(i) != '\n' {
		return nil, -1
	}
	if j := p.codeChunk(i + 1); j > i+1 {
		return codeLineOf(p.s[i+1 : j]), j
	}
	if p.lit(i+1, "```") {
		return nil, -1
	}
	return codeLineOf([]uint16{}), i + 1
}

// codeChunk consumes characters that cannot start a closing fence: a
// backtick run may continue only while it is shorter than three and is
// followed by a non-backtick character or a line end.
func (p *parser) codeChunk(i int) int {
	for {
		c := p.at(i)
		switch {
		case c < 0 || c == '\r' || c == '\n':
			return i
		case c != '`':
			i++
			continue
		}
		c1 := p.at(i + 1)
		if c1 >= 0 && c1 != '`' && c1 != '\r' && c1 != '\n' {
			i += 2
			continue
		}
		if c1 == '`' {
			c2 := p.at(i + 2)
			if c2 != '`' {
				// "``x", "``" before a line end, or "``" at the end.
				if c2 < 0 || c2 == '\r' || c2 == '\n' {
					i += 2
				} else {
					i += 3
				}
				continue
			}
			return i
		}
		// A single backtick before a line end or at the end of input.
		i++
	}
}

// horizontalRule is three or more dashes alone on a line (spaces allowed).
func (p *parser) horizontalRule(i int) (*node, int) {
	start := p.skipSpaces(i)
	j := start
	for p.at(j) == '-' {
		j++
	}
	if j-start < 3 {
		return nil, -1
	}
	end := j
	j = p.skipSpaces(j)
	if k := p.eol(j); k >= 0 {
		j = k
	} else if j != len(p.s) {
		return nil, -1
	}
	return &node{kind: kHorizontalRule, ext: &nodeExt{rng: [2]int{start, end}}}, j
}

// heading is 1 to 4 '#', blanks, then inline content.
func (p *parser) heading(i int) (*node, int) {
	j := i
	for j < i+4 && p.at(j) == '#' {
		j++
	}
	level := j - i
	if level == 0 || !p.blankAt(j) {
		return nil, -1
	}
	kids, k := p.inline(p.skipSpaces(j))
	if k < 0 {
		return nil, -1
	}
	return &node{kind: kHeading, ext: &nodeExt{num: float64(level)}, kids: kids}, k
}

func (p *parser) tasks(i int) (*node, int) { return p.repeated(i, kTasks, p.task) }

func (p *parser) task(i int) (*node, int) {
	if !p.lit(i, "- [") {
		return nil, -1
	}
	var done bool
	switch p.at(i + 3) {
	case 'x':
		done = true
	case ' ':
	default:
		return nil, -1
	}
	if p.at(i+4) != ']' || !p.blankAt(i+5) {
		return nil, -1
	}
	kids, j := p.inline(p.skipSpaces(i + 5))
	if j < 0 {
		return nil, -1
	}
	return &node{kind: kTask, flag: done, kids: kids}, j
}

func (p *parser) orderedList(i int) (*node, int) { return p.repeated(i, kOrderedList, p.orderedItem) }

func (p *parser) orderedItem(i int) (*node, int) {
	d := p.skipDigits(i)
	if d == i || p.at(d) != '.' || !p.blankAt(d+1) {
		return nil, -1
	}
	kids, j := p.inline(p.skipSpaces(d + 1))
	if j < 0 {
		return nil, -1
	}
	// parseInt: arbitrary length, so large values become floats or Infinity.
	num, _ := strconv.ParseFloat(string(utf16ToASCII(p.s[i:d])), 64)
	return &node{kind: kListItem, kids: kids, flag: true, ext: &nodeExt{num: num}}, j
}

func utf16ToASCII(s []uint16) []byte {
	b := make([]byte, len(s))
	for i, c := range s {
		b[i] = byte(c)
	}
	return b
}

// unorderedList is a run of "- " items or a run of "* " items, never mixed.
func (p *parser) unorderedList(i int) (*node, int) {
	if n, j := p.repeated(i, kUnorderedList, p.hyphenItem); j >= 0 {
		return n, j
	}
	return p.repeated(i, kUnorderedList, p.asteriskItem)
}

func (p *parser) hyphenItem(i int) (*node, int) {
	if p.at(i) != '-' || !p.blankAt(i+1) {
		return nil, -1
	}
	kids, j := p.inline(p.skipSpaces(i + 1))
	if j < 0 {
		return nil, -1
	}
	return withKids(kListItem, kids), j
}

// asteriskItem differs from the hyphen form: its content may not end right
// before another '*'.
func (p *parser) asteriskItem(i int) (*node, int) {
	if p.at(i) != '*' || !p.blankAt(i+1) {
		return nil, -1
	}
	j := p.skipSpaces(i + 1)
	var items []*node
	for {
		if n, k := p.inlineItem(j); k >= 0 {
			items, j = append(items, n), k
			continue
		}
		if p.at(j) != '*' {
			if n, k := p.anyChar(j); k >= 0 {
				items, j = append(items, n), k
				continue
			}
		}
		break
	}
	if items == nil || p.at(j) == '*' {
		return nil, -1
	}
	if k := p.eol(j); k >= 0 {
		j = k
	}
	return withKids(kListItem, reducePlain(items)), j
}

// katexBlock is "\[" … "\]" (or "$$" … "$$" with dollar syntax), possibly
// spanning lines; the content ends at the first closing delimiter.
func (p *parser) katexBlock(i int) (*node, int) {
	open := p.katexParen && p.lit(i, `\[`) || p.katexDollar && p.lit(i, "$$")
	if !open {
		return nil, -1
	}
	end := p.katexBlockEnd(i + 2)
	if end < 0 {
		return nil, -1
	}
	return &node{kind: kKatex, text: p.s[i+2 : end]}, end + 2
}

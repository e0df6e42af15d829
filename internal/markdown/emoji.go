package markdown

// emoji is a ":shortcode:" or a Unicode emoji sequence.
func (p *parser) emoji(i int) (*node, int) {
	if p.at(i) == ':' {
		j := i + 1
		for j < len(p.s) && isShortcodeChar(p.s[j]) {
			j++
		}
		if j > i+1 && p.at(j) == ':' {
			return emojiShortcode(p.s[i+1 : j]), j + 1
		}
	}
	if j := p.unicodeEmoji(i); j > i {
		return emojiUnicode(p.s[i:j]), j
	}
	return nil, -1
}

func isShortcodeChar(c uint16) bool {
	return isAlnumA(c) || c == '-' || c == '_' || c == '+' || c == '.'
}

const (
	hiSMP1 = 0xD83C // lead surrogate of U+1F000–U+1F3FF
	hiSMP2 = 0xD83D // U+1F400–U+1F7FF
	hiSMP3 = 0xD83E // U+1F800–U+1FBFF
	zwj    = 0x200D
)

func isVS(c int) bool { return c >= 0xFE00 && c <= 0xFE0F }

// unicodeEmoji returns the end of the emoji sequence at i, or i. The
// alternatives are the JS grammar's, in order; a zero-width-joiner
// sequence that ends in a dangling joiner fails as a whole.
func (p *parser) unicodeEmoji(i int) int {
	if j := p.tagFlag(i); j > i {
		return j
	}
	if j := p.keycap(i); j > i {
		return j
	}
	if j := p.zwjSequence(i); j > i {
		return j
	}
	for _, f := range [...]func(int) int{p.emoticonBlock, p.transportBlock, p.miscTechnical, p.miscSymbols, p.dingbat, p.squareOrCircle, p.enclosed, p.presentationSymbol, p.regionalFlag} {
		if j := f(i); j > i {
			return j
		}
	}
	return i
}

// optVS consumes an optional variation selector after a base ending at j.
func (p *parser) optVS(j int) int {
	if isVS(p.at(j)) {
		return j + 1
	}
	return j
}

// pair matches lead surrogate hi followed by a trail unit in [lo, up].
func (p *parser) pair(i, hi int, lo, up int) int {
	if p.at(i) == hi {
		if c := p.at(i + 1); c >= lo && c <= up {
			return i + 2
		}
	}
	return i
}

func (p *parser) tagFlag(i int) int {
	if p.at(i) != hiSMP1 || p.at(i+1) != 0xDFF4 {
		return i
	}
	j := i + 2
	tags := 0
	for p.at(j) == 0xDB40 {
		if c := p.at(j + 1); c >= 0xDC20 && c <= 0xDC7E {
			j += 2
			tags++
			continue
		}
		break
	}
	if tags == 0 || p.at(j) != 0xDB40 || p.at(j+1) != 0xDC7F {
		return i
	}
	return j + 2
}

func (p *parser) keycap(i int) int {
	c := p.at(i)
	if !(c >= '0' && c <= '9' || c == '#' || c == '*') {
		return i
	}
	j := i + 1
	if p.at(j) == 0xFE0F {
		j++
	}
	if p.at(j) != 0x20E3 {
		return i
	}
	return j + 1
}

// zwjSequence is elements joined by U+200D. How the chain from each
// joiner onwards ends is remembered per position, so re-trying every
// element of a long chain with a dangling joiner stays linear.
func (p *parser) zwjSequence(i int) int {
	k := p.emojiElement(i)
	if k == i {
		return i
	}
	if p.at(k) != zwj {
		return k
	}
	var visited []int
	end := -1 // -1: the chain ends with a dangling joiner
	for j := k + 1; ; {
		if e, ok := p.memo.get(ruleZWJ, j, 0); ok {
			end = int(e.end)
			break
		}
		visited = append(visited, j)
		m := p.emojiElement(j)
		if m == j {
			break
		}
		if p.at(m) != zwj {
			end = m
			break
		}
		j = m + 1
	}
	for _, j := range visited {
		p.memo.putEntry(ruleZWJ, j, 0, memoEntry{end: int32(end)})
	}
	p.work += len(visited)
	if end < 0 {
		return i
	}
	return end
}

// emojiElement is a pictograph with an optional skin-tone modifier.
func (p *parser) emojiElement(i int) int {
	j := p.pair(i, hiSMP3, 0xDD00, 0xDFFF)
	if j == i {
		if j = p.pair(i, hiSMP1, 0xDF00, 0xDFFF); j > i {
			j = p.optVS(j)
		} else if j = p.pair(i, hiSMP2, 0xDC00, 0xDDFF); j > i {
			j = p.optVS(j)
		}
	}
	if j == i {
		for _, f := range [...]func(int) int{p.emoticonBlock, p.transportBlock, p.dingbat, p.miscSymbols, p.arrowUpDown, p.squareOrCircle} {
			if j = f(i); j > i {
				break
			}
		}
	}
	if j == i {
		return i
	}
	return p.pair(j, hiSMP1, 0xDFFB, 0xDFFF)
}

func (p *parser) emoticonBlock(i int) int {
	if j := p.pair(i, hiSMP2, 0xDE00, 0xDE4F); j > i {
		return p.optVS(j)
	}
	return i
}

func (p *parser) transportBlock(i int) int {
	if j := p.pair(i, hiSMP2, 0xDE80, 0xDEFF); j > i {
		return p.optVS(j)
	}
	return i
}

func (p *parser) bmpRange(i, lo, hi int) int {
	if c := p.at(i); c >= lo && c <= hi {
		return p.optVS(i + 1)
	}
	return i
}

func (p *parser) miscTechnical(i int) int { return p.bmpRange(i, 0x2300, 0x23FF) }
func (p *parser) miscSymbols(i int) int   { return p.bmpRange(i, 0x2600, 0x26FF) }
func (p *parser) dingbat(i int) int       { return p.bmpRange(i, 0x2700, 0x27BF) }
func (p *parser) arrowUpDown(i int) int   { return p.bmpRange(i, 0x2194, 0x2195) }

func (p *parser) squareOrCircle(i int) int {
	if j := p.bmpRange(i, 0x2B1B, 0x2B1C); j > i {
		return j
	}
	if p.at(i) == hiSMP2 {
		if c := p.at(i + 1); c >= 0xDFE0 && c <= 0xDFEB || c == 0xDFF0 {
			return p.optVS(i + 2)
		}
	}
	return i
}

func (p *parser) enclosed(i int) int {
	if p.at(i) == hiSMP1 {
		switch c := p.at(i + 1); {
		case c == 0xDCCF, c == 0xDD8E, c >= 0xDD91 && c <= 0xDD9A, c == 0xDE01,
			c >= 0xDE32 && c <= 0xDE3A, c >= 0xDE50 && c <= 0xDE51:
			return p.optVS(i + 2)
		}
	}
	return i
}

// presentationSymbol is a text-default symbol that counts as emoji only with
// an explicit U+FE0F.
func (p *parser) presentationSymbol(i int) int {
	c := p.at(i)
	switch {
	case c == 0xA9, c == 0xAE, c == 0x203C, c == 0x2049, c == 0x2122, c == 0x2139,
		c >= 0x2196 && c <= 0x2199, c >= 0x21A9 && c <= 0x21AA, c == 0x24C2,
		c >= 0x25AA && c <= 0x25AB, c == 0x25B6, c == 0x25C0, c >= 0x25FB && c <= 0x25FE,
		c >= 0x2934 && c <= 0x2935, c >= 0x2B05 && c <= 0x2B07, c == 0x2B50, c == 0x2B55,
		c == 0x3030, c == 0x303D, c == 0x3297, c == 0x3299:
		if p.at(i+1) == 0xFE0F {
			return i + 2
		}
		return i
	}
	if c == hiSMP1 {
		switch t := p.at(i + 1); {
		case t == 0xDC04, t >= 0xDD70 && t <= 0xDD71, t >= 0xDD7E && t <= 0xDD7F,
			t == 0xDE02, t == 0xDE1A, t == 0xDE2F:
			if p.at(i+2) == 0xFE0F {
				return i + 3
			}
		}
	}
	return i
}

func (p *parser) regionalFlag(i int) int {
	if j := p.pair(i, hiSMP1, 0xDDE6, 0xDDFF); j > i {
		if k := p.pair(j, hiSMP1, 0xDDE6, 0xDDFF); k > j {
			return k
		}
	}
	return i
}

// emoticon matches an ASCII emoticon when the option is on. The table is
// grouped by first character and ordered as in the JS grammar.
func (p *parser) emoticon(i int) (*node, int) {
	if !p.emoticons {
		return nil, -1
	}
	c := p.at(i)
	if c < 0 || c >= 0x80 {
		return nil, -1
	}
	for _, e := range emoticonsByLead[c] {
		if p.litU(i, e.u16) {
			return emoticonNode(p.s[i:i+len(e.u16)], e.name), i + len(e.u16)
		}
	}
	return nil, -1
}

// emoticonNeighbor is what may follow an inline emoticon directly.
func (p *parser) emoticonNeighbor(i int) bool {
	c := p.at(i)
	return c < 0 || c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '*'
}

func (p *parser) inlineEmoticon(i int) (*node, int) {
	return p.emoticonFollowedBy(i, p.inlineItem, 0)
}

// emoticonFollowedBy accepts an emoticon only if a neighbour character, the
// given item rule, or the extra character comes next.
func (p *parser) emoticonFollowedBy(i int, item func(int) (*node, int), extra uint16) (*node, int) {
	n, j := p.emoticon(i)
	if j < 0 {
		return nil, -1
	}
	if p.emoticonNeighbor(j) {
		return n, j
	}
	if _, k := item(j); k >= 0 {
		return n, j
	}
	if extra != 0 && p.at(j) == int(extra) {
		return n, j
	}
	return nil, -1
}

// bigEmoji is a message of one to three emoji (or emoticons) with only
// blanks and line ends around them.
func (p *parser) bigEmoji(i int) (*node, int) {
	skip := func(j int) int {
		for {
			if k := p.eol(j); k >= 0 {
				j = k
			} else if p.blankAt(j) {
				j++
			} else {
				return j
			}
		}
	}
	i = skip(i)
	var list []*node
	for len(list) < 3 {
		n, j := p.emoji(i)
		if j < 0 {
			n, j = p.emoticon(i)
		}
		if j < 0 {
			break
		}
		list, i = append(list, n), skip(j)
	}
	if list == nil {
		return nil, -1
	}
	return withKids(kBigEmoji, list), i
}

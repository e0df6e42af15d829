package markdown

// inlineItem is the grammar's central choice of inline constructs. The JS
// parser first tries the constructs that can start with the current code
// unit, then (for every character) a general list; the alternatives and
// their order are kept exactly, because the first success wins.
func (p *parser) inlineItem(i int) (*node, int) {
	c := p.at(i)
	if c < 0 {
		return nil, -1
	}
	if r, ok := p.memo.get(ruleInlineItem, i, p.state()); ok {
		return r.n, int(r.end)
	}
	p.enter()
	var n *node
	end := -1
	if c < 128 && leadRules[c] != nil {
		n, end = p.first(i, leadRules[c])
	}
	if end < 0 {
		n, end = p.first(i, generalInlineRules)
	}
	p.leave()
	p.memo.put(ruleInlineItem, i, p.state(), n, end)
	return n, end
}

// leadRules are the constructs tried first for a given lead character;
// generalInlineRules are tried at every character after those failed.
var (
	leadRules          [128][]rule
	generalInlineRules []rule
)

func init() {
	leadRules[' '] = []rule{(*parser).whitespace}
	leadRules['\t'] = leadRules[' ']
	leadRules['\\'] = []rule{(*parser).escapedTimestamp, (*parser).inlineKatex, (*parser).escaped}
	leadRules['['] = []rule{(*parser).maybeReferences}
	leadRules['<'] = []rule{(*parser).timestamp, (*parser).maybeReferences, (*parser).inlineEmoticon}
	leadRules['!'] = []rule{(*parser).image}
	leadRules['|'] = []rule{(*parser).spoiler}
	leadRules['@'] = []rule{(*parser).userMention}
	leadRules['`'] = []rule{(*parser).inlineCode}
	leadRules['+'] = []rule{(*parser).autoPhone}
	leadRules['$'] = []rule{(*parser).inlineKatex}
	leadRules[':'] = []rule{(*parser).emoji, (*parser).inlineEmoticon}
	leadRules['*'] = []rule{(*parser).emphasisWithWhitespace, (*parser).emphasis, (*parser).inlineEmoticon}
	leadRules['~'] = []rule{(*parser).emphasisWithWhitespace, (*parser).emphasis}
	leadRules['-'] = []rule{(*parser).dashBeforeEmoticon, (*parser).inlineEmoticon}
	generalInlineRules = []rule{
		(*parser).autoEmail, (*parser).underscoreDomain, (*parser).autoLinkURL,
		(*parser).emphasisWithWhitespace, (*parser).emphasis, (*parser).channelMention,
		(*parser).emoji, (*parser).dashBeforeEmoticon, (*parser).inlineEmoticon,
		(*parser).color, (*parser).plainRun,
	}
}

// whitespace is a run of spaces and tabs.
func (p *parser) whitespace(i int) (*node, int) {
	j := p.scan(scanNotSpace, i)
	if j == i {
		return nil, -1
	}
	return plain(p.s[i:j]), j
}

// plainRun is text up to the next character that may start markup. '\r'
// is not such a character, which is why "a\r\nb" yields "a\r" and "b".
func (p *parser) plainRun(i int) (*node, int) {
	j := p.scan(scanPlainRun, i)
	if j == i {
		return nil, -1
	}
	return plain(p.s[i:j]), j
}

func stopsPlainRun(c uint16) bool {
	switch c {
	case '*', '_', '~', '`', ':', '\n', '<', '[', ']', '!', ' ', '\t', '(', ')', '\\', '|':
		return true
	}
	return false
}

// escaped is a backslash before one of * _ ~ ` # . — the backslash is
// dropped.
func (p *parser) escaped(i int) (*node, int) {
	if p.at(i) != '\\' {
		return nil, -1
	}
	switch p.at(i + 1) {
	case '*', '_', '~', '`', '#', '.':
		return p.char(i + 1), i + 2
	}
	return nil, -1
}

// inlineCode is text between single backticks on one line.
func (p *parser) inlineCode(i int) (*node, int) {
	if p.at(i) != '`' {
		return nil, -1
	}
	j := i + 1
	for j < len(p.s) && p.s[j] != '`' && p.s[j] != '\n' {
		j++
	}
	if j == i+1 || p.at(j) != '`' {
		return nil, -1
	}
	return &node{kind: kInlineCode, sub: plain(p.s[i+1 : j])}, j + 1
}

// inlineKatex is "\(" … "\)" (or "$" … "$"); like the block form the
// content may span lines and ends at the first closing delimiter.
func (p *parser) inlineKatex(i int) (*node, int) {
	var j int
	switch {
	case p.katexParen && p.lit(i, `\(`):
		j = i + 2
	case p.katexDollar && p.at(i) == '$':
		j = i + 1
	default:
		return nil, -1
	}
	end, width := p.katexInlineEnd(j)
	if end < 0 {
		return nil, -1
	}
	return &node{kind: kInlineKatex, text: p.s[j:end]}, end + width
}

// spoiler is "||" inline content "||". The content is a memoised
// repetition so that unmatched "||" stay linear.
func (p *parser) spoiler(i int) (*node, int) {
	if !p.lit(i, "||") || !p.closerAhead(scanPipes, i+2) {
		return nil, -1
	}
	j := p.listEnd(ruleSpoilerItems, i+2, p.spoilerItem)
	if j == i+2 || !p.lit(j, "||") {
		return nil, -1
	}
	return withKids(kSpoiler, reducePlain(p.listItems(ruleSpoilerItems, i+2))), j + 2
}

func (p *parser) spoilerItem(i int) (*node, int) {
	if p.lit(i, "||") {
		return nil, -1
	}
	if n, j := p.inlineItem(i); j >= 0 {
		return n, j
	}
	return p.anyChar(i)
}

// image is "![alt](target)"; without alt the label repeats the target.
func (p *parser) image(i int) (*node, int) {
	if !p.lit(i, "![") {
		return nil, -1
	}
	j := i + 2
	title, k := p.line(j)
	if k >= 0 {
		j = k
	}
	if !p.lit(j, "](") {
		return nil, -1
	}
	src, k := p.markdownLinkTarget(j + 2)
	if k < 0 || p.at(k) != ')' {
		return nil, -1
	}
	label := title
	if label == nil {
		label = plain(src)
	}
	return &node{kind: kImage, sub: plain(src), ext: &nodeExt{sub2: label}}, k + 1
}

// line is blanks, one or more text characters, blanks — as one plain text.
func (p *parser) line(i int) (*node, int) {
	j := p.skipSpaces(i)
	k := j
	for k < len(p.s) && isAnyText(p.s[k]) {
		k++
	}
	if k == j {
		return nil, -1
	}
	k = p.skipSpaces(k)
	return plain(p.s[i:k]), k
}

// color is "color:#" and 3/4 hex pairs or 3/4 hex digits, not followed by
// text.
func (p *parser) color(i int) (*node, int) {
	if !p.colors || !p.lit(i, "color:#") {
		return nil, -1
	}
	j := i + 7
	var ch []uint8
	k := j
	for len(ch) < 4 && p.hexAt(k) && p.hexAt(k+1) {
		ch = append(ch, hexVal(p.s[k])<<4|hexVal(p.s[k+1]))
		k += 2
	}
	if len(ch) < 3 {
		ch, k = ch[:0], j
		for len(ch) < 4 && p.hexAt(k) {
			ch = append(ch, hexVal(p.s[k])*17)
			k++
		}
		if len(ch) < 3 {
			return nil, -1
		}
	}
	if c := p.at(k); c >= 0 && isAnyText(uint16(c)) {
		return nil, -1
	}
	n := &node{kind: kColor, ext: &nodeExt{rgba: [4]uint8{ch[0], ch[1], ch[2], 255}}}
	if len(ch) == 4 {
		n.ext.rgba[3] = ch[3]
	}
	return n, k
}

func hexVal(c uint16) uint8 {
	switch {
	case c >= '0' && c <= '9':
		return uint8(c - '0')
	case c >= 'a' && c <= 'f':
		return uint8(c - 'a' + 10)
	}
	return uint8(c - 'A' + 10)
}

// emphasisWithWhitespace keeps "* *", "__  __", "~ ~~" and the like as
// plain text instead of letting them open emphasis.
func (p *parser) emphasisWithWhitespace(i int) (*node, int) {
	d := p.at(i)
	if d != '*' && d != '_' && d != '~' {
		return nil, -1
	}
	run := scanNotStar
	switch d {
	case '_':
		run = scanNotUnderscore
	case '~':
		run = scanNotTilde
	}
	j := p.scan(run, i)
	k := p.scan(scanNotSpace, j)
	if k == j || p.at(k) != d {
		return nil, -1
	}
	k = p.scan(run, k)
	return plain(p.s[i:k]), k
}

// dashBeforeEmoticon splits "-" off "-_-x" so that "_-x" can still open
// italics.
func (p *parser) dashBeforeEmoticon(i int) (*node, int) {
	if p.at(i) == '-' && p.at(i+1) == '_' && p.at(i+2) == '-' && p.at(i+3) >= 0 {
		return plain(p.s[i : i+1]), i + 1
	}
	return nil, -1
}

// userMention is one or more '@' then a name with an optional ":server" or
// "@host" part; names ending in "__" are refused.
func (p *parser) userMention(i int) (*node, int) {
	j := p.scan(scanNotAt, i)
	if j == i {
		return nil, -1
	}
	start := j
	k := p.names(j)
	if k < 0 {
		return nil, -1
	}
	if c := p.at(k); c == ':' || c == '@' {
		if m := p.names(k + 1); m >= 0 {
			k = m
		}
	}
	name := p.s[start:k]
	if n := len(name); n >= 2 && name[n-1] == '_' && name[n-2] == '_' {
		return nil, -1
	}
	return &node{kind: kMentionUser, sub: plain(name)}, k
}

func (p *parser) names(i int) int {
	j := i
	for j < len(p.s) && isNameChar(p.s[j]) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// textThenMarker matches one text character, then marker (repeated when
// many is set), then a letter or digit: "a@b", "x#1". The JS parser turns
// that into plain text with a single marker, however many there were.
func (p *parser) textThenMarker(i int, marker uint16, many bool) (*node, int) {
	c := p.at(i)
	if c < 0 || !isAnyText(uint16(c)) || p.at(i+1) != int(marker) {
		return nil, -1
	}
	j := i + 2
	if many {
		j = p.scan(scanNotAt, j)
	}
	a := p.at(j)
	if a < 0 || !isAlnumChar(uint16(a)) {
		return nil, -1
	}
	return plain([]uint16{uint16(c), marker, uint16(a)}), j + 1
}

// userMentionWithText is the form used inside emphasis.
func (p *parser) userMentionWithText(i int) (*node, int) {
	if n, j := p.textThenMarker(i, '@', true); j >= 0 {
		return n, j
	}
	return p.userMention(i)
}

func (p *parser) channelMention(i int) (*node, int) {
	if n, j := p.textThenMarker(i, '#', false); j >= 0 {
		return n, j
	}
	if p.at(i) != '#' {
		return nil, -1
	}
	k := p.names(i + 1)
	if k < 0 {
		return nil, -1
	}
	return &node{kind: kMentionChannel, sub: plain(p.s[i+1 : k])}, k
}

package markdown

// Emphasis follows the JS grammar's re-entrancy guards: while a bold (or
// italic, strike, link) is being tried, another of the same kind cannot
// start. A guard is cleared as soon as its own attempt ends, success or not.

func (p *parser) emphasis(i int) (*node, int) {
	if n, j := p.maybeBold(i); j >= 0 {
		return n, j
	}
	if n, j := p.maybeItalic(i); j >= 0 {
		return n, j
	}
	return p.maybeStrike(i)
}

func (p *parser) maybeBold(i int) (*node, int) {
	if p.skipBold || p.at(i) != '*' || !p.closerAhead(scanStar, i+1) {
		return nil, -1
	}
	return p.guarded(&p.skipBold, i, p.bold)
}

func (p *parser) maybeItalic(i int) (*node, int) {
	return p.guarded(&p.skipItalic, i, p.italic)
}

func (p *parser) maybeStrike(i int) (*node, int) {
	if p.skipStrike || p.at(i) != '~' || !p.closerAhead(scanTilde, i+1) {
		return nil, -1
	}
	return p.guarded(&p.skipStrike, i, p.strike)
}

// guarded tries try at i unless its guard is up, with the guard up while
// it runs.
func (p *parser) guarded(guard *bool, i int, try func(int) (*node, int)) (*node, int) {
	if *guard {
		return nil, -1
	}
	*guard = true
	n, j := try(i)
	*guard = false
	return n, j
}

// delimited tries "dd" content "dd" and then "d" content "d"; the content
// is a memoised repetition of item.
func (p *parser) delimited(i int, d uint16, r ruleID, item func(int) (*node, int), k kind) (*node, int) {
	if p.at(i+1) == int(d) {
		if j := p.listEnd(r, i+2, item); j > i+2 && p.at(j) == int(d) && p.at(j+1) == int(d) {
			return withKids(k, reducePlain(p.listItems(r, i+2))), j + 2
		}
	}
	if j := p.listEnd(r, i+1, item); j > i+1 && p.at(j) == int(d) {
		return withKids(k, reducePlain(p.listItems(r, i+1))), j + 1
	}
	return nil, -1
}

func (p *parser) bold(i int) (*node, int) {
	return p.delimited(i, '*', ruleBoldItems, p.boldItem, kBold)
}

func (p *parser) strike(i int) (*node, int) {
	return p.delimited(i, '~', ruleStrikeItems, p.strikeItem, kStrike)
}

func (p *parser) boldItem(i int) (*node, int) {
	return p.emphasisItem(i, p.boldPreferred, scanBoldRun, '*')
}

// emphasisItem is one item inside bold or italic: a preferred alternative,
// a run of plain text, one character other than a line end, a blank or the
// delimiter d, or else a line end.
func (p *parser) emphasisItem(i int, preferred func(int) (*node, int), run scanID, d uint16) (*node, int) {
	if n, j := preferred(i); j >= 0 {
		return n, j
	}
	if j := p.scan(run, i); j > i {
		return plain(p.s[i:j]), j
	}
	if c := p.at(i); c >= 0 && c != '\n' && c != int(d) && c != ' ' {
		return p.char(i), i + 1
	}
	return p.line(i)
}

func isBoldRunStop(c uint16) bool { return c == '\n' || c == '*' || c == ' ' || c == '_' || c == '~' }

func (p *parser) boldPreferred(i int) (*node, int) {
	return p.preferred(i, ruleBoldPreferred, boldPreferredRules, p.boldPreferred, 0)
}

// preferred is the memoised first choice of an item inside bold or
// italic: one of rules, else an emoticon followed by another such item
// (self) or by extra.
func (p *parser) preferred(i int, id ruleID, rules []rule, self func(int) (*node, int), extra uint16) (*node, int) {
	if r, ok := p.memo.get(id, i, p.state()); ok {
		return r.n, int(r.end)
	}
	p.enter()
	n, j := p.first(i, rules)
	if j < 0 {
		n, j = p.emoticonFollowedBy(i, self, extra)
	}
	p.leave()
	p.memo.put(id, i, p.state(), n, j)
	return n, j
}

// The item alternatives inside bold, italic and strike (before their
// emoticon and plain-text fallbacks). They are set in init because the
// rules refer back to these lists.
var boldPreferredRules, italicPreferredRules, strikeRules []rule

func init() {
	boldPreferredRules = []rule{
		(*parser).whitespace, (*parser).inlineCode, (*parser).timestamp, (*parser).maybeReferences,
		(*parser).userMentionWithText, (*parser).channelMention, (*parser).maybeItalic,
		(*parser).maybeStrike, (*parser).emoji,
	}
	italicPreferredRules = []rule{
		(*parser).whitespace, (*parser).inlineCode, (*parser).timestamp, (*parser).maybeReferences,
		(*parser).userMentionWithText, (*parser).channelMention, (*parser).maybeBold,
		(*parser).maybeStrike, (*parser).emoji,
	}
	strikeRules = []rule{
		(*parser).escapedTimestamp, (*parser).timestamp, (*parser).whitespace, (*parser).inlineCode,
		(*parser).maybeReferences, (*parser).userMentionWithText, (*parser).channelMention,
		(*parser).maybeItalic, (*parser).maybeBold, (*parser).emoji, (*parser).emoticon,
	}
}

// italic has extra alternatives the other kinds lack: a word directly
// followed by one or two '_' is plain, and "_x_word" / "__x__word" yield
// the parsed content between plain delimiters instead of an ITALIC.
func (p *parser) italic(i int) (*node, int) {
	if j := p.scan(scanNotAlnum, i); j > i && p.at(j) == '_' {
		j++
		if p.at(j) == '_' {
			j++
		}
		return plain(p.s[i:j]), j
	}
	if p.at(i) != '_' || !p.closerAhead(scanUnderscore, i+1) {
		return nil, -1
	}
	double := p.at(i+1) == '_'
	var end1, end2 int // content ends after "_" and after "__"
	end1 = p.listEnd(ruleItalicItems, i+1, p.italicItem)
	if double {
		end2 = p.listEnd(ruleItalicItems, i+2, p.italicItem)
		if j := end2; j > i+2 && p.lit(j, "__") {
			if k := p.scan(scanNotAlnum, j+2); k > j+2 {
				return p.italicFragment(utf16Of("__"), p.italicItems(i+2), p.s[j+2:k]), k
			}
		}
	}
	if j := end1; j > i+1 && p.at(j) == '_' {
		if k := p.scan(scanNotAlpha, j+1); k > j+1 {
			return p.italicFragment(utf16Of("_"), p.italicItems(i+1), p.s[j+1:k]), k
		}
	}
	if double {
		if j := end2; j > i+2 && p.lit(j, "__") {
			return withKids(kItalic, p.italicItems(i+2)), j + 2
		}
	}
	if j := end1; j > i+1 && p.at(j) == '_' {
		return withKids(kItalic, p.italicItems(i+1)), j + 1
	}
	return nil, -1
}

func (p *parser) italicFragment(delim []uint16, items []*node, word []uint16) *node {
	list := make([]*node, 0, len(items)+3)
	list = append(list, plain(delim))
	list = append(list, items...)
	list = append(list, plain(delim), plain(word))
	return withKids(kFragment, reducePlain(list))
}

// italicItems is already reduced: the JS rule reduces before wrapping.
func (p *parser) italicItems(i int) []*node {
	return reducePlain(p.listItems(ruleItalicItems, i))
}

func (p *parser) italicItem(i int) (*node, int) {
	return p.emphasisItem(i, p.italicPreferred, scanItalicRun, '_')
}

func isItalicRunStop(c uint16) bool { return c == '\n' || c == '_' || c == ' ' || c == '*' || c == '~' }

func (p *parser) italicPreferred(i int) (*node, int) {
	return p.preferred(i, ruleItalicPreferred, italicPreferredRules, p.italicPreferred, '_')
}

func (p *parser) strikeItem(i int) (*node, int) {
	if j := p.scan(scanStrikeRun, i); j > i {
		return plain(p.s[i:j]), j
	}
	n, j := p.first(i, strikeRules)
	if j >= 0 {
		return n, j
	}
	if c := p.at(i); c >= 0 && c != '\n' && c != '~' && c != ' ' {
		return p.char(i), i + 1
	}
	return p.line(i)
}

// isStrikeRunStop also stops before emoji lead units so that emoji inside
// strikes are recognised.
func isStrikeRunStop(c uint16) bool {
	switch c {
	case '\n', '~', ' ', '*', '_', ':', '`', '@', '#', '[', ']', '\\', '<', '!', '|', 0xD83C, 0xD83D, 0xD83E:
		return true
	}
	return c >= 0x2300 && c <= 0x27BF
}

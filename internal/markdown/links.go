package markdown

// maybeReferences guards links like emphasis: no link inside a link label.
func (p *parser) maybeReferences(i int) (*node, int) {
	return p.guarded(&p.skipRefs, i, p.references)
}

// references is "[label](target)" or "<target|label>".
func (p *parser) references(i int) (*node, int) {
	switch p.at(i) {
	case '[':
		if !p.closerAhead(scanLinkMiddle, i+1) {
			return nil, -1
		}
		j := p.listEnd(ruleLinkTitle, i+1, p.linkTitleItem)
		if !p.lit(j, "](") {
			return nil, -1
		}
		src, k := p.markdownLinkTarget(j + 2)
		if k < 0 || p.at(k) != ')' {
			return nil, -1
		}
		var label []*node
		if j > i+1 {
			label = reducePlain(p.listItems(ruleLinkTitle, i+1))
		}
		return link(src, label), k + 1
	case '<':
		src, j := p.linkTarget(i + 1)
		if j < 0 || p.at(j) != '|' {
			return nil, -1
		}
		k := j + 1
		for k < len(p.s) && isPipeTitleChar(p.s[k]) {
			k++
		}
		if k == j+1 || p.at(k) != '>' {
			return nil, -1
		}
		return link(src, []*node{plain(p.s[j+1 : k])}), k + 1
	}
	return nil, -1
}

func isPipeTitleChar(c uint16) bool {
	return c >= 0x20 && c <= 0x3B || c == 0x3D || c >= 0x3F && c <= 0x7B || c >= 0x7D
}

// linkTitleItem is one piece of the (possibly empty) label of
// "[label](…)". Labels may contain emphasis and may even span lines; they
// stop before "](" followed by a character and before a "] [...](" that
// starts another link.
func (p *parser) linkTitleItem(i int) (*node, int) {
	if n, j := p.whitespace(i); j >= 0 {
		return n, j
	}
	if n, j := p.emphasis(i); j >= 0 {
		return n, j
	}
	if j := p.scan(scanTitleRun, i); j > i {
		return plain(p.s[i:j]), j
	}
	if i >= len(p.s) {
		return nil, -1
	}
	if p.lit(i, "](") && i+2 < len(p.s) {
		return nil, -1
	}
	if p.lit(i, "] [") {
		if k := p.scan(scanCloseBracket, i+3); p.at(k) == ']' && p.at(k+1) == '(' {
			return nil, -1
		}
	}
	return p.char(i), i + 1
}

func stopsLinkTitleRun(c uint16) bool {
	switch c {
	case ']', '(', ')', '*', '_', '~', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// markdownLinkTarget is the target of "[…](…)" and "![…](…)": a URL whose
// path may hold balanced parentheses, a scheme-prefixed path, or a phone
// number (as tel:).
func (p *parser) markdownLinkTarget(i int) ([]uint16, int) { return p.targetWith(i, p.mdBody) }

// linkTarget is the target of "<…|…>"; parentheses are not balanced there.
func (p *parser) linkTarget(i int) ([]uint16, int) { return p.targetWith(i, p.urlBody) }

// targetWith is a link target whose path ends where body says.
func (p *parser) targetWith(i int, body func(int) int) ([]uint16, int) {
	if j := p.urlHead(i); j >= 0 {
		k := body(j)
		return p.s[i:k], k
	}
	if j := p.scheme(i); j >= 0 {
		if k := body(j); k > j {
			return p.s[i:k], k
		}
	}
	return p.phoneTarget(i)
}

func (p *parser) phoneTarget(i int) ([]uint16, int) {
	ph, j := p.phone(i)
	if j < 0 {
		return nil, -1
	}
	return concatU16(utf16Of("tel:"), ph.number), j
}

// urlHead is "scheme://[userinfo@]host[:port]" or a bare "host[:port]".
func (p *parser) urlHead(i int) int {
	if j := p.scheme(i); j >= 0 {
		if k := p.authority(j); k >= 0 {
			return k
		}
	}
	return p.hostPort(i)
}

// scheme is 1 to 32 of [A-Za-z0-9+-] then ':'.
func (p *parser) scheme(i int) int {
	j := i
	for j < i+32 && j < len(p.s) && isSchemeChar(p.s[j]) {
		j++
	}
	if j == i || p.at(j) != ':' {
		return -1
	}
	return j + 1
}

func isSchemeChar(c uint16) bool { return isAlnumA(c) || c == '+' || c == '-' }

func (p *parser) authority(i int) int {
	if !p.lit(i, "//") {
		return -1
	}
	j := i + 2
	if k := p.userInfo(j); k >= 0 {
		j = k
	}
	return p.hostPort(j)
}

func isUserChar(c uint16) bool { return isAlnumA(c) || c != '@' && isSafe(c) }

func (p *parser) userInfo(i int) int {
	j := p.runUntil(i, func(c uint16) bool { return !isUserChar(c) })
	if j == i {
		return -1
	}
	if p.at(j) == ':' {
		if k := p.runUntil(j+1, func(c uint16) bool { return !isUserChar(c) }); k > j+1 {
			j = k
		}
	}
	if p.at(j) != '@' {
		return -1
	}
	return j + 1
}

func (p *parser) hostPort(i int) int {
	j := p.domainName(i)
	if j < 0 {
		j = p.dottedQuad(i)
		if j < 0 {
			return -1
		}
	}
	if p.at(j) == ':' {
		if k := p.skipDigits(j + 1); k > j+1 {
			j = k
		}
	}
	return j
}

func (p *parser) dottedQuad(i int) int {
	j := p.skipDigits(i)
	if j == i {
		return -1
	}
	for groups := 1; groups < 4; groups++ {
		if p.at(j) != '.' {
			return -1
		}
		k := p.skipDigits(j + 1)
		if k == j+1 {
			return -1
		}
		j = k
	}
	return j
}

// domainName is "localhost" or a dotted name not starting with '_'. In the
// JS grammar a label may contain '-' only inside domainChar's two-unit
// steps, so a label is simply a run of domain characters.
func (p *parser) domainName(i int) int {
	if p.lit(i, "localhost") {
		return i + 9
	}
	if p.at(i) == '_' {
		return -1
	}
	j := p.domainRunEnd(i)
	if j == i {
		return -1
	}
	if k := p.domainTail(j); k > j {
		return k
	}
	return -1
}

// domainChar reproduces a quirk of the JS grammar: '_' and '-' are consumed
// together with the character after them, and the checks that are meant for
// the character itself apply to that following one.
func (p *parser) domainChar(i int) int {
	c := p.at(i)
	if c < 0 {
		return -1
	}
	if isAlnumA(uint16(c)) {
		return i + 1
	}
	if isExtra(uint16(c)) {
		return -1
	}
	j := i
	if c == '_' || c == '-' {
		j++
	} else if isSafe(uint16(c)) {
		return -1
	}
	d := p.at(j)
	switch d {
	case -1, '\r', '\n', ' ', '\t', '\\', '/', '|', '>', '<', '%', '`', '[', ']':
		return -1
	}
	return j + 1
}

// mdBody is the path part of a markdown link target.
func (p *parser) mdBody(i int) int {
	k := i
	for {
		if m := p.scan(scanNonMdExtra, k); m > k && p.isBlankOrEOL(m) {
			return k
		}
		c := p.at(k)
		switch {
		case c < 0 || c == ' ' || c == '\t' || c == ')':
			return k
		case isMdChar(uint16(c)):
			k++
		case c == '(':
			m := p.scan(scanMdParen, k+1)
			if p.at(m) != ')' {
				return k
			}
			k = m + 1
		default:
			return k
		}
	}
}

func (p *parser) isBlankOrEOL(i int) bool {
	c := p.at(i)
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func isMdChar(c uint16) bool {
	return c >= 0x20 && c <= 0x27 || c >= 0x2A && c <= 0x5B || c >= 0x5D && c <= 0x7B || c >= 0x7D && c <= 0x7E || c >= 0x80
}

// isURLChar is isMdChar plus '('.
func isURLChar(c uint16) bool { return c == '(' || isMdChar(c) }

// urlBody is the path part of a "<…|…>" target.
func (p *parser) urlBody(i int) int { return p.scan(scanURLBody, i) }

type phoneMatch struct{ text, number []uint16 }

// phone is "+" then digits with an optional "(digits)" prefix and one '-'.
func (p *parser) phone(i int) (phoneMatch, int) {
	if p.at(i) != '+' {
		return phoneMatch{}, -1
	}
	j := i + 1
	// prefix: digits, or "(" digits ")"
	var prefix phoneMatch
	pe := -1
	if d := p.skipDigits(j); d > j {
		prefix, pe = phoneMatch{p.s[j:d], p.s[j:d]}, d
	} else if p.at(j) == '(' {
		if d := p.skipDigits(j + 1); d > j+1 && p.at(d) == ')' {
			prefix, pe = phoneMatch{p.s[j : d+1], p.s[j+1 : d]}, d+1
		}
	}
	plus := utf16Of("+")
	if pe >= 0 {
		if p.at(pe) == '-' {
			if d := p.skipDigits(pe + 1); d > pe+1 {
				return phoneMatch{concatU16(plus, p.s[j:d]), concatU16(prefix.number, p.s[pe+1:d])}, d
			}
		}
		if d1 := p.skipDigits(pe); d1 > pe {
			if p.at(d1) == '-' {
				if d2 := p.skipDigits(d1 + 1); d2 > d1+1 {
					return phoneMatch{concatU16(plus, p.s[j:d2]), concatU16(prefix.number, p.s[pe:d1], p.s[d1+1:d2])}, d2
				}
			}
			return phoneMatch{concatU16(plus, p.s[j:d1]), concatU16(prefix.number, p.s[pe:d1])}, d1
		}
	}
	if d := p.skipDigits(j); d > j {
		return phoneMatch{concatU16(plus, p.s[j:d]), p.s[j:d]}, d
	}
	return phoneMatch{}, -1
}

// autoPhone links numbers of five or more digits.
func (p *parser) autoPhone(i int) (*node, int) {
	ph, j := p.phone(i)
	if j < 0 {
		return nil, -1
	}
	if len(ph.number) < 5 {
		return plain(ph.text), j
	}
	return link(concatU16(utf16Of("tel:"), ph.number), []*node{plain(ph.text)}), j
}

// autoEmail is an address, optionally after "mailto:" (which is dropped
// from the output), linked when its domain has a known suffix.
func (p *parser) autoEmail(i int) (*node, int) {
	if !p.emailAhead(i) {
		return nil, -1
	}
	j := i
	if p.lit(j, "mailto:") {
		j += 7
	}
	start := j
	j = p.localPart(j)
	if j < 0 || p.at(j) != '@' {
		return nil, -1
	}
	j = p.domainName(j + 1)
	if j < 0 {
		return nil, -1
	}
	return autoEmail(p.s[start:j]), j
}

func (p *parser) localPart(i int) int {
	seg := func(k int) int {
		if c := p.at(k); c < 0 || !isLocalPartChar(uint16(c)) {
			return -1
		}
		for k < len(p.s) && (isLocalPartChar(p.s[k]) || isLocalPartSpecial(p.s[k])) {
			k++
		}
		return k
	}
	j := seg(i)
	if j < 0 {
		return -1
	}
	for p.at(j) == '.' {
		k := seg(j + 1)
		if k < 0 {
			break
		}
		j = k
	}
	return j
}

// underscoreDomain keeps "_host.tld" as plain text so that it does not
// autolink, unless another '_' follows (then italics get a chance).
func (p *parser) underscoreDomain(i int) (*node, int) {
	if p.at(i) != '_' {
		return nil, -1
	}
	j := p.domainName(i + 1)
	if j < 0 || p.at(j) == '_' {
		return nil, -1
	}
	return plain(p.s[i:j]), j
}

// autoLinkURL is a scheme URL or a bare host, followed by everything up to
// whitespace except trailing punctuation.
func (p *parser) autoLinkURL(i int) (*node, int) {
	if !p.urlAhead(i) {
		return nil, -1
	}
	j := p.urlHead(i)
	if j < 0 {
		return nil, -1
	}
	j = p.scan(scanAutoLinkTail, j)
	return autoLink(p.s[i:j], p.customDomains), j
}

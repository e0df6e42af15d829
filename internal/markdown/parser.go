package markdown

import "time"

// parser holds one parse. The grammar it implements is a PEG: ordered
// choice, greedy repetition without backtracking into a repetition, and
// lookahead. Rules are methods returning the end offset of their match, or
// -1 for failure; offsets and lengths are in UTF-16 code units like the JS
// parser's.
type parser struct {
	s []uint16

	colors, emoticons       bool
	katexParen, katexDollar bool
	customDomains           []string
	now                     func() time.Time
	skipBold, skipItalic    bool
	skipStrike, skipRefs    bool
	memo                    memoTable
	next                    nextIndex
	depth                   int
	// work counts rule calls and scanned code units; the linearity tests
	// bound it by a constant times the input length.
	work  int
	steps []listStep
	chars []*node
}

// rule is a grammar rule as a method expression, so ordered choices can be
// package-level tables.
type rule func(*parser, int) (*node, int)

// first is ordered choice: the first rule that matches at i wins.
func (p *parser) first(i int, rules []rule) (*node, int) {
	for _, r := range rules {
		if n, j := r(p, i); j >= 0 {
			return n, j
		}
	}
	return nil, -1
}

// maxDepth bounds rule nesting. The JS parser dies with a RangeError on
// inputs nested this deep and the server then stores no md; failing the
// same way keeps Go from spending unbounded stack on hostile input.
const maxDepth = 2500

func newParser(s []uint16, o Options) *parser {
	p := &parser{s: s, colors: o.Colors, emoticons: o.Emoticons, customDomains: o.CustomDomains, now: time.Now}
	if o.Katex != nil {
		p.katexParen = o.Katex.ParenthesisSyntax
		p.katexDollar = o.Katex.DollarSyntax
	}
	p.memo.init(len(s))
	return p
}

// char is the plain-text node of the single code unit at i. Single
// characters become nodes in many contexts; sharing one node per position
// saves most allocations on hostile input.
func (p *parser) char(i int) *node {
	if len(p.s) < 512 {
		return plain(p.s[i : i+1])
	}
	if p.chars == nil {
		p.chars = make([]*node, len(p.s))
	}
	if p.chars[i] == nil {
		p.chars[i] = plain(p.s[i : i+1])
	}
	return p.chars[i]
}

// at returns the code unit at i, or -1 past the end.
func (p *parser) at(i int) int {
	if i < len(p.s) {
		return int(p.s[i])
	}
	return -1
}

// lit reports whether the ASCII literal l occurs at i.
func (p *parser) lit(i int, l string) bool {
	if i+len(l) > len(p.s) {
		return false
	}
	for k := 0; k < len(l); k++ {
		if p.s[i+k] != uint16(l[k]) {
			return false
		}
	}
	return true
}

// litU reports whether the code units l occur at i.
func (p *parser) litU(i int, l []uint16) bool {
	return i+len(l) <= len(p.s) && equalU16(p.s[i:i+len(l)], l)
}

// blankAt reports a space or tab at i.
func (p *parser) blankAt(i int) bool { c := p.at(i); return c == ' ' || c == '\t' }

func (p *parser) hexAt(i int) bool { c := p.at(i); return c >= 0 && isHex(uint16(c)) }

// eol matches "\r\n", "\n" or "\r".
func (p *parser) eol(i int) int {
	switch p.at(i) {
	case '\r':
		if p.at(i+1) == '\n' {
			return i + 2
		}
		return i + 1
	case '\n':
		return i + 1
	}
	return -1
}

func (p *parser) skipSpaces(i int) int { return p.skipWhile(i, isSpaceTab) }
func (p *parser) skipDigits(i int) int { return p.skipWhile(i, isDigit) }

// skipWhile returns the first position from i where in does not hold.
func (p *parser) skipWhile(i int, in func(uint16) bool) int {
	j := i
	for j < len(p.s) && in(p.s[j]) {
		j++
	}
	p.work += j - i
	return j
}

// runUntil returns the first position from i where stop holds.
func (p *parser) runUntil(i int, stop func(uint16) bool) int {
	j := i
	for j < len(p.s) && !stop(p.s[j]) {
		j++
	}
	p.work += j - i
	return j
}

// state packs the four re-entrancy guards; memoised results depend on them.
func (p *parser) state() uint8 {
	var st uint8
	if p.skipBold {
		st |= 1
	}
	if p.skipItalic {
		st |= 2
	}
	if p.skipStrike {
		st |= 4
	}
	if p.skipRefs {
		st |= 8
	}
	return st
}

// errTooDeep is raised (as a panic caught in Parse) when nesting exceeds
// maxDepth.
type errTooDeep struct{}

func (p *parser) enter() {
	p.work++
	p.depth++
	if p.depth > maxDepth {
		panic(errTooDeep{})
	}
}

func (p *parser) leave() { p.depth-- }

// root is the start rule: a whole-message big emoji, else a run of blocks,
// paragraphs and line ends that must consume the entire input.
func (p *parser) root() ([]*node, bool) {
	if be, end := p.bigEmoji(0); end == len(p.s) {
		return []*node{be}, true
	}
	var out []*node
	i := 0
	for {
		if b, j := p.block(i); j >= 0 {
			out, i = append(out, b), j
			continue
		}
		if b, j := p.paragraph(i); j >= 0 {
			out, i = append(out, b), j
			continue
		}
		// Unreachable in practice (a line end is a LINE_BREAK block), but
		// it is the grammar's last alternative.
		if j := p.eol(i); j >= 0 {
			out, i = append(out, paragraph([]*node{plainStr("")})), j
			continue
		}
		break
	}
	return out, len(out) > 0 && i == len(p.s)
}

package markdown

// Scans answer "where is the first position >= i where X holds" for the
// predicates the grammar keeps re-evaluating. Many rules start a scan at
// every position of a long run (an unmatched "[" scans its label to the end
// of the message, and the next "[" does it again), which made the JS parser
// quadratic. Each predicate remembers the interval of its last scan, which
// answers the usual repeated query in O(1); if scanning still adds up to
// several times the input length, the predicate gets a full table.

type scanID uint8

const (
	scanKatexBlock scanID = iota
	scanKatexInline
	scanCloseBracket
	scanNonExtra
	scanNonMdExtra
	scanEmailStop
	scanURLStop
	scanPlainRun
	scanBoldRun
	scanItalicRun
	scanStrikeRun
	scanTitleRun
	scanNotStar
	scanNotUnderscore
	scanNotTilde
	scanNotSpace
	scanNotAt
	scanNotAlnum
	scanNotAlpha
	scanURLBody
	scanAutoLinkTail
	scanMdParen
	scanStar
	scanUnderscore
	scanTilde
	scanPipes
	scanLinkMiddle
	numScans
)

type scanCache struct {
	lo, hi int
	valid  bool
	spent  int
	table  []int32
}

type nextIndex struct {
	scans [numScans]scanCache
	// Domain names are sequences of two-unit steps, so they get tables
	// indexed by position instead of interval caches.
	domainRun, domainTail []int32
}

// stopAt is the predicate of each scan, for k < len(p.s).
func (p *parser) stopAt(id scanID, k int) bool {
	c := p.s[k]
	switch id {
	case scanKatexBlock:
		return p.katexParen && p.lit(k, `\]`) || p.katexDollar && p.lit(k, "$$")
	case scanKatexInline:
		return p.katexParen && p.lit(k, `\)`) || p.katexDollar && c == '$'
	case scanURLBody:
		// a run of trailing punctuation before a blank or the end, a blank,
		// or a character URLs cannot hold
		if m := p.scan(scanNonExtra, k); m > k && (m == len(p.s) || p.isBlankOrEOL(m)) {
			return true
		}
		return c == ' ' || c == '\t' || !isURLChar(c)
	case scanPipes:
		return p.lit(k, "||")
	case scanLinkMiddle:
		return p.lit(k, "](")
	case scanAutoLinkTail:
		if !isExtra(c) && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
		m := p.scan(scanNonExtra, k)
		return m == len(p.s) || p.isBlankOrEOL(m)
	}
	return charStop(id, c)
}

// charStop is the predicate of the scans that look at one code unit only
// (all but the KaTeX, URL-body and autolink-tail ones).
func charStop(id scanID, c uint16) bool {
	switch id {
	case scanCloseBracket:
		return c == ']'
	case scanNonExtra:
		return !isExtra(c)
	case scanNonMdExtra:
		return !isMdExtra(c)
	case scanEmailStop:
		return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '@'
	case scanURLStop:
		switch c {
		case ' ', '\t', '\r', '\n', ':', '.', '/', '@':
			return true
		}
		return false
	case scanPlainRun:
		return stopsPlainRun(c)
	case scanBoldRun:
		return isBoldRunStop(c)
	case scanItalicRun:
		return isItalicRunStop(c)
	case scanStrikeRun:
		return isStrikeRunStop(c)
	case scanTitleRun:
		return stopsLinkTitleRun(c)
	case scanNotStar:
		return c != '*'
	case scanNotUnderscore:
		return c != '_'
	case scanNotTilde:
		return c != '~'
	case scanNotSpace:
		return !isSpaceTab(c)
	case scanNotAt:
		return c != '@'
	case scanNotAlnum:
		return !isAlnumA(c)
	case scanNotAlpha:
		return !isAlpha(c)
	case scanStar:
		return c == '*'
	case scanUnderscore:
		return c == '_'
	case scanTilde:
		return c == '~'
	case scanMdParen:
		return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')' || !isURLChar(c)
	}
	panic("not a per-character scan")
}

// closerAhead reports whether id's predicate holds anywhere from i on. The
// content of bold, strike, spoilers and links can only end successfully at
// its closing delimiter, so without one ahead the attempt is skipped; that
// changes no result, it only saves the work of a doomed repetition.
func (p *parser) closerAhead(id scanID, i int) bool { return p.scan(id, i) < len(p.s) }

// scanFrom is the plain forward scan behind scan.
func (p *parser) scanFrom(id scanID, i int) int {
	for i < len(p.s) && !p.stopAt(id, i) {
		i++
	}
	return i
}

// scan returns the first k >= i where the predicate holds, or len(p.s).
func (p *parser) scan(id scanID, i int) int {
	n := len(p.s)
	if i >= n {
		return n
	}
	c := &p.next.scans[id]
	if c.table != nil {
		return int(c.table[i])
	}
	if c.valid && i >= c.lo && i <= c.hi {
		return c.hi
	}
	j := p.scanFrom(id, i)
	p.work += j - i + 1
	c.lo, c.hi, c.valid = i, j, true
	if c.spent += j - i + 1; c.spent > 4*n+256 {
		t := make([]int32, n+1)
		t[n] = int32(n)
		for k := n - 1; k >= 0; k-- {
			if p.stopAt(id, k) {
				t[k] = int32(k)
			} else {
				t[k] = t[k+1]
			}
		}
		c.table = t
	}
	return j
}

func (p *parser) katexBlockEnd(i int) int {
	if k := p.scan(scanKatexBlock, i); k < len(p.s) {
		return k
	}
	return -1
}

// katexInlineEnd returns the first closing delimiter at or after i and its
// width.
func (p *parser) katexInlineEnd(i int) (int, int) {
	k := p.scan(scanKatexInline, i)
	if k >= len(p.s) {
		return -1, 0
	}
	if p.katexParen && p.lit(k, `\)`) {
		return k, 2
	}
	return k, 1
}

// emailAhead: non-blank characters other than '@', then '@'.
func (p *parser) emailAhead(i int) bool {
	return p.at(p.scan(scanEmailStop, i)) == '@'
}

// urlAhead: characters other than blanks and ": . / @", then "://" or ".".
func (p *parser) urlAhead(i int) bool {
	k := p.scan(scanURLStop, i)
	return p.at(k) == '.' || p.lit(k, "://")
}

// domainRunEnd is the end of the domain characters from i.
func (p *parser) domainRunEnd(i int) int {
	if len(p.s) <= 256 {
		return p.domainRunDirect(i)
	}
	if p.next.domainRun == nil {
		n := len(p.s)
		t := make([]int32, n+1)
		t[n] = int32(n)
		for k := n - 1; k >= 0; k-- {
			if e := p.domainChar(k); e < 0 {
				t[k] = int32(k)
			} else {
				t[k] = t[e]
			}
		}
		p.next.domainRun = t
	}
	return int(p.next.domainRun[min(i, len(p.s))])
}

func (p *parser) domainRunDirect(i int) int {
	for {
		p.work++
		k := p.domainChar(i)
		if k < 0 {
			return i
		}
		i = k
	}
}

// domainTail follows ".label" steps from j, the end of a label.
func (p *parser) domainTail(j int) int {
	step := func(k int) int {
		if p.at(k) == '.' {
			if e := p.domainRunEnd(k + 1); e > k+1 {
				return e
			}
		}
		return -1
	}
	if len(p.s) <= 256 {
		for {
			e := step(j)
			if e < 0 {
				return j
			}
			j = e
		}
	}
	if p.next.domainTail == nil {
		n := len(p.s)
		t := make([]int32, n+1)
		t[n] = int32(n)
		for k := n - 1; k >= 0; k-- {
			if e := step(k); e < 0 {
				t[k] = int32(k)
			} else {
				t[k] = t[e]
			}
		}
		p.next.domainTail = t
	}
	return int(p.next.domainTail[min(j, len(p.s))])
}

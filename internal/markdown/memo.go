package markdown

// Memoisation makes the parser linear on inputs where the JS parser
// re-parses the same text again and again (unmatched "[", "||", "*", long
// emoticon chains). A result depends on the position and on the four
// re-entrancy guards, so both are part of the key.

type ruleID uint8

const (
	ruleInlineItem ruleID = iota + 1
	ruleBoldPreferred
	ruleItalicPreferred
	ruleBoldItems
	ruleItalicItems
	ruleStrikeItems
	ruleSpoilerItems
	ruleLinkTitle
	ruleZWJ
)

// memoEntry is one result. For list rules, n/next describe the single item
// at this position (next < 0: no item) and end is where the whole
// repetition starting here stops.
type memoEntry struct {
	n    *node
	end  int32
	next int32
}

const numRules = 10

// memoTable has, per (rule, guard state) pair actually used, an array over
// positions pointing into one slab of entries. Only a handful of pairs
// occur in practice, so memory stays proportional to the input.
type memoTable struct {
	n     int
	index [numRules * 16][]int32 // entry index+1, 0 = none
	pool  []int32                // carved into index arrays, fewer allocations
	slab  []memoEntry
}

func (t *memoTable) init(n int) { t.n, t.slab = n, make([]memoEntry, 0, n/2+16) }

func (t *memoTable) newIndex() []int32 {
	if len(t.pool) < t.n+1 {
		t.pool = make([]int32, 2*(t.n+1))
	}
	ix := t.pool[: t.n+1 : t.n+1]
	t.pool = t.pool[t.n+1:]
	return ix
}

func (t *memoTable) get(r ruleID, pos int, st uint8) (memoEntry, bool) {
	ix := t.index[int(r)<<4|int(st)]
	if ix == nil || ix[pos] == 0 {
		return memoEntry{}, false
	}
	return t.slab[ix[pos]-1], true
}

func (t *memoTable) put(r ruleID, pos int, st uint8, n *node, end int) {
	t.putEntry(r, pos, st, memoEntry{n: n, end: int32(end)})
}

func (t *memoTable) putEntry(r ruleID, pos int, st uint8, e memoEntry) {
	ix := t.index[int(r)<<4|int(st)]
	if ix == nil {
		ix = t.newIndex()
		t.index[int(r)<<4|int(st)] = ix
	}
	if ix[pos] != 0 {
		t.slab[ix[pos]-1] = e
		return
	}
	t.slab = append(t.slab, e)
	ix[pos] = int32(len(t.slab))
}

type listStep struct {
	pos, next int
	n         *node
}

// listEnd runs item repeatedly from i and returns where the repetition
// stops. Every position it passes is remembered with the final end, so a
// later repetition that reaches one of them finishes at once.
func (p *parser) listEnd(r ruleID, i int, item func(int) (*node, int)) int {
	st := p.state()
	base := len(p.steps) // nested repetitions share the stack
	pos, end := i, -1
	for {
		if e, ok := p.memo.get(r, pos, st); ok {
			end = int(e.end)
			break
		}
		p.work++
		n, j := item(pos)
		if j < 0 {
			p.memo.putEntry(r, pos, st, memoEntry{end: int32(pos), next: -1})
			end = pos
			break
		}
		p.steps = append(p.steps, listStep{pos, j, n})
		pos = j
	}
	for _, s := range p.steps[base:] {
		p.memo.putEntry(r, s.pos, st, memoEntry{n: s.n, end: int32(end), next: int32(s.next)})
	}
	p.steps = p.steps[:base]
	return end
}

// listItems returns the items of a repetition that listEnd computed.
func (p *parser) listItems(r ruleID, i int) []*node {
	st := p.state()
	var out []*node
	for {
		e, _ := p.memo.get(r, i, st)
		if e.next < 0 || int(e.end) == i {
			return out
		}
		out = append(out, e.n)
		i = int(e.next)
	}
}

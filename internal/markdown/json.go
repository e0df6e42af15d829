package markdown

import (
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The writer mirrors JSON.stringify of the JS tree: same key order, keys
// holding undefined left out, the same string escaping (lone surrogates as
// \uXXXX, nothing else beyond what JSON requires) and JS number formatting.
// That makes the output byte-identical to the oracle's for the same tree.

type jsonWriter struct{ b []byte }

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

func (w *jsonWriter) typ(k kind) {
	w.raw(`{"type":"`)
	w.raw(kindNames[k])
	w.b = append(w.b, '"')
}

func (w *jsonWriter) nodes(list []*node) {
	w.b = append(w.b, '[')
	for i, n := range list {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.node(n)
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) valueNodes(list []*node) {
	w.raw(`,"value":`)
	w.nodes(list)
}

func (w *jsonWriter) rangeKey(r [2]int) {
	w.raw(`,"fallback":[`)
	w.b = strconv.AppendInt(w.b, int64(r[0]), 10)
	w.b = append(w.b, ',')
	w.b = strconv.AppendInt(w.b, int64(r[1]), 10)
	w.b = append(w.b, ']')
}

func (w *jsonWriter) node(n *node) {
	w.typ(n.kind)
	switch n.kind {
	case kPlain, kKatex, kInlineKatex:
		w.raw(`,"value":`)
		w.str(n.text)
	case kInlineCode, kCodeLine, kMentionUser, kMentionChannel:
		w.raw(`,"value":`)
		w.node(n.sub)
	case kCode:
		w.raw(`,"language":`)
		w.str(n.text)
		w.valueNodes(n.kids)
	case kLink:
		w.raw(`,"value":{"src":`)
		w.node(n.sub)
		w.raw(`,"label":`)
		w.nodes(n.kids)
		w.b = append(w.b, '}')
	case kImage:
		w.raw(`,"value":{"src":`)
		w.node(n.sub)
		w.raw(`,"label":`)
		w.node(n.ext.sub2)
		w.b = append(w.b, '}')
	case kEmoji:
		if n.sub != nil {
			w.raw(`,"value":`)
			w.node(n.sub)
			w.raw(`,"shortCode":`)
		} else {
			w.raw(`,"unicode":`)
		}
		w.str(n.text)
	case kHeading:
		w.raw(`,"level":`)
		w.num(n.ext.num)
		w.valueNodes(n.kids)
	case kListItem:
		w.valueNodes(n.kids)
		if n.flag {
			w.raw(`,"number":`)
			w.num(n.ext.num)
		}
	case kTask:
		if n.flag {
			w.raw(`,"status":true`)
		} else {
			w.raw(`,"status":false`)
		}
		w.valueNodes(n.kids)
	case kColor:
		w.raw(`,"value":{"r":`)
		w.b = strconv.AppendInt(w.b, int64(n.ext.rgba[0]), 10)
		w.raw(`,"g":`)
		w.b = strconv.AppendInt(w.b, int64(n.ext.rgba[1]), 10)
		w.raw(`,"b":`)
		w.b = strconv.AppendInt(w.b, int64(n.ext.rgba[2]), 10)
		w.raw(`,"a":`)
		w.b = strconv.AppendInt(w.b, int64(n.ext.rgba[3]), 10)
		w.b = append(w.b, '}')
	case kLineBreak:
	case kHorizontalRule:
		w.rangeKey(n.ext.rng)
	case kTable:
		w.raw(`,"value":{"header":`)
		w.nodes(n.kids)
		w.raw(`,"rows":`)
		w.nodes(n.ext.rows)
		w.b = append(w.b, '}')
		w.rangeKey(n.ext.rng)
	case kTableCell:
		if n.text != nil {
			w.raw(`,"align":`)
			w.str(n.text)
		}
		w.valueNodes(n.kids)
	case kTimestamp:
		w.raw(`,"value":{"timestamp":`)
		w.str(n.text)
		w.raw(`,"format":"`)
		w.b = append(w.b, n.format, '"', '}')
		w.rangeKey(n.ext.rng)
	default:
		w.valueNodes(n.kids)
	}
	w.b = append(w.b, '}')
}

// num formats like JS Number#toString for the integral values the tree
// holds (list numbers can exceed int64 or even overflow to Infinity, which
// JSON.stringify writes as null).
func (w *jsonWriter) num(f float64) {
	switch {
	case math.IsInf(f, 0) || math.IsNaN(f):
		w.raw("null")
	case math.Abs(f) < 1e21:
		w.b = strconv.AppendFloat(w.b, f, 'f', -1, 64)
	default:
		w.b = strconv.AppendFloat(w.b, f, 'g', -1, 64)
	}
}

const hexDigits = "0123456789abcdef"

func (w *jsonWriter) str(s []uint16) {
	w.b = append(w.b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			w.raw(`\"`)
		case c == '\\':
			w.raw(`\\`)
		case c < 0x20:
			switch c {
			case '\b':
				w.raw(`\b`)
			case '\f':
				w.raw(`\f`)
			case '\n':
				w.raw(`\n`)
			case '\r':
				w.raw(`\r`)
			case '\t':
				w.raw(`\t`)
			default:
				w.raw(`\u00`)
				w.b = append(w.b, hexDigits[c>>4], hexDigits[c&15])
			}
		case c < 0x80:
			w.b = append(w.b, byte(c))
		case utf16.IsSurrogate(rune(c)):
			if c < 0xDC00 && i+1 < len(s) && s[i+1] >= 0xDC00 && s[i+1] <= 0xDFFF {
				w.b = utf8.AppendRune(w.b, utf16.DecodeRune(rune(c), rune(s[i+1])))
				i++
				continue
			}
			w.raw(`\u`)
			w.b = append(w.b, hexDigits[c>>12], hexDigits[c>>8&15], hexDigits[c>>4&15], hexDigits[c&15])
		default:
			w.b = utf8.AppendRune(w.b, rune(c))
		}
	}
	w.b = append(w.b, '"')
}

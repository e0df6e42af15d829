package markdown

// reducePlain is the JS reducePlainTexts: it splices fragments into the
// list, turns shortcode and emoticon EMOJI that touch text or another emoji
// back into text, and merges adjacent plain texts. Inputs are not modified.
func reducePlain(items []*node) []*node {
	flat := items
	for _, n := range items {
		if n.kind == kFragment {
			flat = make([]*node, 0, len(items)+4)
			for _, m := range items {
				if m.kind == kFragment {
					flat = append(flat, m.kids...)
				} else {
					flat = append(flat, m)
				}
			}
			break
		}
	}
	out := make([]*node, 0, len(flat))
	var buf []uint16 // pending merged text, when several plains meet
	pending := -1    // index in out of the plain text being extended
	flush := func() {
		if pending >= 0 && buf != nil {
			out[pending] = plain(buf)
		}
		pending, buf = -1, nil
	}
	for k, n := range flat {
		if n.kind == kEmoji && n.sub != nil {
			var prev, next *node
			if k > 0 {
				prev = flat[k-1]
			}
			if k+1 < len(flat) {
				next = flat[k+1]
			}
			n = demoteEmoji(n, prev, next)
		}
		if n.kind != kPlain {
			flush()
			out = append(out, n)
			continue
		}
		if pending < 0 {
			pending = len(out)
			out = append(out, n)
			continue
		}
		if buf == nil {
			buf = append(make([]uint16, 0, len(out[pending].text)+len(n.text)+16), out[pending].text...)
		}
		buf = append(buf, n.text...)
	}
	flush()
	return out
}

// demoteEmoji decides, like the JS code, whether an EMOJI with a text
// value stays an emoji: not when it is next to another EMOJI or to a plain
// text that is not blank.
func demoteEmoji(n, prev, next *node) *node {
	if prev == nil && next == nil {
		return n
	}
	nearEmoji := prev != nil && prev.kind == kEmoji || next != nil && next.kind == kEmoji
	nearText := prev != nil && prev.kind == kPlain && !isBlankJS(prev.text) ||
		next != nil && next.kind == kPlain && !isBlankJS(next.text)
	if !nearEmoji && !nearText {
		return n
	}
	if n.isEmoticon() {
		return n.sub
	}
	return plain(concatU16([]uint16{':'}, n.sub.text, []uint16{':'}))
}

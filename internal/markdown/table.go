package markdown

// table is a GFM table: a header row, a delimiter row, then body rows, all
// with leading and trailing pipes.
func (p *parser) table(i int) (*node, int) {
	header, j := p.tableRow(i)
	if j < 0 {
		return nil, -1
	}
	aligns, j := p.delimiterRow(j)
	if j < 0 {
		return nil, -1
	}
	var rows [][][]*node
	for {
		r, k := p.tableRow(j)
		if k < 0 {
			break
		}
		rows, j = append(rows, r), k
	}
	cell := func(content []*node, col int) *node {
		c := &node{kind: kTableCell, kids: trimCell(content)}
		if col < len(aligns) {
			c.text = aligns[col]
		}
		return c
	}
	t := &node{kind: kTable, ext: &nodeExt{rng: [2]int{i, j}}}
	for col, content := range header {
		t.kids = append(t.kids, cell(content, col))
	}
	// Body rows always get exactly as many cells as the header.
	for _, r := range rows {
		row := &node{kind: kTableRow}
		for col := range header {
			var content []*node
			if col < len(r) {
				content = r[col]
			}
			row.kids = append(row.kids, cell(content, col))
		}
		t.ext.rows = append(t.ext.rows, row)
	}
	if t.kids == nil {
		t.kids = []*node{}
	}
	return t, j
}

// tableRow is "|" followed by one or more "cell |", then an optional line end.
func (p *parser) tableRow(i int) ([][]*node, int) { return pipeRow(p, i, p.tableCell) }

// pipeRow is "|" followed by one or more cells each closed by "|", then an
// optional line end: the shape of a table's rows and of its delimiter row.
func pipeRow[T any](p *parser, i int, cell func(int) (T, int)) ([]T, int) {
	if p.at(i) != '|' {
		return nil, -1
	}
	i++
	var cells []T
	for {
		c, j := cell(i)
		if j < 0 || p.at(j) != '|' {
			break
		}
		cells, i = append(cells, c), j+1
	}
	if cells == nil {
		return nil, -1
	}
	if j := p.eol(i); j >= 0 {
		i = j
	}
	return cells, i
}

// tableCell never fails; "\|" is a literal pipe.
func (p *parser) tableCell(i int) ([]*node, int) {
	var items []*node
	for {
		if p.lit(i, `\|`) {
			items, i = append(items, plainStr("|")), i+2
			continue
		}
		if p.at(i) == '|' || p.eol(i) >= 0 {
			break
		}
		n, j := p.inlineOrChar(i)
		if j < 0 {
			break
		}
		items, i = append(items, n), j
	}
	return reducePlain(items), i
}

var alignNames = [4][]uint16{nil, utf16Of("left"), utf16Of("right"), utf16Of("center")}

func (p *parser) delimiterRow(i int) ([][]uint16, int) { return pipeRow(p, i, p.delimiterCell) }

func (p *parser) delimiterCell(i int) ([]uint16, int) {
	i = p.skipSpaces(i)
	left := p.at(i) == ':'
	if left {
		i++
	}
	j := i
	for p.at(j) == '-' {
		j++
	}
	if j == i {
		return nil, -1
	}
	right := p.at(j) == ':'
	if right {
		j++
	}
	idx := 0
	if left {
		idx |= 1
	}
	if right {
		idx |= 2
	}
	return alignNames[idx], p.skipSpaces(j)
}

// trimCell strips leading blanks from a first plain text and trailing
// blanks from a last one, dropping either if it becomes empty.
func trimCell(content []*node) []*node {
	out := append([]*node{}, content...)
	if len(out) > 0 && out[0].kind == kPlain {
		t := out[0].text
		k := 0
		for k < len(t) && isJSSpace(t[k]) {
			k++
		}
		if k == len(t) {
			out = out[1:]
		} else {
			out[0] = plain(t[k:])
		}
	}
	if len(out) > 0 && out[len(out)-1].kind == kPlain {
		t := out[len(out)-1].text
		k := len(t)
		for k > 0 && isJSSpace(t[k-1]) {
			k--
		}
		if k == 0 {
			out = out[:len(out)-1]
		} else {
			out[len(out)-1] = plain(t[:k])
		}
	}
	return out
}

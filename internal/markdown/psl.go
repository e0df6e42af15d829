package markdown

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf16"
)

// psl.txt is the public-suffix snapshot bundled in the JS parser (tldts),
// extracted by testdata/gen/extract-data.js. Using the very same snapshot
// keeps autolinking decisions identical.
//
//go:embed psl.txt
var pslText string

type pslNode struct {
	flag uint8 // 1 = ICANN rule, 2 = private rule, 0 = only a path
	kids map[string]*pslNode
}

var (
	pslOnce             sync.Once
	pslRules, pslExcept *pslNode
)

func loadPSL() {
	pslRules, pslExcept = &pslNode{}, &pslNode{}
	for _, line := range strings.Split(pslText, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		flag, name := line[0]-'0', line[2:]
		root := pslRules
		if name[0] == '!' {
			root, name = pslExcept, name[1:]
		}
		labels := strings.Split(name, ".")
		n := root
		for k := len(labels) - 1; k >= 0; k-- {
			c := n.kids[labels[k]]
			if c == nil {
				if n.kids == nil {
					n.kids = map[string]*pslNode{}
				}
				c = &pslNode{}
				n.kids[labels[k]] = c
			}
			n = c
		}
		n.flag = flag
	}
}

// suffixLookup reports whether hostname ends in an ICANN or a private
// public suffix, walking labels right to left the way tldts does (a "*"
// child matches any label; exception rules are consulted first).
func suffixLookup(hostname string) (icann, private bool) {
	pslOnce.Do(loadPSL)
	labels := strings.Split(hostname, ".")
	for _, root := range []*pslNode{pslExcept, pslRules} {
		found := false
		n := root
		for k := len(labels) - 1; n != nil; k-- {
			if n.flag != 0 {
				found, icann, private = true, n.flag == 1, n.flag == 2
			}
			if k < 0 {
				break
			}
			next, ok := n.kids[labels[k]]
			if !ok {
				next = n.kids["*"]
			}
			n = next
		}
		if found {
			return icann, private
		}
	}
	return false, false
}

func utf16ToString(s []uint16) string { return string(utf16.Decode(s)) }

// Package markdown parses Rocket.Chat message text into the "md" tree that
// the server stores with each message, matching @rocket.chat/message-parser
// 0.32.0 node for node (see docs/markdown.md).
package markdown

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
)

// KatexOptions selects the TeX delimiters: \( \) and \[ \] with
// ParenthesisSyntax, $ $ and $$ $$ with DollarSyntax.
type KatexOptions struct{ DollarSyntax, ParenthesisSyntax bool }

// Options mirror the JS parser's options object.
type Options struct {
	Colors        bool          // color:#rrggbb previews (HexColorPreview_Enabled)
	Emoticons     bool          // ASCII emoticons become EMOJI
	Katex         *KatexOptions // nil = no KaTeX at all (Katex_Enabled off)
	CustomDomains []string      // extra autolink suffixes (Message_CustomDomain_AutoLink)
}

// DefaultOptions are the options a fresh server passes.
func DefaultOptions() Options {
	return Options{
		Colors:        true,
		Emoticons:     true,
		Katex:         &KatexOptions{DollarSyntax: false, ParenthesisSyntax: true},
		CustomDomains: []string{},
	}
}

// ErrSyntax is returned where the JS parser throws: the grammar cannot
// cover the input (only the empty string in practice) or the input nests
// too deeply.
var ErrSyntax = errors.New("markdown: message cannot be parsed")

// errInternal marks a recovered panic: a bug, never expected (the fuzz test
// looks for it).
var errInternal = errors.New("internal error")

// Parse returns the md tree of text as JSON, or ErrSyntax (wrapped) where
// the JS parser would throw. It never panics.
func Parse(text string, opts Options) (md json.RawMessage, err error) {
	nodes, err := parseNodes(text, opts)
	if err != nil {
		return nil, err
	}
	w := jsonWriter{b: make([]byte, 0, len(text)*8+256)}
	w.nodes(nodes)
	return w.b, nil
}

// toUTF16 converts like the JS runtime sees the string: invalid UTF-8 bytes
// become U+FFFD.
func toUTF16(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			out = append(out, uint16(hi), uint16(lo))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

func parseNodes(text string, opts Options) (nodes []*node, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errTooDeep); ok {
				nodes, err = nil, fmt.Errorf("%w: nested too deeply", ErrSyntax)
				return
			}
			nodes, err = nil, fmt.Errorf("%w: %w: %v", ErrSyntax, errInternal, r)
		}
	}()
	p := newParser(toUTF16(text), opts)
	nodes, ok := p.root()
	if !ok {
		return nil, ErrSyntax
	}
	return nodes, nil
}

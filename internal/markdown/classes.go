package markdown

import (
	"sort"
	"unicode/utf16"
)

// The JS grammar works on UTF-16 code units, so every character class here
// is a predicate on one uint16 (surrogate halves included), never on runes.

type cuRange struct{ lo, hi uint16 }

func inRanges(r []cuRange, c uint16) bool {
	i := sort.Search(len(r), func(i int) bool { return r[i].hi >= c })
	return i < len(r) && r[i].lo <= c
}

func utf16Of(s string) []uint16 { return utf16.Encode([]rune(s)) }

func equalU16(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func concatU16(parts ...[]uint16) []uint16 {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]uint16, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func isDigit(c uint16) bool    { return c >= '0' && c <= '9' }
func isHex(c uint16) bool      { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isAlpha(c uint16) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnumA(c uint16) bool   { return isAlpha(c) || isDigit(c) }
func isSpaceTab(c uint16) bool { return c == ' ' || c == '\t' }

// isAnyText is the grammar's "text" class: printable ASCII minus the
// markup characters ( ) * [ \ ] ^ _ ` { | } ~, plus everything >= 0x80.
func isAnyText(c uint16) bool {
	return c >= 0x20 && c <= 0x27 || c >= 0x2B && c <= 0x5A || c >= 0x61 && c <= 0x7A || c >= 0x80
}

// isExtra is the trailing punctuation that autolinks leave out.
func isExtra(c uint16) bool {
	switch c {
	case '.', ',', '!', '%', '~', '*', '"', '\'', ':', ';', '(', ')', '=':
		return true
	}
	return false
}

// isMdExtra is the narrower trailing-punctuation set of [label](url) targets.
func isMdExtra(c uint16) bool {
	switch c {
	case '.', ',', '!', '%', '*', '"', '\'', ':', ';', '=':
		return true
	}
	return false
}

// isSafe is the URL "safe" punctuation set.
func isSafe(c uint16) bool {
	switch c {
	case '$', '@', '&', '+', '_', '#', '?', '-':
		return true
	}
	return false
}

func isAlnumChar(c uint16) bool { return inRanges(alnumCharRanges, c) }

// The grammar's name and e-mail local-part classes are the letter-and-digit
// class plus a few characters, so they are built on its table rather than
// repeating it (extract-data.js checks both relations when it regenerates
// the tables).

// isNameChar is the user and channel name class: letters, digits, "-", "."
// and "_".
func isNameChar(c uint16) bool { return c == '-' || c == '.' || c == '_' || isAlnumChar(c) }

// isLocalPartChar is the class of e-mail local parts: letters and digits,
// marks and emoji pieces.
func isLocalPartChar(c uint16) bool {
	return isAlnumChar(c) || inRanges(localPartExtraRanges, c)
}

func isLocalPartSpecial(c uint16) bool {
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '/', '=', '?', '^', '_', '`', '{', '|', '}', '~', '-':
		return true
	}
	return false
}

// isJSSpace is the set String.prototype.trim and /\s/ remove.
func isJSSpace(c uint16) bool {
	switch c {
	case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return c >= 0x2000 && c <= 0x200A
}

func isBlankJS(s []uint16) bool {
	for _, c := range s {
		if !isJSSpace(c) {
			return false
		}
	}
	return true
}

package translate

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The placeholder is Rocket.Chat's. Providers in plain-text mode sometimes
// add spaces or change case inside it, so restoring accepts those variants.
const placeholderFormat = "<i class=notranslate>{%d}</i>"

var (
	placeholderRE = regexp.MustCompile(`(?i)<\s*i\s+class\s*=\s*["']?\s*notranslate\s*["']?\s*>\s*\{\s*(\d+)\s*\}\s*<\s*/\s*i\s*>`)
	fencedRE      = regexp.MustCompile("(?s)```.*?```")
	inlineCodeRE  = regexp.MustCompile("`[^`\n]+`")
	mdLinkRE      = regexp.MustCompile(`(!?\[)([^\]\n]*)(\]\(https?://[^)\s]+\))`)
	slackLinkRE   = regexp.MustCompile(`(<https?://[^|>\s]+\|)([^>\n]*)(>)`)
	angleURLRE    = regexp.MustCompile(`<https?://[^|>\s]+>`)
	bareURLRE     = regexp.MustCompile(`https?://[^\s<>]+`)
	emojiRE       = regexp.MustCompile(`:[+\-\w]+:`)
	mentionRE     = regexp.MustCompile(`(^|[\s>])([@#][\w.\-]+(?:@[\w.\-]+)?)`)
)

type token struct {
	text string
	// literal tokens hold text that looked like a placeholder in the
	// original message; they are put back verbatim, never expanded.
	literal bool
}

type tokenizer struct {
	toks []token
}

func (z *tokenizer) add(s string, literal bool) string {
	z.toks = append(z.toks, token{text: s, literal: literal})
	return strings.Replace(placeholderFormat, "%d", strconv.Itoa(len(z.toks)-1), 1)
}

// tokenise replaces the parts of a message that must survive translation
// unchanged with placeholders. Order matters: code first, so nothing inside
// code is touched; then links, whose labels stay translatable while their
// targets are protected; then bare URLs, emoji shortcodes, and finally
// @mentions and #channels. Rocket.Chat protects only the mentions the
// message resolved; protecting every @name and #name keeps the library
// independent of the message store and errs on the side of not
// translating a name.
func tokenise(text string) (string, []token) {
	z := &tokenizer{}
	text = placeholderRE.ReplaceAllStringFunc(text, func(m string) string { return z.add(m, true) })
	whole := func(m string) string { return z.add(m, false) }
	text = fencedRE.ReplaceAllStringFunc(text, whole)
	text = inlineCodeRE.ReplaceAllStringFunc(text, whole)
	text = mdLinkRE.ReplaceAllStringFunc(text, func(m string) string {
		p := mdLinkRE.FindStringSubmatch(m)
		return z.add(p[1], false) + p[2] + z.add(p[3], false)
	})
	text = slackLinkRE.ReplaceAllStringFunc(text, func(m string) string {
		p := slackLinkRE.FindStringSubmatch(m)
		return z.add(p[1], false) + p[2] + z.add(p[3], false)
	})
	text = angleURLRE.ReplaceAllStringFunc(text, whole)
	text = bareURLRE.ReplaceAllStringFunc(text, whole)
	text = replaceEmoji(text, z)
	text = mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		p := mentionRE.FindStringSubmatch(m)
		return p[1] + z.add(p[2], false)
	})
	return text, z.toks
}

// replaceEmoji protects :shortcodes: that do not follow a letter or digit,
// so clock times such as 10:30:45 stay translatable text.
func replaceEmoji(text string, z *tokenizer) string {
	var b strings.Builder
	last := 0
	for _, loc := range emojiRE.FindAllStringIndex(text, -1) {
		if loc[0] > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:loc[0]])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		b.WriteString(text[last:loc[0]])
		b.WriteString(z.add(text[loc[0]:loc[1]], false))
		last = loc[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// detokenise puts the protected parts back. A token's text may contain
// placeholders of earlier tokens (a later rule matched around them), so
// expansion recurses, always into lower indices.
func detokenise(text string, toks []token) string {
	var expand func(s string, limit int) string
	expand = func(s string, limit int) string {
		return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
			i, err := strconv.Atoi(placeholderRE.FindStringSubmatch(m)[1])
			if err != nil || i < 0 || i >= limit {
				return m
			}
			if toks[i].literal {
				return toks[i].text
			}
			return expand(toks[i].text, i)
		})
	}
	return expand(text, len(toks))
}

// translatable reports whether a tokenised line has anything a translator
// could change: a letter outside the placeholders.
func translatable(line string) bool {
	for _, r := range placeholderRE.ReplaceAllString(line, "") {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

var attachmentLinkRE = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// attachmentSource picks what Rocket.Chat translates for an attachment.
func attachmentSource(description, text string) string {
	if strings.TrimSpace(description) != "" {
		return description
	}
	return attachmentLinkRE.ReplaceAllString(text, "$1")
}

package preview

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits on what one page may contribute, so a hostile page cannot bloat
// every message that links to it.
const (
	maxMetaKeys     = 64
	maxMetaValueLen = 4096
)

// Page is what Extract finds in an HTML document.
type Page struct {
	// Meta holds the kept metadata, keyed the way Rocket.Chat keys it.
	Meta map[string]string
	// OEmbedURL is the href of the first
	// <link rel="alternate" type="application/json+oembed">, unresolved.
	OEmbedURL string
}

// Extract reads an HTML document (already decoded to UTF-8) and returns its
// preview metadata:
//   - the first <title> as pageTitle;
//   - every <meta> with a name or property attribute and a content
//     attribute, its name camel-cased as Rocket.Chat's change-case does
//     (og:image:width -> ogImageWidth, msapplication-TileColor ->
//     msapplicationTileColor), the first occurrence of a name winning;
//   - the oEmbed discovery link.
//
// Only keys Rocket.Chat keeps are returned: pageTitle, title, description
// and names starting with og, fb, twitter, oembed or msapplication, with
// blank values dropped and values trimmed. oembedHtml is never taken from a
// page's meta tags (Rocket.Chat drops it too), since clients render it as
// HTML. Reading stops at </head>; documents without one are read to the
// end of r. The error is a read error of r, never a syntax error: the
// tokenizer accepts any input, as browsers do.
func Extract(r io.Reader) (Page, error) {
	z := html.NewTokenizer(r)
	meta := map[string]string{}
	page := Page{Meta: meta}
	inTitle := false
	var title strings.Builder
	haveTitle := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return page, err
			}
			return page, nil
		case html.TextToken:
			if inTitle {
				title.Write(z.Text())
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Title:
				if inTitle {
					inTitle = false
					haveTitle = true
					put(meta, "pageTitle", title.String())
				}
			case atom.Head:
				return page, nil
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Title:
				if !haveTitle && tt == html.StartTagToken {
					inTitle = true
					title.Reset()
				}
			case atom.Meta:
				if !hasAttr {
					continue
				}
				attrs := attributes(z)
				key := attrs["name"]
				if key == "" {
					key = attrs["property"]
				}
				content, ok := attrs["content"]
				if key == "" || !ok {
					continue
				}
				if k := camelCase(key); k != "oembedHtml" {
					put(meta, k, content)
				}
			case atom.Link:
				if page.OEmbedURL != "" || !hasAttr {
					continue
				}
				attrs := attributes(z)
				if hasToken(attrs["rel"], "alternate") &&
					strings.EqualFold(strings.TrimSpace(attrs["type"]), "application/json+oembed") &&
					strings.TrimSpace(attrs["href"]) != "" {
					page.OEmbedURL = strings.TrimSpace(attrs["href"])
				}
			}
		}
	}
}

func attributes(z *html.Tokenizer) map[string]string {
	m := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		key := strings.ToLower(string(k))
		if _, seen := m[key]; !seen {
			m[key] = string(v)
		}
		if !more {
			return m
		}
	}
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// put stores a value unless the key is not one Rocket.Chat keeps, the key
// is already set (the first occurrence wins, as in Rocket.Chat), the value
// is blank, or the page has already contributed its share of keys.
func put(meta map[string]string, key, value string) {
	if !relevantKey(key) {
		return
	}
	if _, ok := meta[key]; ok {
		return
	}
	value = strings.TrimSpace(value)
	if value == "" || len(meta) >= maxMetaKeys {
		return
	}
	meta[key] = truncate(value, maxMetaValueLen)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// relevantKey mirrors the set of keys Rocket.Chat keeps in a preview.
func relevantKey(k string) bool {
	switch k {
	case "pageTitle", "title", "description":
		return true
	}
	l := strings.ToLower(k)
	for _, p := range []string{"og", "fb", "twitter", "oembed", "msapplication"} {
		if strings.HasPrefix(l, p) && len(l) > len(p) {
			return true
		}
	}
	return false
}

// camelCase turns a meta name into Rocket.Chat's key: the name is split
// into words at every character that is not a letter or digit and at
// lower-to-upper case changes ("TileImage" is two words, "XMLFile" is
// "XML" and "File"); the first word is lower-cased, later words are
// capitalised, and a later word that starts with a digit is prefixed with
// an underscore, as change-case does ("og:image:1" -> "ogImage_1").
func camelCase(s string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, c := range rs {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(c) {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, c)
	}
	flush()
	var b strings.Builder
	for i, w := range words {
		w = strings.ToLower(w)
		if i == 0 {
			b.WriteString(w)
			continue
		}
		first, size := utf8.DecodeRuneInString(w)
		if unicode.IsDigit(first) {
			b.WriteByte('_')
			b.WriteString(w)
			continue
		}
		b.WriteRune(unicode.ToUpper(first))
		b.WriteString(w[size:])
	}
	return b.String()
}

// oembedFields turns an oEmbed JSON document into oembed* keys. Like
// Rocket.Chat, only non-empty string fields are kept (width and height are
// numbers in most providers' answers and are dropped).
func oembedFields(data []byte) (map[string]string, bool) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range doc {
		if s, ok := v.(string); ok {
			put(out, camelCase("oembed_"+k), s)
		}
	}
	return out, true
}

package translate

import (
	"regexp"
	"strings"
	"testing"
)

func TestTokeniseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"plain text",
		"hello :smile: and :+1: and :flag-us:",
		"meet at 10:30:45 today",
		"run `go test ./...` now",
		"```\nfunc main() {\n\t@notamention :notemoji:\n}\n```\nafter",
		"see [the docs](https://example.com/docs?a=1) and ![logo](https://example.com/l.png)",
		"old style <https://example.com/x|the link> and <https://example.com/y>",
		"bare https://example.com/path?q=1#f, then text",
		"@alice and @bob.smith in #general, cc @all",
		"email me at someone@example.com",
		"text with a literal <i class=notranslate>{0}</i> in it",
		"mixed `code`@alice:smile:https://x.example/",
		"",
		"\n\n",
		"unterminated ``` fence and `tick",
	} {
		tok, toks := tokenise(text)
		if got := detokenise(tok, toks); got != text {
			t.Errorf("round trip of %q:\n got %q\nvia %q", text, got, tok)
		}
	}
}

func TestTokeniseProtects(t *testing.T) {
	t.Parallel()
	text := "Hi @alice, see #general and `x := 1` :wave: at [our site](https://ex.example/a) or https://ex.example/b"
	tok, toks := tokenise(text)
	for _, protected := range []string{"@alice", "#general", "`x := 1`", ":wave:", "https://ex.example/a", "https://ex.example/b", "](", "["} {
		if strings.Contains(tok, protected) {
			t.Errorf("%q left in %q", protected, tok)
		}
	}
	for _, kept := range []string{"Hi", "see", "and", "at", "our site", "or"} {
		if !strings.Contains(tok, kept) {
			t.Errorf("%q not translatable in %q", kept, tok)
		}
	}
	// A translator that shouts, and mangles the placeholders' spacing
	// and case the way plain-text translation sometimes does.
	shout := regexp.MustCompile(`[a-z]+`)
	translated := shout.ReplaceAllStringFunc(tok, strings.ToUpper)
	translated = strings.ReplaceAll(translated, "<I CLASS=NOTRANSLATE>", "< i class = \"notranslate\" > ")
	translated = strings.ReplaceAll(translated, "</I>", " </ i>")
	want := "HI @alice, SEE #general AND `x := 1` :wave: AT [OUR SITE](https://ex.example/a) OR https://ex.example/b"
	if got := detokenise(translated, toks); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestDetokeniseUnknownIndex(t *testing.T) {
	t.Parallel()
	_, toks := tokenise(":a:")
	if got := detokenise("x <i class=notranslate>{7}</i>", toks); got != "x <i class=notranslate>{7}</i>" {
		t.Errorf("got %q", got)
	}
}

func TestTranslatable(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]bool{
		"hello":                           true,
		"<i class=notranslate>{0}</i>":    false,
		"  <i class=notranslate>{0}</i>!": false,
		"12:30 - 42":                      false,
		"ça":                              true,
		"":                                false,
	} {
		if got := translatable(line); got != want {
			t.Errorf("translatable(%q) = %v", line, got)
		}
	}
}

func TestAttachmentSource(t *testing.T) {
	t.Parallel()
	if got := attachmentSource("the description", "[x](https://a)"); got != "the description" {
		t.Errorf("got %q", got)
	}
	if got := attachmentSource("  ", "see [the page](https://a.example/p) now"); got != "see the page now" {
		t.Errorf("got %q", got)
	}
}

func TestNormaliseTag(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"BG": "bg", "EN-GB": "en-GB", "PT-br": "pt-BR", "ZH-HANS": "zh-Hans", "es-419": "es-419", "zt": "zt", "sr_latn": "sr-Latn"} {
		if got := normaliseTag(in); got != want {
			t.Errorf("normaliseTag(%q) = %q, want %q", in, got, want)
		}
	}
}

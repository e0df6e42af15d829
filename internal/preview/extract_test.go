package preview

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtract(t *testing.T) {
	t.Parallel()
	const doc = `<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>
  Fish &amp; Chips
</title>
<meta name="description" content="A &quot;classic&quot; dish">
<meta property="og:title" content="Fish and chips">
<meta property="og:title" content="second og:title loses">
<meta content="https://img.example/f.jpg" property="og:image">
<meta property="og:image:width" content="1200">
<meta name="twitter:card" content="summary_large_image">
<meta name='twitter:site' content='@chips'>
<meta property="fb:app_id" content="12345">
<meta name="msapplication-TileColor" content="#ffffff">
<meta name="og:description" content="   ">
<meta name="oembed:html" content="<script>alert(1)</script>">
<meta name="robots" content="index">
<link rel="stylesheet" href="/x.css">
<link rel="Alternate nofollow" type="Application/JSON+oEmbed" href=" /oembed?url=x ">
<link rel="alternate" type="application/json+oembed" href="/second">
<title>second title loses</title>
</head>
<body><meta name="description" content="in body, after head"><meta property="og:site_name" content="never read"></body></html>`
	page, err := Extract(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pageTitle":              "Fish & Chips",
		"description":            `A "classic" dish`,
		"ogTitle":                "Fish and chips",
		"ogImage":                "https://img.example/f.jpg",
		"ogImageWidth":           "1200",
		"twitterCard":            "summary_large_image",
		"twitterSite":            "@chips",
		"fbAppId":                "12345",
		"msapplicationTileColor": "#ffffff",
	}
	if diff := cmp.Diff(want, page.Meta); diff != "" {
		t.Errorf("meta (-want +got):\n%s", diff)
	}
	if page.OEmbedURL != "/oembed?url=x" {
		t.Errorf("oEmbed URL = %q", page.OEmbedURL)
	}
}

func TestExtractWithoutHead(t *testing.T) {
	t.Parallel()
	// Sloppy pages put metadata anywhere; without </head> everything is read.
	page, err := Extract(strings.NewReader(`<title>T</title><p>x</p><meta property="og:title" content="late">`))
	if err != nil {
		t.Fatal(err)
	}
	if page.Meta["pageTitle"] != "T" || page.Meta["ogTitle"] != "late" {
		t.Errorf("meta = %v", page.Meta)
	}
}

func TestExtractBoundsKeysAndValues(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("<head>")
	for i := range 200 {
		b.WriteString(`<meta property="og:k` + strings.Repeat("x", i) + `" content="v">`)
	}
	b.WriteString(`</head>`)
	page, _ := Extract(strings.NewReader(b.String()))
	if len(page.Meta) != maxMetaKeys {
		t.Errorf("kept %d keys, want %d", len(page.Meta), maxMetaKeys)
	}
	long := strings.Repeat("é", maxMetaValueLen)
	page, _ = Extract(strings.NewReader(`<meta name="description" content="` + long + `">`))
	if got := page.Meta["description"]; len(got) > maxMetaValueLen || !strings.HasPrefix(long, got) {
		t.Errorf("value not cut on a rune boundary within the limit: %d bytes", len(got))
	}
}

func TestCamelCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"og:title":                  "ogTitle",
		"og:image:secure_url":       "ogImageSecureUrl",
		"twitter:card":              "twitterCard",
		"twitter:image:src":         "twitterImageSrc",
		"fb:app_id":                 "fbAppId",
		"msapplication-TileImage":   "msapplicationTileImage",
		"msapplication-config":      "msapplicationConfig",
		"description":               "description",
		"Description":               "description",
		"OG:TITLE":                  "ogTitle",
		"XMLHttpRequest":            "xmlHttpRequest",
		"og:image:1":                "ogImage_1",
		"oembed_thumbnail_url":      "oembedThumbnailUrl",
		"oembed_provider_name":      "oembedProviderName",
		"  dc.title  ":              "dcTitle",
		"article:published_time":    "articlePublishedTime",
		"twitter:app:id:googleplay": "twitterAppIdGoogleplay",
	} {
		if got := camelCase(in); got != want {
			t.Errorf("camelCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOEmbedFields(t *testing.T) {
	t.Parallel()
	got, ok := oembedFields([]byte(`{"type":"video","version":"1.0","title":"A clip","author_name":"Ann",
		"thumbnail_url":"https://i.example/t.jpg","width":480,"height":"270","html":"<iframe></iframe>","provider_name":"",
		"nested":{"x":"y"}}`))
	if !ok {
		t.Fatal("not parsed")
	}
	want := map[string]string{
		"oembedType": "video", "oembedVersion": "1.0", "oembedTitle": "A clip", "oembedAuthorName": "Ann",
		"oembedThumbnailUrl": "https://i.example/t.jpg", "oembedHeight": "270", "oembedHtml": "<iframe></iframe>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := oembedFields([]byte(`not json`)); ok {
		t.Error("malformed JSON accepted")
	}
}

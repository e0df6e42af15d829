package web_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/markdown"
	"github.com/parleychat/parley/internal/web/browsertest"
)

// The message modules (markdown.js, message.js, emoji.js) are tested on a
// page of their own: testdata/render renders the messages this file builds,
// with md trees from the server's own parser, and the checks below read the
// DOM. The room view's tests (cmd/parley) cover them again inside the app.

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https: http:; media-src 'self' blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

var me = map[string]any{"_id": "uMe", "username": "alice"}

// hostileTexts must all render as text.
var hostileTexts = []string{
	`<img src=x onerror=alert(1)>`,
	`"><script>alert(2)</script>`,
	`[x](javascript:alert(3)) [y](JaVaScRiPt:alert(4)) [z](data:text/html,<script>alert(5)</script>)`,
	`![i](javascript:alert(6)) <javascript:alert(7)|click> [v](vbscript:msgbox(8))`,
	"**<svg onload=alert(9)>** `<b onmouseover=alert(10)>` ||<iframe src=javascript:alert(11)>||",
	"```html\n<script>alert(12)</script>\n```",
}

func mdOf(t *testing.T, text string) json.RawMessage {
	t.Helper()
	md, err := markdown.Parse(text, markdown.DefaultOptions())
	if err != nil {
		// Called from the fixtures handler's goroutine, where Fatal is not
		// allowed.
		t.Errorf("parse %q: %v", text, err)
	}
	return md
}

// fixtures are the messages the page renders; origin is the page's own
// origin and other is a second origin on the same server (for "external"
// links that still load without a network).
func fixtures(t *testing.T, origin, other string) map[string]any {
	now := time.Now().UTC()
	ts := func(ago time.Duration) string { return now.Add(-ago).Format("2006-01-02T15:04:05.000Z") }
	bob := map[string]any{"_id": "uBob", "username": "bob", "name": "Bob Builder"}
	mentions := []any{
		map[string]any{"_id": "uBob", "username": "bob", "name": "Bob Builder", "type": "user"},
		map[string]any{"_id": "uMe", "username": "alice", "name": "Alice", "type": "user"},
		map[string]any{"_id": "all", "username": "all"},
		map[string]any{"_id": "here", "username": "here"},
	}
	channels := []any{map[string]any{"_id": "GENERAL", "name": "general"}}
	text := map[string]string{
		"bold":     "**bold _it_** ~~gone~~ `code`",
		"code":     "```go\na := 1\nb := 2\n```",
		"codenone": "```\nplain\n```",
		"quote":    "> quoted\n>\n> more",
		"ol":       "1. one\n3. three\n\n0. zero",
		"ul":       "- a\n- b",
		"tasks":    "- [x] done\n- [ ] todo",
		"heading":  "## Title",
		"links":    "[site](https://example.com/a?b=1) mail a@example.com [bad](javascript:alert(1)) " + origin + "/channel/general?msg=abc",
		"image":    "![a cat](" + other + "/cat.png)",
		"quoting":  "[ ](" + origin + "/channel/general?msg=abc) my reply",
		"mentions": "hi @bob @alice @all @here @ghost #general #nowhere",
		"emoji":    ":smile: :notanemoji: :) 🎉",
		"big":      ":smile: :tada: :heart:",
		"spoiler":  "||secret|| after",
		"spblock":  "||\nhidden [link](https://example.com)\n||",
		"time":     "<t:1700000000:F> <t:1700000000:t> <t:1700000000:T> <t:1700000000:d> <t:1700000000:D> <t:1700000000:f> <t:1700000000:R>",
		"color":    "color:#ff0000",
		"katex":    "\\(x^2\\)\n\\[\\frac{a}{b}\\]",
		"table":    "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n---",
	}
	var msgs []any
	add := func(m map[string]any) {
		if _, ok := m["u"]; !ok {
			m["u"] = bob
		}
		if _, ok := m["ts"]; !ok {
			m["ts"] = ts(time.Hour)
		}
		m["rid"] = "GENERAL"
		msgs = append(msgs, m)
	}
	for id, s := range text {
		add(map[string]any{"_id": id, "msg": s, "md": mdOf(t, s), "mentions": mentions, "channels": channels})
	}
	for i, s := range hostileTexts {
		add(map[string]any{"_id": fmt.Sprintf("hostile%d", i), "msg": s, "md": mdOf(t, s)})
	}
	// Node types this renderer does not know: their source text stands in.
	add(map[string]any{"_id": "unknown", "msg": "abcdef", "md": []any{
		map[string]any{"type": "FUTURE_BLOCK", "fallback": []int{0, 3}},
		map[string]any{"type": "PARAGRAPH", "value": []any{
			map[string]any{"type": "FUTURE_INLINE", "fallback": map[string]any{"type": "PLAIN_TEXT", "value": "def"}},
			map[string]any{"type": "FUTURE_INLINE"},
		}},
	}})
	add(map[string]any{"_id": "nomd", "msg": "line one\nline <two>"})
	add(map[string]any{
		"_id": "own", "msg": "mine", "md": mdOf(t, "mine"),
		"u":  map[string]any{"_id": "uMe", "username": "alice", "name": "Alice"},
		"ts": ts(30 * time.Minute), "editedAt": ts(10 * time.Minute),
		"editedBy": map[string]any{"_id": "uMod", "username": "mod"},
		"reactions": map[string]any{
			":thumbsup:": map[string]any{"usernames": []string{"alice", "bob"}},
			":tada:":     map[string]any{"usernames": []string{"bob"}},
		},
		"tcount": 2, "tlm": ts(5 * time.Minute), "pinned": true,
		"starred": []any{map[string]any{"_id": "uMe"}},
	})
	add(map[string]any{"_id": "files", "msg": "", "ts": ts(20 * time.Minute), "attachments": []any{
		map[string]any{"type": "file", "title": `<img src=x onerror=alert(20)>.png`, "title_link": "/file-upload/f1/red.png", "image_url": "/file-upload/f1/red.png", "image_dimensions": map[string]any{"width": 8, "height": 6}, "image_preview": base64.StdEncoding.EncodeToString(pngBytes), "description": `<b onmouseover=alert(21)>desc</b>`},
		map[string]any{"type": "file", "title": "song.mp3", "title_link": "/file-upload/f2/song.mp3", "audio_url": "/file-upload/f2/song.mp3"},
		map[string]any{"type": "file", "title": "clip.mp4", "title_link": "/file-upload/f3/clip.mp4", "video_url": "/file-upload/f3/clip.mp4"},
		map[string]any{"type": "file", "title": `"><script>alert(22)</script>.txt`, "title_link": "/file-upload/f4/x.txt", "size": 2048},
		map[string]any{"type": "file", "title": "evil", "title_link": "javascript:alert(23)"},
		map[string]any{"author_name": "carol", "author_icon": "/avatar/carol", "text": "quoted <i>words</i>", "ts": ts(48 * time.Hour), "message_link": origin + "/channel/general?msg=q1"},
	}})
	add(map[string]any{"_id": "preview", "msg": "see", "md": mdOf(t, "see"), "ts": ts(19 * time.Minute), "urls": []any{
		map[string]any{"url": other + "/page", "meta": map[string]any{"ogTitle": "A <b>page</b>", "ogDescription": "about it", "ogImage": other + "/og.png"}},
		map[string]any{"url": "javascript:alert(30)", "meta": map[string]any{"ogTitle": "bad"}},
		map[string]any{"url": other + "/empty", "meta": map[string]any{}},
	}})
	add(map[string]any{"_id": "sys", "t": "uj", "msg": "carol", "u": map[string]any{"_id": "uCarol", "username": "carol"}, "ts": ts(18 * time.Minute)})
	add(map[string]any{"_id": "topic", "t": "room_changed_topic", "msg": "", "ts": ts(17 * time.Minute)})
	add(map[string]any{"_id": "disc", "t": "discussion-created", "msg": "Plans", "drid": "dRoom", "dcount": 3, "ts": ts(16 * time.Minute)})
	// Every reaction name the server accepts (internal/emoji) has a glyph.
	codes, err := os.ReadFile(filepath.Join("..", "emoji", "shortcodes.txt"))
	if err != nil {
		t.Errorf("reading the server's shortcodes: %v", err)
	}
	return map[string]any{"me": me, "messages": msgs, "shortcodes": strings.Fields(string(codes))}
}

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xa2\x1b\x00\x00\x00\x00IEND\xaeB`\x82")

func renderServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(name, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := os.ReadFile(filepath.Join("testdata", "render", name))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Header().Set("Content-Type", ctype)
			w.Write(b)
		}
	}
	mux.HandleFunc("GET /{$}", page("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /render.js", page("render.js", "text/javascript; charset=utf-8"))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir("static"))))
	var srvURL string
	mux.HandleFunc("GET /fixtures.json", func(w http.ResponseWriter, r *http.Request) {
		other := strings.Replace(srvURL, "127.0.0.1", "localhost", 1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(fixtures(t, srvURL, other))
	})
	img := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes)
	}
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /avatar/", img)
	mux.HandleFunc("GET /cat.png", img)
	mux.HandleFunc("GET /og.png", img)
	mux.HandleFunc("GET /file-upload/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".png") {
			img(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte("data"))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		mux.ServeHTTP(w, r)
	}))
	srvURL = srv.URL
	t.Cleanup(srv.Close)
	return srv
}

type check struct{ what, js string }

func runChecks(t *testing.T, p *browsertest.Page, checks []check) {
	t.Helper()
	for _, c := range checks {
		ok, err := browsertest.TryEval[bool](p, "(() => { try { return !!("+c.js+"); } catch (e) { return false; } })()")
		if err != nil || !ok {
			t.Errorf("%s: false (%s) %v", c.what, c.js, err)
		}
	}
}

func TestMessageRendering(t *testing.T) {
	b := browsertest.NewBrowser(t)
	srv := renderServer(t)
	p := b.NewPage(t, browsertest.PageOptions{})
	p.Navigate(srv.URL + "/")
	p.Wait("the messages rendered", `document.body.dataset.done === "1"`)

	runChecks(t, p, []check{
		{"emoji placeholders before the table loaded", `Number(document.body.dataset.pendingEmoji) > 0`},
		{"and none after", `document.body.dataset.pendingAfter === "0"`},

		{"bold with italic inside", `B("bold").querySelector("strong em").textContent === "it"`},
		{"strike", `B("bold").querySelector("del").textContent === "gone"`},
		{"inline code", `B("bold").querySelector("code.md-code.inline").textContent === "code"`},
		{"code block with its language", `B("code").querySelector("pre code.language-go").textContent === "a := 1\nb := 2"`},
		{"the copy button adds no text", `B("code").textContent === "a := 1\nb := 2" && !!B("code").querySelector('button[aria-label="Copy code"]')`},
		{"code block without language", `(() => { const c = B("codenone").querySelector("pre code"); return c.textContent === "plain" && ![...c.classList].some((x) => x.startsWith("language-")); })()`},
		{"quote with an empty line", `B("quote").querySelector("blockquote").querySelectorAll(".md-p").length === 3`},
		{"ordered list keeps numbers", `[...B("ol").querySelectorAll("ol li")].map((l) => l.value).join() === "1,3,0"`},
		{"unordered list", `B("ul").querySelectorAll("ul li").length === 2`},
		{"tasks are disabled checkboxes", `(() => { const b = [...B("tasks").querySelectorAll("input[type=checkbox]")]; return b.length === 2 && b.every((x) => x.disabled) && b[0].checked && !b[1].checked; })()`},
		{"heading level", `B("heading").querySelector("h2").textContent === "Title"`},

		{"external link opens apart", `(() => { const a = B("links").querySelector('a[href="https://example.com/a?b=1"]'); return a && a.target === "_blank" && a.rel === "noopener noreferrer"; })()`},
		{"mail link", `!!B("links").querySelector('a[href="mailto:a@example.com"]')`},
		{"javascript: link is text", `!B("links").querySelector('a[href^="javascript"]') && B("links").textContent.includes("bad")`},
		{"same-origin link stays in the app", `(() => { const a = B("links").querySelector('a[href*="/channel/general?msg=abc"]'); return a && !a.target && a.dataset.internal === "1"; })()`},
		{"a quote reply's blank permalink is left out", `!B("quoting").querySelector("a") && B("quoting").textContent.trim() === "my reply" && __r.fx.messages.find((m) => m._id === "quoting").md[0].value[0].type === "LINK"`},
		{"image inside a link", `(() => { const i = B("image").querySelector("a img.md-image"); return i && i.alt === "a cat" && i.src.endsWith("/cat.png"); })()`},

		{"user mention resolved", `(() => { const m = B("mentions").querySelector('.mention-user[data-username="bob"]'); return m && m.textContent === "bob" && m.getAttribute("role") === "button" && m.title === "Mentions user"; })()`},
		{"my mention stands out", `(() => { const m = B("mentions").querySelector(".mention-me"); return m && m.textContent === "alice" && m.title === "Mentions you"; })()`},
		{"@all highlighted, not clickable", `(() => { const m = B("mentions").querySelector(".mention-all"); return m && !m.hasAttribute("role") && m.title === "Mentions all room members"; })()`},
		{"@here", `B("mentions").querySelector(".mention-here").title === "Mentions online room members"`},
		{"unknown user is text", `B("mentions").textContent.includes("@ghost") && !B("mentions").querySelector('[data-username="ghost"]')`},
		{"channel mention resolved", `(() => { const m = B("mentions").querySelector(".mention-channel"); return m && m.textContent === "general" && m.dataset.rid === "GENERAL"; })()`},
		{"unknown channel is text", `B("mentions").textContent.includes("#nowhere")`},

		{"shortcode emoji", `(() => { const e = B("emoji").querySelector('.emoji[title=":smile:"]'); return e && e.textContent === "😄"; })()`},
		{"unknown shortcode stays text", `B("emoji").textContent.includes(":notanemoji:")`},
		{"emoticon", `!!B("emoji").querySelector('.emoji[title=":slight_smile:"]')`},
		{"unicode emoji", `[...B("emoji").querySelectorAll(".emoji")].some((e) => e.textContent === "🎉")`},
		{"big emoji", `B("big").querySelectorAll(".md-big-emoji .emoji.big").length === 3`},

		{"inline spoiler hidden", `(() => { const s = B("spoiler").querySelector(".md-spoiler"); return s && s.getAttribute("role") === "button" && s.getAttribute("aria-expanded") === "false" && s.getAttribute("aria-label") === "Spoiler hidden. Activate to reveal." && s.tabIndex === 0 && s.querySelector(".md-spoiler-content").inert; })()`},
		{"block spoiler hides its link from the keyboard", `(() => { const s = B("spblock").querySelector("div.md-spoiler"); return s && s.querySelector(".md-spoiler-content").inert && !!s.querySelector("a"); })()`},

		{"timestamp", `(() => { const t = B("time").querySelector("time.md-timestamp"); return t.dateTime === "2023-11-14T22:13:20.000Z" && t.title !== "" && t.textContent.includes("2023"); })()`},
		{"every timestamp format has text", `[...B("time").querySelectorAll("time.md-timestamp")].length === 7 && [...B("time").querySelectorAll("time.md-timestamp")].every((t) => t.textContent.trim() !== "")`},
		{"relative timestamp", `/ago/.test(B("time").querySelector('time[data-format="R"]').textContent)`},
		{"colour swatch and text", `(() => { const c = B("color").querySelector(".md-color"); return c.textContent === "rgba(255, 0, 0, 100%)" && getComputedStyle(c.querySelector(".md-color-swatch")).backgroundColor === "rgb(255, 0, 0)"; })()`},
		{"KaTeX as source", `B("katex").querySelector("code.md-katex.inline").textContent === "x^2" && B("katex").querySelector("div.md-katex[role=math]").textContent.includes("\\frac{a}{b}")`},
		{"table and rule", `B("table").querySelectorAll("table th").length === 2 && B("table").querySelector("td.align-center").textContent === "2" && !!B("table").querySelector("hr")`},
		{"unknown nodes fall back to their source", `B("unknown").textContent === "abcdef"`},
		{"message without md keeps its lines", `B("nomd").querySelectorAll(".md-p").length === 2 && B("nomd").textContent === "line oneline <two>"`},

		{"hostile texts shown as text", `B("hostile0").textContent === "<img src=x onerror=alert(1)>" && B("hostile1").textContent === '"><script>alert(2)</script>'`},
		{"hostile code block is text", `B("hostile5").querySelector("code").textContent === "<script>alert(12)</script>"`},
	})

	// Images load lazily, once near the viewport.
	p.Exec(`A("files").scrollIntoView()`)
	p.Wait("the inline image loaded", `(() => { const i = A("files").querySelector(".attachments a img"); return i && i.complete && i.naturalWidth > 0; })()`)

	// The article.
	runChecks(t, p, []check{
		{"author and time", `A("own").querySelector(".author").textContent === "alice" && A("own").querySelector("time").dateTime !== ""`},
		{"avatar", `A("own").querySelector('img.avatar').getAttribute("src") === "/avatar/alice" && A("own").querySelector('img.avatar').alt === ""`},
		{"edited by someone else", `A("own").querySelector(".edited").title.startsWith("Message has been edited by mod at ")`},
		{"pinned and starred marks", `A("own").querySelector('.status.pinned').title === "Message has been pinned" && A("own").querySelector('.status.starred').title === "Message has been starred"`},
		{"my actions", `[...A("own").querySelectorAll('[role=toolbar][aria-label="Message actions"] button')].map((b) => b.getAttribute("aria-label")).join() === "Add reaction,Reply in thread,Edit,Unpin,Unstar,Copy link,Delete"`},
		{"someone else's message: no edit or delete", `[...A("bold").querySelectorAll('[role=toolbar] button')].map((b) => b.getAttribute("aria-label")).join() === "Add reaction,Reply in thread,Pin,Star,Copy link"`},
		{"one tab stop per toolbar", `[...A("own").querySelectorAll('[role=toolbar] button')].filter((b) => b.tabIndex === 0).length === 1`},
		{"my reaction pressed", `(() => { const r = A("own").querySelector('.reactions button[data-emoji=":thumbsup:"]'); return r.getAttribute("aria-pressed") === "true" && r.querySelector(".count").textContent === "2" && r.title === "You and @bob reacted with :thumbsup:" && r.textContent.includes("👍"); })()`},
		{"someone else's reaction", `(() => { const r = A("own").querySelector('.reactions button[data-emoji=":tada:"]'); return r.getAttribute("aria-pressed") === "false" && r.title === "@bob reacted with :tada:"; })()`},
		{"thread summary", `A("own").querySelector("button.thread-summary").textContent.trim() === "2 replies"`},

		{"image attachment inline", `(() => { const i = A("files").querySelector(".attachments a img"); return i && i.getAttribute("src").includes("/file-upload/f1/red.png") && i.complete && i.naturalWidth > 0; })()`},
		{"the blurred preview goes once the image is in", `(() => { const i = A("files").querySelector(".attachments a img"); return !i.classList.contains("has-preview") && i.style.backgroundImage === ""; })()`},
		{"audio player", `!!A("files").querySelector('.attachments audio[controls]')`},
		{"video player", `!!A("files").querySelector('.attachments video[controls]')`},
		{"file download named by its hostile name", `[...A("files").querySelectorAll(".attachments a[download]")].some((a) => a.textContent === '"><script>alert(22)</script>.txt')`},
		{"javascript: file link dropped", `!A("files").querySelector('a[href^="javascript"]') && A("files").textContent.includes("evil")`},
		{"quote attachment", `(() => { const q = A("files").querySelector(".attachment-quote"); return q && q.querySelector(".quote-author").textContent === "carol" && q.textContent.includes("quoted <i>words</i>") && q.querySelector('a[href*="msg=q1"]').dataset.internal === "1"; })()`},
		{"URL preview", `(() => { const p = A("preview").querySelectorAll(".previews .preview"); return p.length === 1 && p[0].querySelector(".preview-title").textContent === "A <b>page</b>" && p[0].querySelector("img.preview-image").src.endsWith("/og.png"); })()`},

		{"system message", `A("sys").classList.contains("system") && A("sys").textContent.includes("carol joined the channel") && A("sys").querySelector("strong.author").textContent === "carol"`},
		{"empty topic", `A("topic").textContent.includes("changed room topic to (none)")`},
		{"discussion-created is a message", `!A("disc").classList.contains("system") && B("disc").textContent === "Plans" && !!A("disc").querySelector("button.discussion-open")`},
	})

	// The list rules and texts.
	runChecks(t, p, []check{
		{"grouped: same author within the period", `__r.message.isSequential({u: {_id: "a"}, ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, ts: "2026-01-01T10:04:00Z"}, 300)`},
		{"not grouped: past the period", `!__r.message.isSequential({u: {_id: "a"}, ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, ts: "2026-01-01T10:05:00Z"}, 300)`},
		{"not grouped: other author", `!__r.message.isSequential({u: {_id: "a"}, ts: "2026-01-01T10:00:00Z"}, {u: {_id: "b"}, ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"not grouped: other alias", `!__r.message.isSequential({u: {_id: "a"}, alias: "x", ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"not grouped: groupable false", `!__r.message.isSequential({u: {_id: "a"}, ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, groupable: false, ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"not grouped: system message", `!__r.message.isSequential({u: {_id: "a"}, t: "uj", ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"not grouped: after a thread reply", `!__r.message.isSequential({u: {_id: "a"}, tmid: "r", ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"grouped: reply after its root", `__r.message.isSequential({_id: "r", u: {_id: "a"}, ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, tmid: "r", ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"not grouped: reply to another thread", `!__r.message.isSequential({_id: "q", u: {_id: "a"}, ts: "2026-01-01T10:00:00Z"}, {u: {_id: "a"}, tmid: "r", ts: "2026-01-01T10:01:00Z"}, 300)`},
		{"EJSON dates", `__r.message.isSequential({u: {_id: "a"}, ts: {$date: 1767261600000}}, {u: {_id: "a"}, ts: {$date: 1767261660000}}, 300)`},
		{"new day", `__r.message.isNewDay(null, {ts: "2026-01-01T10:00:00Z"}) && __r.message.isNewDay({ts: new Date(2026, 0, 1, 23, 59).toISOString()}, {ts: new Date(2026, 0, 2, 0, 1).toISOString()}) && !__r.message.isNewDay({ts: new Date(2026, 0, 1, 8).toISOString()}, {ts: new Date(2026, 0, 1, 20).toISOString()})`},
		{"system texts", `["uj", "ul", "au", "ru", "r", "room_changed_topic", "room_changed_privacy", "room_changed_avatar", "message_pinned", "user-muted", "subscription-role-added", "room-archived", "room-set-read-only", "room-allowed-reacting", "rm", "wm", "ujt", "ult", "ut"].every((t) => typeof __r.message.systemText({t, msg: "x", role: "owner"}) === "string")`},
		{"renamed room text", `__r.message.systemText({t: "r", msg: "news"}) === "changed room name to news"`},
		{"not a system type", `__r.message.systemText({msg: "hi"}) === null && __r.message.systemText({t: "discussion-created", msg: "x"}) === null`},
		{"preview of a message", `__r.message.previewText(__r.fx.messages.find((m) => m._id === "mentions")) === "hi @bob @alice @all @here @ghost #general #nowhere"`},
		{"preview keeps spoilers hidden", `!__r.message.previewText(__r.fx.messages.find((m) => m._id === "spoiler")).includes("secret")`},
		{"preview of a system message", `__r.message.previewText(__r.fx.messages.find((m) => m._id === "sys")) === "carol joined the channel"`},
		{"preview of a file", `__r.message.previewText(__r.fx.messages.find((m) => m._id === "files")) === "<img src=x onerror=alert(20)>.png"`},
		{"search words marked", `(() => { const m = __r.fx.messages.find((x) => x._id === "bold"); const d = document.createElement("div"); d.append(__r.markdown.renderMd(m.md, {msg: m, highlight: "BOLD it"})); return [...d.querySelectorAll("mark.md-highlight")].map((x) => x.textContent).join() === "bold,it" && d.textContent === "bold it gone code"; })()`},
		{"no marks without a search", `!B("bold").querySelector("mark")`},
		{"every shortcode the server accepts has a glyph", `__r.fx.shortcodes.length > 4000 && __r.fx.shortcodes.every((n) => __r.emoji.emojiFor(n))`},
		{"skin tones", `__r.emoji.emojiFor("thumbsup_tone3") === "👍🏽" && __r.emoji.emojiFor("+1_tone5") === "👍🏿" && __r.emoji.emojiFor("woman_bowing_medium_skin_tone") === "🙇🏽\u200d♀️" && __r.emoji.emojiFor("point_up_tone1") === "☝🏻"`},
		{"picker list without tone variants", `__r.emoji.emojiList().every((e) => !/_tone\d/.test(e.name)) && __r.emoji.emojiList()[0].category === "people"`},
		{"emoji lookups", `__r.emoji.emojiFor(":+1:") === "👍" && __r.emoji.emojiFor("thumbsup") === "👍" && __r.emoji.emojiFor("nope") === null && __r.emoji.emojiList().length > 1000`},
	})

	// Interactions.
	p.Exec(`B("mentions").querySelector('.mention-user[data-username="bob"]').click()`)
	p.Exec(`B("mentions").querySelector(".mention-channel").focus()`)
	p.Press("Enter")
	p.Exec(`A("own").querySelector('.reactions button[data-emoji=":tada:"]').click()`)
	p.Exec(`A("own").querySelector("button.thread-summary").click()`)
	p.Exec(`A("files").querySelector(".attachments a img").click()`)
	p.Exec(`A("disc").querySelector("button.discussion-open").click()`)
	want := browsertest.Eval[string](p, `JSON.stringify([["user", "bob"], ["channel", "general"], ["react", "own", ":tada:"], ["reply", "own"], ["image", location.origin + "/file-upload/f1/red.png"], ["channel", "dRoom"]])`)
	if got := browsertest.Eval[string](p, `JSON.stringify(__events)`); got != want {
		t.Errorf("callbacks called with\n%s\nwant\n%s", got, want)
	}

	// Spoilers open from the keyboard, once.
	p.Exec(`B("spoiler").querySelector(".md-spoiler").focus()`)
	p.Press("Enter")
	runChecks(t, p, []check{
		{"spoiler revealed", `(() => { const s = B("spoiler").querySelector(".md-spoiler"); return s.classList.contains("revealed") && !s.hasAttribute("role") && !s.hasAttribute("aria-label") && !s.querySelector(".md-spoiler-content").inert; })()`},
	})

	// Arrow keys move along a toolbar.
	p.Exec(`A("own").querySelector('[role=toolbar] button').focus()`)
	p.Press("ArrowRight")
	runChecks(t, p, []check{
		{"arrow key in the toolbar", `document.activeElement.getAttribute("aria-label") === "Reply in thread" && document.activeElement.tabIndex === 0`},
	})

	// updateMessage redraws in place and keeps the focus.
	p.Exec(`(() => {
		const el = A("own");
		window.__kept = el;
		el.querySelector('.reactions button[data-emoji=":thumbsup:"]').focus();
		const m = structuredClone(__r.fx.messages.find((x) => x._id === "own"));
		m.reactions[":thumbsup:"].usernames = ["bob"];
		m.pinned = false;
		__r.message.updateMessage(el, m, __r.ctxFor());
	})()`)
	runChecks(t, p, []check{
		{"same element", `window.__kept === A("own")`},
		{"reaction updated", `A("own").querySelector('.reactions button[data-emoji=":thumbsup:"]').getAttribute("aria-pressed") === "false"`},
		{"pin state updated", `!!A("own").querySelector('[role=toolbar] [aria-label="Pin"]') && !A("own").classList.contains("pinned")`},
		{"focus kept", `document.activeElement === A("own").querySelector('.reactions button[data-emoji=":thumbsup:"]')`},
	})

	// Nothing hostile took effect anywhere on the page.
	bad := browsertest.Eval[[]string](p, `(() => {
		const out = [];
		for (const el of document.body.querySelectorAll("*")) {
			for (const a of el.attributes) {
				if (/^on/i.test(a.name)) out.push(el.tagName + " has " + a.name);
				if (/^(href|src)$/i.test(a.name) && /^\s*(javascript|vbscript|data:text)/i.test(a.value)) out.push(el.tagName + " " + a.name + "=" + a.value);
			}
			if (/^(SCRIPT|IFRAME|OBJECT|EMBED|SVG|STYLE|FORM)$/i.test(el.tagName) && el.closest("article")) out.push(el.tagName + " in a message");
			if (el.tagName === "IMG" && el.getAttribute("src") === "x") out.push("img src=x");
		}
		return out;
	})()`)
	for _, s := range bad {
		t.Errorf("hostile markup took effect: %s", s)
	}
	p.CheckClean()
}

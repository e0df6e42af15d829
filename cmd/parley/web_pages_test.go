package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

// The policy every web answer carries (docs/web.md).
const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https: http:; media-src 'self' blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// cspDirectives splits a policy into sorted directives with their sources
// sorted, so that order and spacing do not matter.
func cspDirectives(p string) []string {
	var out []string
	for _, d := range strings.Split(p, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		src := f[1:]
		slices.Sort(src)
		out = append(out, strings.ToLower(f[0])+" "+strings.Join(src, " "))
	}
	slices.Sort(out)
	return out
}

func checkWebHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	if got := cspDirectives(h.Get("Content-Security-Policy")); !slices.Equal(got, cspDirectives(wantCSP)) {
		t.Errorf("%s: Content-Security-Policy %q, want %q", what, h.Get("Content-Security-Policy"), wantCSP)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "same-origin" && got != "strict-origin-when-cross-origin" {
		t.Errorf("%s: Referrer-Policy %q", what, got)
	}
}

// TestWebHeaders checks the answers of the web client's routes and assets
// without a browser: the security headers, caching, and compression.
func TestWebHeaders(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t, webServerEnv())
	api := browsertest.NewAPI(t, base)
	var index []byte
	for _, path := range []string{"/", "/home", "/login", "/channel/general", "/group/secret", "/direct/abc123", "/channel/general/thread/xyz"} {
		res, body := api.Get(path, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", path, cc)
		}
		checkWebHeaders(t, "GET "+path, res.Header)
		if index == nil {
			index = body
		} else if !bytes.Equal(index, body) {
			t.Errorf("GET %s is not the same index.html as GET /", path)
		}
	}
	if len(index) == 0 {
		t.Fatal("no index.html")
	}
	// No inline script other than an import map, no inline handlers: the
	// policy would refuse them.
	for _, m := range regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(string(index), -1) {
		if !strings.Contains(m[1], "src=") && !strings.Contains(m[1], "importmap") && strings.TrimSpace(m[2]) != "" {
			t.Errorf("index.html has an inline script: %.100s", m[0])
		}
	}
	if m := regexp.MustCompile(`(?i)\son[a-z]+\s*=`).FindString(string(index)); m != "" {
		t.Errorf("index.html has an inline event handler: %q", m)
	}

	assets := regexp.MustCompile(`/assets/[0-9A-Za-z_-]+/[^"'\s)>]+`).FindAllString(string(index), -1)
	if len(assets) == 0 {
		t.Fatalf("index.html names no /assets/<hash>/ path:\n%.500s", index)
	}
	slices.Sort(assets)
	assets = slices.Compact(assets)
	for _, a := range assets {
		res, plain := api.Get(a, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", a, res.StatusCode)
			continue
		}
		cc := res.Header.Get("Cache-Control")
		if !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "public") {
			t.Errorf("GET %s: Cache-Control %q, want public, max-age=31536000, immutable", a, cc)
		}
		checkWebHeaders(t, "GET "+a, res.Header)
		if strings.HasSuffix(a, ".js") {
			if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
				t.Errorf("GET %s: Content-Type %q", a, ct)
			}
		}
		res, gz := api.Get(a, map[string]string{"Accept-Encoding": "gzip"})
		if len(plain) < 1024 || !(strings.HasSuffix(a, ".js") || strings.HasSuffix(a, ".css")) {
			continue // small or already compressed files may be sent as they are
		}
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with Accept-Encoding: gzip: Content-Encoding %q", a, res.Header.Get("Content-Encoding"))
			continue
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s: Vary %q, want Accept-Encoding", a, res.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Errorf("GET %s: gzip: %v", a, err)
			continue
		}
		un, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(un, plain) {
			t.Errorf("GET %s: the gzip answer does not decompress to the plain one (%v)", a, err)
		}
	}
	// An asset path whose hash is not the current one is not cached forever.
	res, _ := api.Get("/assets/0000000000/app.css", nil)
	if res.StatusCode == http.StatusOK && strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("a stale asset hash is served as immutable")
	}
	// The API keeps answering JSON next to the client's routes.
	res, body := api.Get("/api/info", nil)
	if res.StatusCode != http.StatusOK || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		t.Errorf("GET /api/info: %d %.100s", res.StatusCode, body)
	}
}

// TestWebPagesLoadCleanly loads every kind of page, logged out and in, in
// the light and dark themes and at phone width, and fails on any console
// error, exception or dialog.
func TestWebPagesLoadCleanly(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	rid := alice.CreateRoom("open-room", false, "bob")
	alice.CreateRoom("closed-room", true, "bob")
	root := alice.Post(rid, "a **bold** start with :smile: and `code`", "")
	bob.Post(rid, "a reply", root)
	dm := bob.DirectRoom("alice")
	bob.Post(dm, "hi", "")

	out := w.b.NewPage(t, browsertest.PageOptions{Timeout: 15 * time.Second})
	out.Navigate(w.base + "/")
	out.Wait("the login form", `__pt.byLabel("Username or email") && __pt.byLabel("Password") && __pt.button("Log in")`)
	out.Navigate(w.base + "/channel/open-room")
	out.Wait("the login form instead of a room when logged out", `__pt.byLabel("Password")`)
	out.CheckClean()

	routes := []struct{ path, title string }{
		{"/channel/open-room", "open-room"},
		{"/group/closed-room", "closed-room"},
		{"/direct/" + dm, "bob"},
		{"/channel/open-room/thread/" + root, "open-room"},
	}
	for _, opt := range []struct {
		name string
		o    browsertest.PageOptions
	}{
		{"light", browsertest.PageOptions{}},
		{"dark", browsertest.PageOptions{Dark: true}},
		{"phone", browsertest.PageOptions{Width: 390, Height: 844, Mobile: true}},
	} {
		t.Run(opt.name, func(t *testing.T) {
			t.Parallel()
			o := opt.o
			o.UserID, o.Token, o.Timeout = alice.UserID, alice.Token, 15*time.Second
			p := w.b.NewPage(t, o)
			p.Navigate(w.base + "/home")
			p.Wait("the room list on /home", `document.querySelector('nav[aria-label="Rooms"]')`)
			for _, r := range routes {
				openRoom(p, w.base, r.path, r.title)
			}
			p.Wait("the thread panel", `__pt.thread()`)
			switch opt.name {
			case "phone":
				if !browsertest.Eval[bool](p, `!!__pt.button("Rooms")`) {
					t.Error(`phone width: no "Rooms" toggle button`)
				}
				if w := browsertest.Eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
					t.Errorf("phone width: the page is %d px wide in a 390 px viewport", w)
				}
			case "dark":
				bg := browsertest.Eval[string](p, `getComputedStyle(document.body).backgroundColor`)
				light := w.b.NewPage(t, browsertest.PageOptions{UserID: alice.UserID, Token: alice.Token, Timeout: 15 * time.Second})
				openRoom(light, w.base, "/channel/open-room", "open-room")
				if lbg := browsertest.Eval[string](light, `getComputedStyle(document.body).backgroundColor`); lbg == bg {
					t.Errorf("dark and light themes have the same background %s", bg)
				}
				light.CheckClean()
			}
			time.Sleep(200 * time.Millisecond) // late errors: lazy modules, images
			p.CheckClean()
		})
	}
}

// TestWebFirstVisitWithoutUsers: a server with no users tells the first
// visitor how to create the administrator.
func TestWebFirstVisitWithoutUsers(t *testing.T) {
	t.Parallel()
	b := browsertest.Shared(t)
	base, _ := startServer(t, nil)
	p := b.NewPage(t, browsertest.PageOptions{Timeout: 15 * time.Second})
	p.Navigate(base + "/")
	p.Wait("the login form", `__pt.byLabel("Password")`)
	p.Wait("how to create the first administrator", `/ADMIN_USERNAME|create-user/.test(document.body.textContent)`)
	p.CheckClean()
}

// TestWebJumpToRoom: Ctrl+K, a name, Enter.
func TestWebJumpToRoom(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice := w.user("alice")
	alice.CreateRoom("alpha", false)
	alice.CreateRoom("bravo-room", false)
	p := w.page(alice)
	openRoom(p, w.base, "/channel/alpha", "alpha")
	p.Exec(`document.querySelector('textarea[aria-label="Message"]').focus()`)
	p.Press("k", browsertest.Ctrl)
	p.Wait("the Jump to room dialog", `(() => { for (const d of document.querySelectorAll('[role="dialog"], dialog[open]')) if (/Jump to room/.test(d.getAttribute("aria-label") || d.textContent)) return __pt.byLabel("Room name", d); return null; })()`)
	p.Type("the Room name input", `__pt.byLabel("Room name")`, "bravo")
	p.Press("Enter")
	waitRoom(p, "bravo-room")
	p.CheckClean()
}

// TestWebTypingAndSearch: bob typing shows under alice's composer, and the
// room's search finds a message.
func TestWebTypingAndSearch(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	rid := alice.CreateRoom("notes", false, "bob")
	alice.Post(rid, "the quarterly figures are in the shared folder", "")
	alice.Post(rid, "lunch at noon?", "")
	pa, pb := w.page(alice), w.page(bob)
	openRoom(pa, w.base, "/channel/notes", "notes")
	openRoom(pb, w.base, "/channel/notes", "notes")

	pb.Type("bob's composer", `document.querySelector('textarea[aria-label="Message"]')`, "I am wri")
	pa.Wait(`"bob is typing…" under alice's composer`, `(() => { const s = document.querySelector('[role="status"].typing'); return s && /bob/.test(s.textContent) && /typing/.test(s.textContent); })()`)

	pa.Click(`the button "Search messages"`, `__pt.button("Search messages")`)
	pa.Type("the search input", `(() => { for (const i of document.querySelectorAll('input')) if (__pt.name(i) === "Search messages") return i; return null; })()`, "quarterly")
	pa.Press("Enter")
	pa.Wait("a search result", `(() => { for (const a of document.querySelectorAll("article")) if (!a.closest('[role="log"][aria-label="Messages"]') && a.textContent.includes("quarterly figures")) return true; return false; })()`)
	if browsertest.Eval[bool](pa, `(() => { for (const a of document.querySelectorAll("article")) if (!a.closest('[role="log"][aria-label="Messages"]') && a.textContent.includes("lunch at noon")) return true; return false; })()`) {
		t.Error("the search for quarterly also lists the lunch message")
	}
	pa.CheckClean()
	pb.CheckClean()
}

// TestWebRoomOpensAtNewest: a room opens scrolled to its newest message,
// and stays there when images above it finish loading.
func TestWebRoomOpensAtNewest(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice := w.user("alice")
	rid := alice.CreateRoom("long-room", false)
	for i := 1; i <= 30; i++ {
		alice.Post(rid, fmt.Sprintf("line %d of the long room", i), "")
		if i == 25 {
			data, err := os.ReadFile(pngFile(t, "tall.png", 300, 600))
			if err != nil {
				t.Fatal(err)
			}
			alice.Upload(rid, "tall.png", "image/png", data, "")
		}
	}
	newest := alice.Post(rid, "the newest line", "")
	p := w.page(alice)
	openRoom(p, w.base, "/channel/long-room", "long-room")
	p.Wait("the images loaded", `[...document.images].every(i => i.complete)`)
	time.Sleep(300 * time.Millisecond)
	visible := fmt.Sprintf(`(() => { const a = __pt.log().querySelector('article[data-id=%s]'); if (!a) return false; const r = a.getBoundingClientRect(); const c = document.querySelector('textarea[aria-label="Message"]').getBoundingClientRect(); return r.bottom > 0 && r.top < c.top; })()`, browsertest.JS(newest))
	if !browsertest.Eval[bool](p, visible) {
		t.Errorf("the room did not open at its newest message (or lost it when the image above loaded): %s", browsertest.Eval[string](p, fmt.Sprintf(`(() => { const a = __pt.log().querySelector('article[data-id=%s]'); if (!a) return "no article for it"; const r = a.getBoundingClientRect(); return "its article is at y=" + Math.round(r.top) + ".." + Math.round(r.bottom) + ", the viewport is " + innerHeight + " high"; })()`, browsertest.JS(newest))))
	}
	p.CheckClean()
}

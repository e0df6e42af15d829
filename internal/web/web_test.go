package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func testFS(js string) fstest.MapFS {
	return fstest.MapFS{
		"static/index.html":  {Data: []byte(`<!doctype html><link rel="stylesheet" href="{{ASSETS}}/app.css"><script type="module" src="{{ASSETS}}/js/main.js"></script>`)},
		"static/app.css":     {Data: []byte(strings.Repeat("body { color: red; }\n", 50))},
		"static/js/main.js":  {Data: []byte(js)},
		"static/favicon.svg": {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"static/logo.png":    {Data: []byte{0x89, 'P', 'N', 'G'}},
	}
}

func newTest(t *testing.T) *Handler {
	t.Helper()
	h, err := newFrom(testFS(strings.Repeat("import './x.js';\n", 40)), "static")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func do(h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func checkSecurityHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if got := w.Header().Get("Content-Security-Policy"); got != contentSecurityPolicy {
		t.Errorf("CSP = %q", got)
	}
	for _, want := range []string{"script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(w.Header().Get("Content-Security-Policy"), want) {
			t.Errorf("CSP lacks %s", want)
		}
	}
	if strings.Contains(w.Header().Get("Content-Security-Policy"), "unsafe") {
		t.Errorf("CSP allows something unsafe")
	}
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := w.Header().Get("Referrer-Policy"); got != "same-origin" {
		t.Errorf("Referrer-Policy = %q", got)
	}
}

func TestAppRoutesServeIndex(t *testing.T) {
	h := newTest(t)
	for _, p := range []string{"/", "/home", "/login", "/channel/general", "/group/secret", "/direct/abc123",
		"/channel/general/thread/xyz", "/channel/general?msg=abc", "/direct/alice"} {
		w := do(h, "GET", p)
		if w.Code != 200 {
			t.Fatalf("%s: %d", p, w.Code)
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		checkSecurityHeaders(t, w)
		body := w.Body.String()
		if strings.Contains(body, "{{ASSETS}}") || !strings.Contains(body, "/assets/"+h.Hash()+"/js/main.js") {
			t.Errorf("%s: asset paths not versioned: %s", p, body)
		}
	}
}

func TestUnknownPathsAre404(t *testing.T) {
	h := newTest(t)
	for _, p := range []string{"/nope", "/channel/", "/assets/" + h.Hash() + "/missing.js",
		"/assets/0123456789abcdef/app.css", "/assets/app.css", "/assets/" + h.Hash() + "/index.html", "/assets/" + h.Hash() + "/../app.css"} {
		w := do(h, "GET", p)
		if w.Code != 404 {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
		checkSecurityHeaders(t, w)
		if strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("%s: a 404 is cached for a year", p)
		}
	}
}

func TestAssetsAreImmutableAndTyped(t *testing.T) {
	h := newTest(t)
	cases := map[string]string{
		"app.css": "text/css; charset=utf-8", "js/main.js": "text/javascript; charset=utf-8",
		"favicon.svg": "image/svg+xml", "logo.png": "image/png",
	}
	for name, ctype := range cases {
		w := do(h, "GET", "/assets/"+h.Hash()+"/"+name)
		if w.Code != 200 {
			t.Fatalf("%s: %d", name, w.Code)
		}
		if got := w.Header().Get("Content-Type"); got != ctype {
			t.Errorf("%s: Content-Type %q, want %q", name, got, ctype)
		}
		if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", name, got)
		}
		if w.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed for a client that did not ask", name)
		}
		checkSecurityHeaders(t, w)
	}
}

func TestGzip(t *testing.T) {
	h := newTest(t)
	plain := do(h, "GET", "/assets/"+h.Hash()+"/js/main.js")
	w := do(h, "GET", "/assets/"+h.Hash()+"/js/main.js", "Accept-Encoding", "br, gzip")
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed: %v", w.Header())
	}
	if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary = %q", w.Header().Get("Vary"))
	}
	if w.Body.Len() >= plain.Body.Len() {
		t.Errorf("compressed %d bytes >= plain %d", w.Body.Len(), plain.Body.Len())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, plain.Body.Bytes()) {
		t.Errorf("gzip body differs from the plain one")
	}
	if w.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Errorf("both encodings share ETag %s", w.Header().Get("ETag"))
	}
	// The index is compressed too; q=0 refuses gzip; images are not.
	if w := do(h, "GET", "/home", "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("index not compressed")
	}
	if w := do(h, "GET", "/assets/"+h.Hash()+"/js/main.js", "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still compressed")
	}
	if w := do(h, "GET", "/assets/"+h.Hash()+"/logo.png", "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "" {
		t.Errorf("png compressed")
	}
}

func TestConditionalAndHead(t *testing.T) {
	h := newTest(t)
	first := do(h, "GET", "/home", "Accept-Encoding", "gzip")
	tag := first.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag on the index")
	}
	w := do(h, "GET", "/channel/general", "Accept-Encoding", "gzip", "If-None-Match", tag)
	if w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes", w.Code, w.Body.Len())
	}
	checkSecurityHeaders(t, w)
	// The plain representation's tag does not match the compressed one.
	if w := do(h, "GET", "/home", "If-None-Match", tag); w.Code != 200 {
		t.Errorf("plain request with the gzip tag: %d", w.Code)
	}
	w = do(h, "HEAD", "/home")
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes, length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
	w = do(h, "POST", "/home")
	if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestHashFollowsContent(t *testing.T) {
	a, err := newFrom(testFS("one"), "static")
	if err != nil {
		t.Fatal(err)
	}
	b, err := newFrom(testFS("two"), "static")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := newFrom(testFS("one"), "static")
	if a.Hash() == b.Hash() || a.Hash() != a2.Hash() {
		t.Errorf("hashes %s %s %s", a.Hash(), b.Hash(), a2.Hash())
	}
	// The old hash is not served by the new build.
	if w := do(b, "GET", "/assets/"+a.Hash()+"/js/main.js"); w.Code != 404 {
		t.Errorf("old hash: %d", w.Code)
	}
}

func TestFavicon(t *testing.T) {
	h := newTest(t)
	w := do(h, "GET", "/favicon.ico")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestMountLeavesOtherPathsAlone(t *testing.T) {
	h := newTest(t)
	mux := http.NewServeMux()
	mux.Handle("/websocket", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ws") }))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") }))
	h.Mount(mux)
	for p, want := range map[string]string{"/api/v1/info": "api", "/websocket": "ws", "/avatar/alice": "api", "/unknown": "api", "/file-upload/x/y": "api"} {
		if w := do(mux, "GET", p); w.Body.String() != want {
			t.Errorf("%s went to %q, want %q", p, w.Body.String(), want)
		}
	}
	for _, p := range []string{"/", "/home", "/login", "/channel/general", "/group/g", "/direct/d", "/favicon.ico", "/assets/" + h.Hash() + "/app.css"} {
		w := do(mux, "GET", p)
		if w.Code != 200 || w.Header().Get("Content-Security-Policy") != contentSecurityPolicy {
			t.Errorf("%s: %d, not served by the client", p, w.Code)
		}
	}
}

// The embedded client itself: its index links every file by a versioned
// path, and no file it serves uses the DOM's HTML parsers on data.
func TestEmbeddedClient(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w := do(h, "GET", "/")
	body := w.Body.String()
	re := regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`)
	refs := re.FindAllStringSubmatch(body, -1)
	if len(refs) < 2 {
		t.Fatalf("index links %d assets: %s", len(refs), body)
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/assets/"+h.Hash()+"/") {
			t.Errorf("unversioned link %s", m[1])
		} else if w := do(h, "GET", m[1]); w.Code != 200 {
			t.Errorf("the index links %s, which is %d", m[1], w.Code)
		}
	}
	banned := regexp.MustCompile(`\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	for name, f := range h.assets {
		if strings.HasSuffix(name, ".js") && banned.Match(f.body) {
			t.Errorf("%s uses an HTML parser or eval", name)
		}
	}
}

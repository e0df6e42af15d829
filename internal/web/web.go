// Package web serves the browser client: the files under static/, embedded
// in the binary, at content-hashed paths so that browsers may keep them for
// a year, and index.html for every route of the app.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed static
var embedded embed.FS

// The page and its scripts come from this origin only; inline scripts,
// inline styles and eval are refused. Images may come from anywhere, as
// URL previews and linked images do.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob: https: http:; media-src 'self' blob:; connect-src 'self' ws: wss:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// assetPlaceholder is replaced in index.html by the versioned prefix of
// the assets, /assets/<hash>.
const assetPlaceholder = "{{ASSETS}}"

// file is one answer, prepared at start-up.
type file struct {
	body  []byte
	gz    []byte // nil when compressing does not pay
	ctype string
	etag  string
}

// Handler serves the client. Build it with New.
type Handler struct {
	hash   string
	prefix string // /assets/<hash>/
	index  *file
	icon   *file
	assets map[string]*file // by path under static/
}

// New reads the embedded files, hashes them and compresses them once.
func New() (*Handler, error) {
	return newFrom(embedded, "static")
}

func newFrom(fsys fs.FS, root string) (*Handler, error) {
	sub, err := fs.Sub(fsys, root)
	if err != nil {
		return nil, err
	}
	raw := map[string][]byte{}
	var names []string
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		raw[p] = b
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	index, ok := raw["index.html"]
	if !ok {
		return nil, fmt.Errorf("web: static/index.html is missing")
	}
	// One hash over every file: modules import each other by relative
	// paths, so they must all move to a new prefix together.
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(raw[n]))
		h.Write(raw[n])
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	w := &Handler{hash: sum, prefix: "/assets/" + sum + "/", assets: map[string]*file{}}
	for _, n := range names {
		if n == "index.html" {
			continue
		}
		w.assets[n] = prepare(raw[n], contentType(n))
	}
	page := bytes.ReplaceAll(index, []byte(assetPlaceholder), []byte(strings.TrimSuffix(w.prefix, "/")))
	w.index = prepare(page, "text/html; charset=utf-8")
	w.icon = w.assets["favicon.svg"]
	return w, nil
}

// Hash is the content hash in the assets' paths.
func (w *Handler) Hash() string { return w.hash }

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json":
		return "application/json"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func prepare(body []byte, ctype string) *file {
	sum := sha256.Sum256(body)
	f := &file{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	if compressible(ctype) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body) {
			f.gz = buf.Bytes()
		}
	}
	return f
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "image/svg") ||
		strings.HasPrefix(ctype, "application/json")
}

// Mount registers the client's paths on mux: the app's routes, the
// versioned assets and the favicon. Every other path stays the mux's.
func (w *Handler) Mount(mux *http.ServeMux) {
	for _, p := range []string{"/{$}", "/home", "/login", "/channel/", "/group/", "/direct/", "/assets/", "/favicon.ico"} {
		mux.Handle(p, w)
	}
}

// ServeHTTP answers one request for the client.
func (w *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(rw, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/assets/"):
		f := w.assets[strings.TrimPrefix(p, w.prefix)]
		if !strings.HasPrefix(p, w.prefix) || f == nil {
			// An old hash is not answered with today's file: a browser
			// would keep that for a year under the old name.
			h.Set("Cache-Control", "no-store")
			http.NotFound(rw, r)
			return
		}
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		w.write(rw, r, f)
	case p == "/favicon.ico":
		if w.icon == nil {
			http.NotFound(rw, r)
			return
		}
		h.Set("Cache-Control", "public, max-age=86400")
		w.write(rw, r, w.icon)
	case isAppRoute(p):
		// no-cache: the page is checked on every load, so a new release
		// (new asset hash) is picked up at once; the ETag makes the
		// check cheap.
		h.Set("Cache-Control", "no-cache")
		w.write(rw, r, w.index)
	default:
		http.NotFound(rw, r)
	}
}

func isAppRoute(p string) bool {
	if p == "/" || p == "/home" || p == "/login" {
		return true
	}
	for _, pre := range []string{"/channel/", "/group/", "/direct/"} {
		if strings.HasPrefix(p, pre) && len(p) > len(pre) {
			return true
		}
	}
	return false
}

func (w *Handler) write(rw http.ResponseWriter, r *http.Request, f *file) {
	h := rw.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Vary", "Accept-Encoding")
	etag := f.etag
	body := f.body
	gz := f.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		body = f.gz
		// A different representation needs a different tag.
		etag = strings.TrimSuffix(f.etag, `"`) + `-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		h.Del("Content-Type")
		h.Del("Content-Encoding")
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	rw.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(body)
	}
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding, honouring an explicit q=0.
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		if params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

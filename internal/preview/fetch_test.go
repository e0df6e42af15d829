package preview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeResolver answers from a table and never asks real DNS, so no test can
// leave the machine even if the code under test had a bug.
type fakeResolver struct {
	mu      sync.Mutex
	table   map[string][]netip.Addr
	lookups map[string]int
}

func newResolver(entries map[string]string) *fakeResolver {
	r := &fakeResolver{table: map[string][]netip.Addr{}, lookups: map[string]int{}}
	for host, addrs := range entries {
		for _, a := range strings.Split(addrs, ",") {
			r.table[host] = append(r.table[host], netip.MustParseAddr(strings.TrimSpace(a)))
		}
	}
	return r
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups[host]++
	if a, ok := r.table[strings.ToLower(host)]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (r *fakeResolver) count(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lookups[host]
}

type server struct {
	*httptest.Server
	port int
	hits atomic.Int32
}

func newServer(t *testing.T, h http.Handler) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	u, _ := url.Parse(s.URL)
	s.port, _ = strconv.Atoi(u.Port())
	return s
}

func (s *server) at(host, path string) string {
	return fmt.Sprintf("http://%s:%d%s", host, s.port, path)
}

func html200(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
}

// policyVar lets a test change the policy between fetches, as an admin
// changes a setting.
type policyVar struct {
	mu sync.Mutex
	p  Policy
}

func (v *policyVar) get() Policy  { v.mu.Lock(); defer v.mu.Unlock(); return v.p }
func (v *policyVar) set(p Policy) { v.mu.Lock(); defer v.mu.Unlock(); v.p = p }

func static(p Policy) func() Policy { return func() Policy { return p } }

func newFetcher(policy func() Policy, opts ...Option) *Fetcher {
	return New(policy, append([]Option{WithResolver(newResolver(nil)), WithTimeout(2 * time.Second)}, opts...)...)
}

func mustFetch(t *testing.T, f *Fetcher, u string) Result {
	t.Helper()
	res, err := f.Fetch(context.Background(), u)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", u, err)
	}
	return res
}

func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error = %v, want %v", err, kind)
	}
}

const page = `<!doctype html><html><head>
<title>Parley test page</title>
<meta name="description" content="A page for tests">
<meta property="og:title" content="OG title">
<meta property="og:image" content="https://img.example/a.png">
<meta name="twitter:card" content="summary">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=page">
</head><body>hello</body></html>`

func pageMux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/page", html200(page))
	mux.HandleFunc("/oembed", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"type":"rich","version":"1.0","title":"oEmbed title","author_name":"Ann","provider_name":"Test",
			"html":"<iframe src=\"https://player.example/1\"></iframe>","width":400,"height":300}`)
	})
	return mux
}

func TestFetchExtractsMetadataAndOEmbed(t *testing.T) {
	t.Parallel()
	s := newServer(t, pageMux())
	p := Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}
	u := s.at("127.0.0.1", "/page")

	res := mustFetch(t, newFetcher(static(p)), u)
	want := map[string]string{
		"pageTitle":          "Parley test page",
		"description":        "A page for tests",
		"ogTitle":            "OG title",
		"ogImage":            "https://img.example/a.png",
		"twitterCard":        "summary",
		"oembedType":         "rich",
		"oembedVersion":      "1.0",
		"oembedTitle":        "oEmbed title",
		"oembedAuthorName":   "Ann",
		"oembedProviderName": "Test",
		"oembedUrl":          u,
	}
	if fmt.Sprint(res.Meta) != fmt.Sprint(want) {
		t.Errorf("meta =\n%v\nwant\n%v", res.Meta, want)
	}
	if res.URL != u || res.Headers.ContentType != "text/html; charset=utf-8" {
		t.Errorf("result = %+v", res)
	}

	trusted := mustFetch(t, newFetcher(static(p), WithTrustedOEmbedHTML("127.0.0.1")), u)
	if !strings.HasPrefix(trusted.Meta["oembedHtml"], "<iframe") {
		t.Errorf("trusted host lost oembedHtml: %v", trusted.Meta)
	}
}

func TestFetchOEmbedDiscoveryIsGuarded(t *testing.T) {
	t.Parallel()
	s := newServer(t, pageMux())
	// The page host is allowed by name only; its oEmbed link points at the
	// loopback address directly, which is not allowed.
	body := strings.Replace(page, `href="/oembed?url=page"`, fmt.Sprintf(`href="http://127.0.0.1:%d/oembed"`, 0), 1)
	mux := http.NewServeMux()
	mux.Handle("/page", html200(strings.Replace(body, ":0/", fmt.Sprintf(":%d/", s.port), 1)))
	s2 := newServer(t, mux)
	_ = s2
	res := mustFetch(t, newFetcher(
		static(Policy{AllowedPrivateHosts: []string{"public.test"}, SafePorts: []int{s.port, s2.port}}),
		WithResolver(newResolver(map[string]string{"public.test": "127.0.0.1"})),
	), s2.at("public.test", "/page"))
	if res.Meta["ogTitle"] != "OG title" {
		t.Errorf("page metadata lost: %v", res.Meta)
	}
	if _, ok := res.Meta["oembedTitle"]; ok || s.hits.Load() != 0 {
		t.Errorf("oEmbed fetched from a refused address: meta=%v hits=%d", res.Meta, s.hits.Load())
	}
}

func TestFetchCharset(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/header", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1252")
		w.Write([]byte("<html><head><title>Caf\xe9 cr\xe8me \x93quoted\x94</title></head></html>"))
	})
	mux.HandleFunc("/meta", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><meta charset="ISO-8859-1"><meta name="description" content="Gr` + "\xfc\xdf" + `e"><title>na` + "\xef" + `ve</title></head></html>`))
	})
	mux.HandleFunc("/http-equiv", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>` + "\xc0 bient\xf4t" + `</title></head></html>`))
	})
	s := newServer(t, mux)
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}))
	for path, want := range map[string]string{"/header": "Café crème “quoted”", "/meta": "naïve", "/http-equiv": "À bientôt"} {
		if got := mustFetch(t, f, s.at("127.0.0.1", path)).Meta["pageTitle"]; got != want {
			t.Errorf("%s: pageTitle = %q, want %q", path, got, want)
		}
	}
	if got := mustFetch(t, f, s.at("127.0.0.1", "/meta")).Meta["description"]; got != "Grüße" {
		t.Errorf("description = %q", got)
	}
}

func TestFetchLoopbackRefusedByDefaultAllowedByPolicy(t *testing.T) {
	t.Parallel()
	s := newServer(t, html200(page))
	pv := &policyVar{p: Policy{SafePorts: []int{s.port}}}
	f := newFetcher(pv.get)
	u := s.at("127.0.0.1", "/")

	res, err := f.Fetch(context.Background(), u)
	wantKind(t, err, ErrRefused)
	if s.hits.Load() != 0 {
		t.Fatal("a refused fetch reached the server")
	}
	if res.URL != u || res.Meta == nil || len(res.Meta) != 0 {
		t.Errorf("refused result = %+v, want the URL with empty meta", res)
	}

	// The setting changes; the same fetcher applies it at once.
	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.1"}})
	if res := mustFetch(t, f, u); res.Meta["pageTitle"] != "Parley test page" {
		t.Errorf("meta = %v", res.Meta)
	}

	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.0/8"}})
	mustFetch(t, f, u)

	// And back: refused again, nothing cached from the allowed period
	// because the cache was off.
	pv.set(Policy{SafePorts: []int{s.port}})
	_, err = f.Fetch(context.Background(), u)
	wantKind(t, err, ErrRefused)
}

func TestFetchHostnameChecks(t *testing.T) {
	t.Parallel()
	s := newServer(t, html200("<title>no oEmbed link, so one connection per fetch</title>"))
	res := newResolver(map[string]string{
		"preview.test": "127.0.0.1",
		"mixed.test":   "127.0.0.1, 10.0.0.1",
		"v6.test":      "::ffff:127.0.0.1",
	})
	pv := &policyVar{p: Policy{SafePorts: []int{s.port}}}
	f := newFetcher(pv.get, WithResolver(res))

	_, err := f.Fetch(context.Background(), s.at("preview.test", "/"))
	wantKind(t, err, ErrRefused)

	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"preview.test"}})
	mustFetch(t, f, s.at("preview.test", "/"))
	mustFetch(t, f, s.at("PREVIEW.test", "/"))

	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"*.test"}})
	mustFetch(t, f, s.at("preview.test", "/"))

	// One forbidden address among the answers refuses the host.
	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.1"}})
	_, err = f.Fetch(context.Background(), s.at("mixed.test", "/"))
	wantKind(t, err, ErrRefused)

	// IPv4-mapped IPv6 answers are judged as the IPv4 address they are.
	mustFetch(t, f, s.at("v6.test", "/"))
	pv.set(Policy{SafePorts: []int{s.port}})
	_, err = f.Fetch(context.Background(), s.at("v6.test", "/"))
	wantKind(t, err, ErrRefused)

	// Unknown names fail without any real DNS.
	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.1"}})
	_, err = f.Fetch(context.Background(), s.at("nowhere.test", "/"))
	if err == nil || Outcome(err) != "error" {
		t.Errorf("unknown host: %v", err)
	}

	// The name is resolved once per connection and the checked address is
	// the one dialled, so a second, different DNS answer can never be used.
	before := res.count("preview.test")
	pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"preview.test"}})
	mustFetch(t, f, s.at("preview.test", "/"))
	if n := res.count("preview.test") - before; n != 1 {
		t.Errorf("%d lookups for one fetch", n)
	}
}

func TestDialerChecksTheDialledAddress(t *testing.T) {
	t.Parallel()
	s := newServer(t, html200(page))
	addr := fmt.Sprintf("127.0.0.1:%d", s.port)

	d := newDialer(compile(Policy{SafePorts: []int{s.port}}), time.Second)
	_, err := d.DialContext(context.Background(), "tcp", addr)
	wantKind(t, err, ErrRefused)

	d = newDialer(compile(Policy{SafePorts: []int{1}, AllowedPrivateHosts: []string{"127.0.0.1"}}), time.Second)
	_, err = d.DialContext(context.Background(), "tcp", addr)
	wantKind(t, err, ErrRefused)

	d = newDialer(compile(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.1"}}), time.Second)
	conn, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestFetchRedirectToPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	target := newServer(t, html200(page))
	mux := http.NewServeMux()
	mux.HandleFunc("/to-ip", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.at("127.0.0.1", "/"), http.StatusFound)
	})
	mux.HandleFunc("/to-name", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.at("internal.test", "/"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-port", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://public.test:22/", http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/to-allowed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.at("public.test", "/"), http.StatusFound)
	})
	entry := newServer(t, mux)
	f := newFetcher(
		static(Policy{AllowedPrivateHosts: []string{"public.test"}, SafePorts: []int{entry.port, target.port}}),
		WithResolver(newResolver(map[string]string{"public.test": "127.0.0.1", "internal.test": "127.0.0.1"})),
	)
	for _, path := range []string{"/to-ip", "/to-name", "/to-port", "/to-file"} {
		_, err := f.Fetch(context.Background(), entry.at("public.test", path))
		wantKind(t, err, ErrRefused)
	}
	if n := target.hits.Load(); n != 0 {
		t.Fatalf("refused redirects reached the target %d times", n)
	}
	// A redirect to an allowed place is followed, and the preview keeps
	// the URL that was asked for.
	u := entry.at("public.test", "/to-allowed")
	if res := mustFetch(t, f, u); res.URL != u || res.Meta["pageTitle"] == "" {
		t.Errorf("result = %+v", res)
	}
}

func TestFetchRedirectLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
			return
		}
		html200(page).ServeHTTP(w, r)
	}))
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}))
	mustFetch(t, f, s.at("127.0.0.1", fmt.Sprintf("/r/%d", MaxRedirects)))
	_, err := f.Fetch(context.Background(), s.at("127.0.0.1", fmt.Sprintf("/r/%d", MaxRedirects+1)))
	wantKind(t, err, ErrTooManyRedirects)
}

func TestFetchPortAndSchemeRestrictions(t *testing.T) {
	t.Parallel()
	s := newServer(t, html200(page))
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1", "localhost"}}))
	for _, u := range []string{
		s.at("127.0.0.1", "/"),   // default safe ports are 80 and 443
		"http://127.0.0.1:8080/", // not listed
		"https://127.0.0.1:22/",
		"ftp://127.0.0.1/",
		"gopher://127.0.0.1:70/",
	} {
		_, err := f.Fetch(context.Background(), u)
		wantKind(t, err, ErrRefused)
	}
	for _, u := range []string{"not a url", "http:///nohost", "javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.1:99999/", ""} {
		_, err := f.Fetch(context.Background(), u)
		if !errors.Is(err, ErrInvalidURL) && !errors.Is(err, ErrRefused) {
			t.Errorf("Fetch(%q) = %v", u, err)
		}
	}
	if s.hits.Load() != 0 {
		t.Fatal("a refused URL reached the server")
	}
}

func TestFetchBodyLimit(t *testing.T) {
	t.Parallel()
	const head = `<html><head><meta name="description" content="early"><!--`
	const tail = `--><title>late title</title></head></html>`
	mux := http.NewServeMux()
	mux.Handle("/over", html200(head+strings.Repeat("x", DefaultMaxBodySize)+tail))
	mux.Handle("/under", html200(head+strings.Repeat("x", DefaultMaxBodySize-len(head)-len(tail))+tail))
	var wrote atomic.Int64
	mux.HandleFunc("/endless", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(head))
		chunk := []byte(strings.Repeat("y", 32<<10))
		for range 1000 { // 32 MiB if nobody stops reading
			if _, err := w.Write(chunk); err != nil {
				return
			}
			wrote.Add(int64(len(chunk)))
		}
	})
	s := newServer(t, mux)
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}))

	over := mustFetch(t, f, s.at("127.0.0.1", "/over"))
	if over.Meta["description"] != "early" || over.Meta["pageTitle"] != "" {
		t.Errorf("over the limit: %v", over.Meta)
	}
	under := mustFetch(t, f, s.at("127.0.0.1", "/under"))
	if under.Meta["pageTitle"] != "late title" {
		t.Errorf("within the limit: %v", under.Meta)
	}
	endless := mustFetch(t, f, s.at("127.0.0.1", "/endless"))
	if endless.Meta["description"] != "early" {
		t.Errorf("endless: %v", endless.Meta)
	}
	// The server only managed to push what fits in the limit plus socket
	// buffers before the connection was dropped.
	if w := wrote.Load(); w > 16<<20 {
		t.Errorf("server wrote %d bytes; the body was not cut", w)
	}
}

func TestFetchSlowServersCutByTimeout(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><head><title>never fin"))
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
				w.Write([]byte("i"))
				w.(http.Flusher).Flush()
			}
		}
	})
	mux.HandleFunc("/silent", func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	s := newServer(t, mux)
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}),
		WithTimeout(300*time.Millisecond))
	for _, path := range []string{"/trickle", "/silent"} {
		start := time.Now()
		_, err := f.Fetch(context.Background(), s.at("127.0.0.1", path))
		wantKind(t, err, ErrTimeout)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v", path, d)
		}
	}

	// A caller's own deadline also ends its wait.
	slow := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}),
		WithTimeout(400*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := slow.Fetch(ctx, s.at("127.0.0.1", "/silent"))
	wantKind(t, err, ErrTimeout)
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("caller waited %v past its own deadline", d)
	}
}

func TestFetchNonHTMLKeepsOnlyHeaders(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/image.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", "2048")
		w.Write(make([]byte, 2048))
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"title":"<title>not html</title>"}`)
	})
	mux.HandleFunc("/untyped", func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = nil // stop the server from sniffing
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>sniffed</title></head></html>")
	})
	mux.HandleFunc("/missing", http.NotFound)
	s := newServer(t, mux)
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}))

	u := s.at("127.0.0.1", "/image.png")
	res := mustFetch(t, f, u)
	got, _ := json.Marshal(res)
	want := fmt.Sprintf(`{"url":%q,"meta":{},"headers":{"contentType":"image/png","contentLength":"2048"}}`, u)
	if string(got) != want {
		t.Errorf("JSON = %s\nwant   %s", got, want)
	}
	if res := mustFetch(t, f, s.at("127.0.0.1", "/json")); len(res.Meta) != 0 || res.Headers.ContentType != "application/json" {
		t.Errorf("json: %+v", res)
	}
	res = mustFetch(t, f, s.at("127.0.0.1", "/untyped"))
	if res.Meta["pageTitle"] != "sniffed" {
		t.Errorf("untyped: %+v", res)
	}
	if got, _ := json.Marshal(Result{URL: "u", Meta: map[string]string{}}); string(got) != `{"url":"u","meta":{}}` {
		t.Errorf("headers not omitted: %s", got)
	}
	_, err := f.Fetch(context.Background(), s.at("127.0.0.1", "/missing"))
	wantKind(t, err, ErrStatus)
}

func TestFetchCache(t *testing.T) {
	t.Parallel()
	s := newServer(t, html200(page))
	var now atomic.Int64
	now.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	advance := func(d time.Duration) { now.Add(int64(d)) }
	pv := &policyVar{p: Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}, CacheTTL: time.Hour}}
	f := newFetcher(pv.get, WithClock(clock), WithCacheSize(2))
	a, b, c := s.at("127.0.0.1", "/a"), s.at("127.0.0.1", "/b"), s.at("127.0.0.1", "/c")

	first := mustFetch(t, f, a)
	first.Meta["pageTitle"] = "caller mutated its copy"
	if got := mustFetch(t, f, a); got.Meta["pageTitle"] != "Parley test page" {
		t.Errorf("cached result shared with a caller: %v", got.Meta)
	}
	if n := s.hits.Load(); n != 2 { // page + its oEmbed link
		t.Fatalf("hits after a cache hit = %d, want 2", n)
	}

	advance(time.Hour)
	mustFetch(t, f, a)
	if n := s.hits.Load(); n != 4 {
		t.Fatalf("hits after expiry = %d, want 4", n)
	}

	// A shorter TTL applies to entries already cached.
	advance(10 * time.Minute)
	pv.set(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}, CacheTTL: 5 * time.Minute})
	mustFetch(t, f, a)
	if n := s.hits.Load(); n != 6 {
		t.Fatalf("hits after TTL change = %d, want 6", n)
	}

	// The cache is bounded: the least recently used entry goes first.
	mustFetch(t, f, b)
	mustFetch(t, f, c)
	if f.cache.len() != 2 {
		t.Fatalf("cache holds %d entries", f.cache.len())
	}
	before := s.hits.Load()
	mustFetch(t, f, c)
	if s.hits.Load() != before {
		t.Error("recent entry was evicted")
	}
	mustFetch(t, f, a)
	if s.hits.Load() == before {
		t.Error("oldest entry was not evicted")
	}

	// A zero TTL switches caching off, and Purge empties the cache.
	f.Purge()
	if f.cache.len() != 0 {
		t.Error("Purge left entries")
	}
	pv.set(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}})
	before = s.hits.Load()
	mustFetch(t, f, a)
	mustFetch(t, f, a)
	if s.hits.Load()-before != 4 {
		t.Errorf("cache used with TTL 0")
	}
}

func TestFetchErrorsAreNotCached(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "later", http.StatusServiceUnavailable)
			return
		}
		html200("<title>up</title>").ServeHTTP(w, r)
	}))
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}, CacheTTL: time.Hour}))
	_, err := f.Fetch(context.Background(), s.at("127.0.0.1", "/"))
	wantKind(t, err, ErrStatus)
	fail.Store(false)
	if res := mustFetch(t, f, s.at("127.0.0.1", "/")); res.Meta["pageTitle"] != "up" {
		t.Errorf("meta = %v", res.Meta)
	}
}

func TestFetchCoalescesConcurrentRequests(t *testing.T) {
	t.Parallel()
	// The page is held until every caller has joined a request, so that
	// none can find the request finished and start another.
	release := make(chan struct{})
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		html200("<title>slow</title>").ServeHTTP(w, r)
	}))
	// No cache: only request coalescing can keep this to one request.
	f := newFetcher(static(Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}))
	const n = 20
	joined := make(chan struct{}, n)
	f.joined = func() { joined <- struct{}{} }
	u := s.at("127.0.0.1", "/")
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := f.Fetch(context.Background(), u)
			if err == nil && res.Meta["pageTitle"] != "slow" {
				err = fmt.Errorf("meta %v", res.Meta)
			}
			errs <- err
		}()
	}
	close(start)
	for range n {
		<-joined
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if hits := s.hits.Load(); hits != 1 {
		t.Errorf("%d upstream requests for %d concurrent fetches", hits, n)
	}
}

func TestFetchMetrics(t *testing.T) {
	t.Parallel()
	s := newServer(t, http.NewServeMux())
	reg := prometheus.NewRegistry()
	p := Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}
	f := newFetcher(static(p), WithRegisterer(reg))
	// A second fetcher on the same registry shares the counter.
	g := newFetcher(static(Policy{SafePorts: []int{s.port}}), WithRegisterer(reg))

	f.Fetch(context.Background(), s.at("127.0.0.1", "/404"))
	g.Fetch(context.Background(), s.at("127.0.0.1", "/"))
	g.Fetch(context.Background(), "http://127.0.0.1:1/")
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "parley_url_preview_fetches_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"ok": 0, "error": 1, "refused": 2, "timeout": 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counters = %v, want %v", got, want)
	}
	// No registerer, no metrics, no panic.
	newFetcher(static(p)).Fetch(context.Background(), s.at("127.0.0.1", "/404"))
}

func TestErrorsAndOptions(t *testing.T) {
	t.Parallel()
	e := &Error{URL: "http://x.example/", Kind: ErrRefused, Err: errors.New("port 22 is not a safe port")}
	if got := e.Error(); got != "preview http://x.example/: refused by preview policy: port 22 is not a safe port" {
		t.Errorf("Error() = %q", got)
	}
	for err, want := range map[error]string{
		nil:                      "ok",
		e:                        "refused",
		&Error{Kind: ErrTimeout}: "timeout",
		&Error{Kind: ErrStatus}:  "error",
		errors.New("other"):      "error",
	} {
		if got := Outcome(err); got != want {
			t.Errorf("Outcome(%v) = %q, want %q", err, got, want)
		}
	}
	if p := DefaultPolicy(); len(p.AllowedPrivateHosts) != 0 || len(p.IgnoredHosts) != 0 || fmt.Sprint(p.SafePorts) != "[80 443]" || p.CacheTTL != 30*24*time.Hour {
		t.Errorf("DefaultPolicy = %+v", p)
	}

	// The body limit is an option; the request headers follow the policy.
	var ua, lang atomic.Value
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		lang.Store(r.Header.Get("Accept-Language"))
		html200(`<head><meta name="description" content="early">`+strings.Repeat(" ", 200)+`<title>late</title></head>`).ServeHTTP(w, r)
	}))
	p := Policy{AllowedPrivateHosts: []string{"127.0.0.1"}, SafePorts: []int{s.port}}
	res := mustFetch(t, newFetcher(static(p), WithMaxBodySize(100)), s.at("127.0.0.1", "/"))
	if res.Meta["description"] != "early" || res.Meta["pageTitle"] != "" {
		t.Errorf("meta = %v", res.Meta)
	}
	if ua.Load() != DefaultUserAgent || lang.Load() != "en" {
		t.Errorf("headers %v %v", ua.Load(), lang.Load())
	}
	p.UserAgent, p.AcceptLanguage = "Custom/1.0", "de"
	mustFetch(t, newFetcher(static(p)), s.at("127.0.0.1", "/"))
	if ua.Load() != "Custom/1.0" || lang.Load() != "de" {
		t.Errorf("headers %v %v", ua.Load(), lang.Load())
	}
}

func TestFetchIgnoredHostsRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	s := newServer(t, html200("<title>one request per fetch</title>"))
	res := newResolver(map[string]string{"wiki.test": "127.0.0.1"})
	pv := &policyVar{p: Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.1", "wiki.test"}}}
	f := newFetcher(pv.get, WithResolver(res))
	mustFetch(t, f, s.at("wiki.test", "/"))
	hits := s.hits.Load()

	for _, deny := range []string{"wiki.test", "*.test", "127.0.0.0/8"} {
		pv.set(Policy{SafePorts: []int{s.port}, AllowedPrivateHosts: []string{"127.0.0.1", "wiki.test"}, IgnoredHosts: []string{deny}})
		_, err := f.Fetch(context.Background(), s.at("wiki.test", "/"))
		wantKind(t, err, ErrRefused)
		_, err = f.Fetch(context.Background(), s.at("127.0.0.1", "/"))
		if deny == "127.0.0.0/8" {
			wantKind(t, err, ErrRefused)
		}
	}
	if got := s.hits.Load(); got != hits+2 {
		t.Errorf("server saw %d requests after the deny-list was set, want 2 (the two permitted 127.0.0.1 fetches)", got-hits)
	}
}

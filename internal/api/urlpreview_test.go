package api_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// upPage is the page every preview test serves: OpenGraph, Twitter and a
// title, so that one fetch shows the extraction end to end.
const upPage = `<!doctype html><html><head>
<meta charset="utf-8"><title>Parley preview page</title>
<meta name="description" content="A page about previews">
<meta property="og:title" content="OG title">
<meta name="twitter:card" content="summary">
</head><body>body text is not read</body></html>`

// upServer is a web site on loopback that counts requests per path.
type upServer struct {
	*httptest.Server
	port int
	mu   sync.Mutex
	hits map[string]int
}

func newUpServer(t *testing.T, h http.HandlerFunc) *upServer {
	t.Helper()
	s := &upServer{hits: map[string]int{}}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, ".mp4"):
				w.Header().Set("Content-Type", "video/mp4")
				w.Header().Set("Content-Length", "6")
				io.WriteString(w, "\x00\x00\x00\x18ft")
			default:
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, upPage)
			}
		}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	u, _ := url.Parse(s.URL)
	fmt.Sscan(u.Port(), &s.port)
	return s
}

func (s *upServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *upServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.hits {
		n += v
	}
	return n
}

func (s *upServer) at(host, path string) string {
	return fmt.Sprintf("http://%s:%d%s", host, s.port, path)
}

// upResolver gives test names to loopback addresses; any other name fails,
// so no test can reach real DNS or the internet.
type upResolver map[string]string

func (r upResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[strings.ToLower(host)]; ok {
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func upPreview(t *testing.T, c *apitest.Client, rid, u string) map[string]any {
	t.Helper()
	return c.Get(t, "chat.getURLPreview", apitest.Q("roomId", rid, "url", u)).OK(t).JSON(t)["urlPreview"].(map[string]any)
}

func upPorts(s ...*upServer) string {
	out := "80, 443"
	for _, x := range s {
		out += fmt.Sprintf(", %d", x.port)
	}
	return out
}

func TestGetURLPreview(t *testing.T) {
	t.Parallel()
	site := newUpServer(t, nil)
	e := apitest.NewScene(t, "alice", "outsider")
	alice, outsider := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "groups", "previews", nil)
	page := site.at("127.0.0.1", "/page")

	e.Admin.Get(t, "chat.getURLPreview", apitest.Q("url", page)).Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
	alice.Get(t, "chat.getURLPreview", apitest.Q("roomId", rid)).Fails(t, 400, "invalid-params", "must have required property 'url' [invalid-params]")
	alice.Get(t, "chat.getURLPreview", apitest.Q("roomId", rid, "url", page, "x", "1")).Fails(t, 400, "invalid-params", "")
	e.Anon().Get(t, "chat.getURLPreview", apitest.Q("roomId", rid, "url", page)).Expect(t, 401)
	outsider.Get(t, "chat.getURLPreview", apitest.Q("roomId", rid, "url", page)).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
	alice.Get(t, "chat.getURLPreview", apitest.Q("roomId", "nope", "url", page)).Fails(t, 400, "error-not-allowed", "")

	// Not a URL: the URL back with empty metadata.
	p := upPreview(t, alice, rid, "not a url")
	if p["url"] != "not a url" || len(p["meta"].(map[string]any)) != 0 || p["ignoreParse"] != true || p["headers"] != nil {
		t.Errorf("not a URL: %v", p)
	}

	// Loopback is refused by default, with the port allowed or not, and the
	// refusal happens before any connection.
	p = upPreview(t, alice, rid, page)
	if len(p["meta"].(map[string]any)) != 0 || p["headers"] != nil {
		t.Errorf("refused preview: %v", p)
	}
	e.SetSetting(t, "API_EmbedSafePorts", upPorts(site))
	upPreview(t, alice, rid, page)
	if n := site.total(); n != 0 {
		t.Fatalf("a refused preview reached the server (%d requests)", n)
	}

	// The allow-list for private hosts lifts it, and API_Embed does not
	// gate this endpoint.
	e.SetSetting(t, "API_EmbedAllowedPrivateHosts", "127.0.0.1")
	e.SetSetting(t, "API_Embed", false)
	p = upPreview(t, alice, rid, page)
	meta := p["meta"].(map[string]any)
	if meta["pageTitle"] != "Parley preview page" || meta["ogTitle"] != "OG title" || meta["twitterCard"] != "summary" ||
		meta["description"] != "A page about previews" {
		t.Errorf("meta = %v", meta)
	}
	if h, _ := p["headers"].(map[string]any); h["contentType"] != "text/html; charset=utf-8" || p["ignoreParse"] != true || p["url"] != page {
		t.Errorf("preview = %v", p)
	}

	// A file that is not HTML keeps only its headers.
	p = upPreview(t, alice, rid, site.at("127.0.0.1", "/movie.mp4"))
	if h, _ := p["headers"].(map[string]any); h["contentType"] != "video/mp4" || h["contentLength"] != "6" || len(p["meta"].(map[string]any)) != 0 {
		t.Errorf("mp4 preview = %v", p)
	}

	// A port outside API_EmbedSafePorts is refused again.
	e.SetSetting(t, "API_EmbedCacheExpirationDays", 0)
	e.SetSetting(t, "API_EmbedSafePorts", "80, 443")
	before := site.total()
	if p := upPreview(t, alice, rid, page); len(p["meta"].(map[string]any)) != 0 {
		t.Errorf("unsafe port previewed: %v", p)
	}
	// API_EmbedIgnoredHosts keeps Rocket.Chat's meaning: never fetched,
	// even when the private allow-list names the host.
	e.SetSetting(t, "API_EmbedSafePorts", upPorts(site))
	e.SetSetting(t, "API_EmbedIgnoredHosts", "127.0.0.0/8")
	if p := upPreview(t, alice, rid, page); len(p["meta"].(map[string]any)) != 0 {
		t.Errorf("ignored host previewed: %v", p)
	}
	if n := site.total() - before; n != 0 {
		t.Errorf("refused previews reached the server (%d requests)", n)
	}
}

func TestURLPreviewRedirectToPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	target := newUpServer(t, nil)
	redirector := newUpServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.at("127.0.0.1", "/secret"), http.StatusFound)
	})
	e := apitest.New(t, apitest.WithPreviewResolver(upResolver{"redirector.test": "127.0.0.1"}))
	rid := e.Admin.CreateRoom(t, "channels", "redirects", nil)
	e.SetSetting(t, "API_EmbedSafePorts", upPorts(target, redirector))
	e.SetSetting(t, "API_EmbedAllowedPrivateHosts", "redirector.test")
	e.SetSetting(t, "API_EmbedCacheExpirationDays", 0)

	p := upPreview(t, e.Admin, rid, redirector.at("redirector.test", "/go"))
	if redirector.count("/go") != 1 || target.count("/secret") != 0 || len(p["meta"].(map[string]any)) != 0 {
		t.Fatalf("redirect to loopback followed: hits %d/%d, preview %v", redirector.count("/go"), target.count("/secret"), p)
	}

	// Allowing the target too shows the redirect itself works.
	e.SetSetting(t, "API_EmbedAllowedPrivateHosts", "redirector.test, 127.0.0.1")
	p = upPreview(t, e.Admin, rid, redirector.at("redirector.test", "/go"))
	if target.count("/secret") != 1 || p["meta"].(map[string]any)["pageTitle"] != "Parley preview page" {
		t.Errorf("allowed redirect: %v", p)
	}
}

// upWait waits until the server's background work (previews and
// translations, which run after the answer is sent) has finished, then
// reads the message, which ok must accept.
func upWait(t *testing.T, c *apitest.Client, id string, ok func(m map[string]any) bool) map[string]any {
	t.Helper()
	c.WaitIdle(t)
	m := c.Get(t, "chat.getMessage", apitest.Q("msgId", id)).OK(t).JSON(t)["message"].(map[string]any)
	if !ok(m) {
		t.Fatalf("message %s once the background work finished: %v", id, m)
	}
	return m
}

func upURLs(m map[string]any) []map[string]any {
	list, _ := m["urls"].([]any)
	out := make([]map[string]any, len(list))
	for i, u := range list {
		out[i] = u.(map[string]any)
	}
	return out
}

func upHasTitle(m map[string]any) bool {
	for _, u := range upURLs(m) {
		if meta, _ := u["meta"].(map[string]any); meta["pageTitle"] != nil {
			return true
		}
	}
	return false
}

func TestPreviewsOnMessages(t *testing.T) {
	t.Parallel()
	site := newUpServer(t, nil)
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "links")
	send := func(message map[string]any) map[string]any {
		t.Helper()
		return alice.Post(t, "chat.sendMessage", map[string]any{"message": message}).OK(t).JSON(t)["message"].(map[string]any)
	}
	msg := func(text string) map[string]any { return map[string]any{"rid": rid, "msg": text} }

	// Refused by default: the message is saved and its link keeps meta {}.
	e.SetSetting(t, "API_EmbedSafePorts", upPorts(site))
	refused := send(msg("see " + site.at("127.0.0.1", "/refused")))
	upWaitMetric(t, e, `parley_url_preview_fetches_total{outcome="refused"}`, 1)

	e.SetSetting(t, "API_EmbedAllowedPrivateHosts", "127.0.0.1")
	e.SetSetting(t, "Site_Url", site.at("127.0.0.1", "/site"))
	m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "look " + site.at("127.0.0.1", "/first")})
	// The answer comes before the preview, which follows in the background.
	if urls, _ := m["urls"].([]any); len(urls) != 1 || len(urls[0].(map[string]any)["meta"].(map[string]any)) != 0 {
		t.Errorf("the post waited for its preview: urls = %v", m["urls"])
	}
	created := m["_updatedAt"].(string)
	got := upWait(t, alice, m["_id"].(string), upHasTitle)
	u := upURLs(got)[0]
	if u["url"] != site.at("127.0.0.1", "/first") || u["headers"].(map[string]any)["contentType"] != "text/html; charset=utf-8" ||
		u["meta"].(map[string]any)["ogTitle"] != "OG title" {
		t.Errorf("url entry = %v", u)
	}
	if got["_updatedAt"].(string) <= created {
		t.Errorf("_updatedAt not bumped: %v then %v", created, got["_updatedAt"])
	}

	// An edit with a new link previews it too.
	alice.Post(t, "chat.update", map[string]any{"roomId": rid, "msgId": m["_id"], "text": "now " + site.at("127.0.0.1", "/edited")}).OK(t)
	upWait(t, alice, m["_id"].(string), func(m map[string]any) bool {
		urls := upURLs(m)
		return len(urls) == 1 && urls[0]["url"] == site.at("127.0.0.1", "/edited") && upHasTitle(m)
	})

	// Messages that must not be previewed.
	listed := alice.Post(t, "chat.sendMessage", map[string]any{"message": msg("one " + site.at("127.0.0.1", "/chosen") + " two " + site.at("127.0.0.1", "/not-chosen")),
		"previewUrls": []string{site.at("127.0.0.1", "/chosen")}}).OK(t).JSON(t)["message"].(map[string]any)
	alice.Post(t, "chat.sendMessage", map[string]any{"message": msg("none " + site.at("127.0.0.1", "/none")), "previewUrls": []string{}}).OK(t)
	var many []string
	for i := range 6 {
		many = append(many, site.at("127.0.0.1", fmt.Sprintf("/many%d", i)))
	}
	send(msg(strings.Join(many, " ")))
	send(msg("internal " + site.at("127.0.0.1", "/site/internal")))
	alice.PostMessage(t, map[string]any{"roomId": rid, "text": "quote " + site.at("127.0.0.1", "/attached"), "attachments": []map[string]any{{"text": "quoted"}}})
	e.SetSetting(t, "API_Embed", false)
	send(msg("off " + site.at("127.0.0.1", "/embed-off")))
	e.SetSetting(t, "API_Embed", true)

	// The chosen link is previewed, and its neighbour is kept but marked.
	got = upWait(t, alice, listed["_id"].(string), upHasTitle)
	for _, u := range upURLs(got) {
		if u["url"] == site.at("127.0.0.1", "/not-chosen") && (u["ignoreParse"] != true || u["headers"] != nil) {
			t.Errorf("not chosen: %v", u)
		}
	}
	// Every preview those messages queued has run by now.
	e.WaitIdle(t)
	for _, p := range []string{"/refused", "/not-chosen", "/none", "/many0", "/many5", "/site/internal", "/attached", "/embed-off"} {
		if n := site.count(p); n != 0 {
			t.Errorf("%s fetched %d times, want none", p, n)
		}
	}
	r := alice.Get(t, "chat.getMessage", apitest.Q("msgId", refused["_id"].(string))).OK(t).JSON(t)["message"].(map[string]any)
	if upHasTitle(r) || r["_updatedAt"] != refused["_updatedAt"] {
		t.Errorf("refused link changed the message: %v", r)
	}
}

// upMetric reads one series from /metrics; 0 when absent.
func upMetric(t *testing.T, e *apitest.Env, series string) float64 {
	t.Helper()
	r := e.Metrics(t)
	for _, line := range strings.Split(string(r.Body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// upWaitMetric waits for the background work to finish, then requires the
// series to be at least want.
func upWaitMetric(t *testing.T, e *apitest.Env, series string, want float64) {
	t.Helper()
	e.WaitIdle(t)
	if got := upMetric(t, e, series); got < want {
		t.Fatalf("%s = %v once the background work finished, want at least %v", series, got, want)
	}
}

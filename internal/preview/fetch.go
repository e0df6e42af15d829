package preview

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/html/charset"
	"golang.org/x/sync/singleflight"
)

// Defaults of the tunable limits.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultMaxBodySize = 1 << 20
	DefaultCacheSize   = 10000
	// MaxRedirects is how many redirects one fetch follows.
	MaxRedirects = 5
)

// Headers carries the response headers a preview keeps, under Rocket.Chat's
// names. Both are the raw header values (contentLength is a string, as in
// Rocket.Chat) and are omitted when the response did not send them.
type Headers struct {
	ContentType   string `json:"contentType,omitempty"`
	ContentLength string `json:"contentLength,omitempty"`
}

// Result is one URL's preview. Meta is never nil. Headers is left out of
// the JSON when both fields are empty, as Rocket.Chat leaves it out.
type Result struct {
	URL     string            `json:"url"`
	Meta    map[string]string `json:"meta"`
	Headers Headers           `json:"headers,omitzero"`
}

func (r Result) clone() Result {
	m := make(map[string]string, len(r.Meta))
	for k, v := range r.Meta {
		m[k] = v
	}
	r.Meta = m
	return r
}

// Error kinds. A *Error matches one of them with errors.Is.
var (
	// ErrInvalidURL: the string is not an absolute URL with a host.
	ErrInvalidURL = errors.New("invalid URL")
	// ErrRefused: the policy forbids the URL, a redirect target or an
	// address it resolves to (scheme, port, private address).
	ErrRefused = errors.New("refused by preview policy")
	// ErrTimeout: the deadline passed before the preview was read.
	ErrTimeout = errors.New("timed out")
	// ErrTooManyRedirects: more than MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrStatus: the page answered with a status other than 200.
	ErrStatus = errors.New("unexpected HTTP status")
)

// Error describes a failed fetch. Kind is one of the Err* values above, or
// nil for other failures (connection refused, TLS, malformed response).
type Error struct {
	URL  string // the URL being fetched when it failed (may be a redirect target)
	Kind error
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("preview ")
	b.WriteString(e.URL)
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(e.Kind.Error())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Outcome names the metric label for an error returned by Fetch: "ok",
// "refused", "timeout" or "error". Callers can use it as a log field.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrRefused):
		return "refused"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	default:
		return "error"
	}
}

// Resolver looks up the addresses of a host; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Option configures a Fetcher.
type Option func(*Fetcher)

// WithTimeout sets the total time one preview may take, redirects and the
// oEmbed document included (default 5 s).
func WithTimeout(d time.Duration) Option { return func(f *Fetcher) { f.timeout = d } }

// WithMaxBodySize sets how many body bytes are read (default 1 MiB).
func WithMaxBodySize(n int64) Option { return func(f *Fetcher) { f.maxBody = n } }

// WithResolver replaces the DNS resolver (default net.DefaultResolver).
func WithResolver(r Resolver) Option { return func(f *Fetcher) { f.resolver = r } }

// WithCacheSize bounds the number of cached previews (default 10 000). The
// least recently used entry is evicted first.
func WithCacheSize(n int) Option { return func(f *Fetcher) { f.cache = newCache(n) } }

// WithClock replaces time.Now for cache expiry.
func WithClock(now func() time.Time) Option { return func(f *Fetcher) { f.now = now } }

// WithRegisterer registers the parley_url_preview_fetches_total counter,
// labelled by outcome (ok, refused, timeout, error). Nil registers nothing.
// Fetchers sharing a registry share the counter.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(f *Fetcher) { f.reg = reg }
}

// WithTrustedOEmbedHTML names the hosts (and their subdomains) whose oEmbed
// "html" field is kept as oembedHtml. Clients insert that field into the
// page as HTML, so taking it from an arbitrary site would let the site run
// script in every reader's client; by default it is dropped.
func WithTrustedOEmbedHTML(hosts ...string) Option {
	return func(f *Fetcher) {
		for _, h := range hosts {
			f.trustedHTML = append(f.trustedHTML, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), "."))
		}
	}
}

// Fetcher fetches previews. It is safe for concurrent use; create one per
// process so that its cache and request coalescing are shared.
type Fetcher struct {
	policy      func() Policy
	timeout     time.Duration
	maxBody     int64
	resolver    Resolver
	cache       *cache
	now         func() time.Time
	reg         prometheus.Registerer
	outcomes    *prometheus.CounterVec
	trustedHTML []string
	group       singleflight.Group
	// joined, when set, is called once a Fetch has joined or started the
	// upstream request for its URL, so that tests of the coalescing know
	// when every caller is waiting on the same request.
	joined func()
}

// New returns a Fetcher that reads its policy from policy on every Fetch.
func New(policy func() Policy, opts ...Option) *Fetcher {
	f := &Fetcher{
		policy:   policy,
		timeout:  DefaultTimeout,
		maxBody:  DefaultMaxBodySize,
		resolver: net.DefaultResolver,
		cache:    newCache(DefaultCacheSize),
		now:      time.Now,
	}
	for _, o := range opts {
		o(f)
	}
	if f.reg != nil {
		cv := prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_url_preview_fetches_total",
			Help: "URL preview fetches by outcome (ok, refused, timeout, error); cache hits are not counted.",
		}, []string{"outcome"})
		if err := f.reg.Register(cv); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
					cv = existing
				}
			}
		}
		for _, o := range []string{"ok", "refused", "timeout", "error"} {
			cv.WithLabelValues(o)
		}
		f.outcomes = cv
	}
	return f
}

// Purge empties the cache (Rocket.Chat's "clear cache now" action).
func (f *Fetcher) Purge() { f.cache.purge() }

func (f *Fetcher) count(err error) {
	if f.outcomes != nil {
		f.outcomes.WithLabelValues(Outcome(err)).Inc()
	}
}

// Fetch returns the preview of rawURL. On error the returned Result still
// carries the URL and an empty Meta, which is what Rocket.Chat answers for
// a URL it could not preview, so callers may log the error and use the
// Result as is. Successful results are cached for Policy.CacheTTL;
// failures are not cached, so a policy change applies to the next call.
// Concurrent calls for the same URL share one upstream request, which
// runs to completion (bounded by the fetcher's timeout) even if the
// caller who started it gives up.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Result, error) {
	empty := Result{URL: rawURL, Meta: map[string]string{}}
	p := f.policy()
	r := compile(p)
	u, err := r.checkURL(rawURL)
	if err != nil {
		f.count(err)
		return empty, err
	}
	if p.CacheTTL > 0 {
		if res, ok := f.cache.get(rawURL, f.now(), p.CacheTTL); ok {
			return res, nil
		}
	}
	ch := f.group.DoChan(rawURL, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.timeout)
		defer cancel()
		res, err := f.fetch(fctx, r, u, rawURL)
		f.count(err)
		if err == nil && p.CacheTTL > 0 {
			f.cache.put(rawURL, res, f.now())
		}
		return res, err
	})
	if f.joined != nil {
		f.joined()
	}
	select {
	case <-ctx.Done():
		kind := error(nil)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			kind = ErrTimeout
		}
		return empty, &Error{URL: rawURL, Kind: kind, Err: ctx.Err()}
	case out := <-ch:
		if out.Err != nil {
			return empty, out.Err
		}
		return out.Val.(Result).clone(), nil
	}
}

// checkURL applies the checks that need no network: an absolute http or
// https URL with a host that is not ignored and a safe port.
func (r *rules) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &Error{URL: raw, Kind: ErrInvalidURL, Err: err}
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		if scheme == "" {
			return nil, &Error{URL: raw, Kind: ErrInvalidURL, Err: errors.New("not an absolute URL")}
		}
		return nil, &Error{URL: raw, Kind: ErrRefused, Err: fmt.Errorf("scheme %q is not http or https", u.Scheme)}
	}
	if u.Hostname() == "" {
		return nil, &Error{URL: raw, Kind: ErrInvalidURL, Err: errors.New("no host")}
	}
	port := 80
	if scheme == "https" {
		port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil {
			return nil, &Error{URL: raw, Kind: ErrInvalidURL, Err: err}
		}
		port = n
	}
	if err := r.checkPort(port); err != nil {
		return nil, &Error{URL: raw, Kind: ErrRefused, Err: err}
	}
	if err := r.checkHost(u.Hostname()); err != nil {
		return nil, &Error{URL: raw, Kind: ErrRefused, Err: err}
	}
	return u, nil
}

type dialHostKey struct{}

// newDialer returns a dialer that checks, just before connecting, the
// address the socket is about to connect to: the last line of defence,
// whatever resolved the name. The URL's host name travels in the context
// so that an allowed host name keeps working for its private addresses.
func newDialer(r *rules, timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: timeout,
		ControlContext: func(ctx context.Context, network, address string, _ syscall.RawConn) error {
			host, _ := ctx.Value(dialHostKey{}).(string)
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &Error{URL: address, Kind: ErrRefused, Err: err}
			}
			if err := r.checkPort(int(ap.Port())); err != nil {
				return &Error{URL: address, Kind: ErrRefused, Err: err}
			}
			if err := r.checkAddr(host, ap.Addr()); err != nil {
				return &Error{URL: address, Kind: ErrRefused, Err: err}
			}
			return nil
		},
	}
}

// client builds a one-use HTTP client bound to the rules of this fetch.
// Keep-alives are off so that no connection, opened under an earlier and
// more permissive policy or for another host, is ever reused.
func (f *Fetcher) client(r *rules) *http.Client {
	d := newDialer(r, f.timeout)
	tr := &http.Transport{
		Proxy: nil, // a proxy would make the dialled address meaningless
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return f.dial(ctx, d, r, network, addr)
		},
		DisableKeepAlives:      true,
		TLSHandshakeTimeout:    f.timeout,
		ResponseHeaderTimeout:  f.timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return &Error{URL: req.URL.String(), Kind: ErrTooManyRedirects}
			}
			_, err := r.checkURL(req.URL.String())
			return err
		},
	}
}

// dial resolves the host itself, refuses it if any of its addresses is
// forbidden, and connects to the checked addresses by number so the
// resolver cannot be consulted again between check and use.
func (f *Fetcher) dial(ctx context.Context, d *net.Dialer, r *rules, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, err
	}
	if err := r.checkPort(port); err != nil {
		return nil, &Error{URL: addr, Kind: ErrRefused, Err: err}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = f.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("no addresses for %q", host)
	}
	for _, ip := range ips {
		if err := r.checkAddr(host, ip); err != nil {
			return nil, &Error{URL: addr, Kind: ErrRefused, Err: err}
		}
	}
	ctx = context.WithValue(ctx, dialHostKey{}, host)
	var firstErr error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		if errors.Is(err, ErrRefused) || ctx.Err() != nil {
			return nil, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// classify wraps a transport error into an *Error with a kind.
func classify(raw string, err error) error {
	var pe *Error
	if errors.As(err, &pe) && pe.Kind != nil {
		return pe
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{URL: raw, Kind: ErrTimeout, Err: err}
	}
	return &Error{URL: raw, Err: err}
}

func (f *Fetcher) get(ctx context.Context, c *http.Client, r *rules, u string, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &Error{URL: u, Kind: ErrInvalidURL, Err: err}
	}
	req.Header.Set("User-Agent", r.userAgent)
	req.Header.Set("Accept-Language", r.acceptLang)
	req.Header.Set("Accept", accept)
	resp, err := c.Do(req)
	if err != nil {
		return nil, classify(u, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &Error{URL: resp.Request.URL.String(), Kind: ErrStatus, Err: fmt.Errorf("status %d", resp.StatusCode)}
	}
	return resp, nil
}

func (f *Fetcher) fetch(ctx context.Context, r *rules, u *url.URL, raw string) (Result, error) {
	c := f.client(r)
	resp, err := f.get(ctx, c, r, u.String(), "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	res := Result{
		URL:  raw,
		Meta: map[string]string{},
		Headers: Headers{
			ContentType:   resp.Header.Get("Content-Type"),
			ContentLength: resp.Header.Get("Content-Length"),
		},
	}
	body := bufio.NewReaderSize(io.LimitReader(resp.Body, f.maxBody), 1024)
	mediaType, _, _ := mime.ParseMediaType(res.Headers.ContentType)
	if res.Headers.ContentType == "" {
		head, err := body.Peek(512)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return Result{}, classify(raw, err)
		}
		mediaType, _, _ = mime.ParseMediaType(http.DetectContentType(head))
	}
	if mediaType != "text/html" && mediaType != "application/xhtml+xml" {
		return res, nil
	}
	decoded, err := charset.NewReader(body, res.Headers.ContentType)
	if err != nil {
		return Result{}, classify(raw, err)
	}
	page, err := Extract(decoded)
	if err != nil {
		return Result{}, classify(raw, err)
	}
	res.Meta = page.Meta
	if page.OEmbedURL != "" {
		f.addOEmbed(ctx, c, r, resp.Request.URL, page.OEmbedURL, raw, res.Meta)
	}
	return res, nil
}

// addOEmbed fetches a discovered oEmbed document through the same guarded
// client and merges its fields. A failure here leaves the page's own
// metadata in place.
func (f *Fetcher) addOEmbed(ctx context.Context, c *http.Client, r *rules, base *url.URL, href, raw string, meta map[string]string) {
	ref, err := url.Parse(href)
	if err != nil {
		return
	}
	target := base.ResolveReference(ref)
	if _, err := r.checkURL(target.String()); err != nil {
		return
	}
	resp, err := f.get(ctx, c, r, target.String(), "application/json")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBody))
	if err != nil {
		return
	}
	fields, ok := oembedFields(data)
	if !ok {
		return
	}
	if !f.trustsHTML(base.Hostname()) {
		delete(fields, "oembedHtml")
	}
	for k, v := range fields {
		meta[k] = v
	}
	meta["oembedUrl"] = raw
}

func (f *Fetcher) trustsHTML(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, t := range f.trustedHTML {
		if t != "" && (h == t || strings.HasSuffix(h, "."+t)) {
			return true
		}
	}
	return false
}

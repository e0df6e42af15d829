package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/methods"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/ratelimit"
)

// Options configures the HTTP layer.
type Options struct {
	Version string
	Logger  *slog.Logger
	// MaxBodyBytes bounds request bodies (default 10 MiB); bigger ones get 413.
	MaxBodyBytes int64
	// TrustProxy takes the client address, which the rate limiter and
	// failed logins count by, from X-Forwarded-For (see clientIP).
	TrustProxy bool
	// TrustedProxies are the addresses of the proxies in front of the
	// server. With none, only the peer is taken for a proxy.
	TrustedProxies []netip.Prefix
	// Pprof serves /debug/pprof/ to administrators.
	Pprof bool

	// ReadTimeout bounds the wait for a request body after its headers,
	// and WriteTimeout the time from the headers to the end of the answer
	// (0: none). Uploads have their read deadline stretched by
	// UploadMinRate bytes per second received. LongLivedPaths (default
	// /websocket and /sockjs/) get neither.
	ReadTimeout, WriteTimeout time.Duration
	UploadMinRate             int64
	LongLivedPaths            []string
	// MetricsToken, when set, is the bearer token /metrics requires.
	// MetricsElsewhere keeps /metrics off this handler (it is served by
	// MetricsHandler on a listener of its own). With neither, /metrics is
	// not served: it tells anyone the server's load and routes.
	MetricsToken     string
	MetricsElsewhere bool
	// MaxAnswerMemory bounds the bytes of answers being written at once
	// (see answerBudget); 0 means no bound.
	MaxAnswerMemory int64
	// Metrics receives the HTTP layer's series, and Gatherer is what
	// /metrics serves; the process owns the registry behind both. Without
	// Metrics the server keeps a registry of its own; without Gatherer it
	// serves Metrics when that is a registry.
	Metrics  prometheus.Registerer
	Gatherer prometheus.Gatherer
}

// Server is Parley's HTTP handler.
type Server struct {
	app     *app.App
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
	limiter *ratelimit.Windows
	methods *methods.Registry
	metrics *metrics
	// longLived are the path prefixes exempt from request deadlines.
	longLived []string
	budget    *answerBudget
}

// request is one API call as handlers see it.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	ctx   context.Context
	user  *model.User
	token string
	s     *Server
}

// handlerFunc answers a request with a value to encode or an error.
type handlerFunc func(c *request) (any, error)

// route is one entry of the route table.
type route struct {
	method string
	path   string // after /api/v1/
	auth   bool
	h      handlerFunc
}

type ctxKey int

const requestIDKey ctxKey = 0

// New builds the server and its route table.
func New(a *app.App, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 10 << 20
	}
	if opts.Metrics == nil {
		opts.Metrics = prometheus.NewRegistry()
	}
	if opts.Gatherer == nil {
		opts.Gatherer, _ = opts.Metrics.(prometheus.Gatherer)
		if opts.Gatherer == nil {
			opts.Gatherer = prometheus.NewRegistry()
		}
	}
	s := &Server{app: a, opts: opts, log: opts.Logger, mux: http.NewServeMux(), limiter: ratelimit.New()}
	s.longLived = opts.LongLivedPaths
	s.budget = newAnswerBudget(opts.MaxAnswerMemory)
	if s.longLived == nil {
		s.longLived = longLivedPaths
	}
	s.metrics = newMetrics(opts.Metrics)
	s.methods = methods.New(a, opts.Logger)

	byPath := map[string][]route{}
	var order []string
	for _, rt := range s.routes() {
		if _, ok := byPath[rt.path]; !ok {
			order = append(order, rt.path)
		}
		for _, seen := range byPath[rt.path] {
			if seen.method == rt.method {
				panic("api: route " + rt.method + " " + rt.path + " is listed twice")
			}
		}
		byPath[rt.path] = append(byPath[rt.path], rt)
	}
	for _, p := range order {
		s.mux.Handle("/api/v1/"+p, s.dispatch(p, byPath[p]))
	}
	s.mux.Handle("/api/v1/", s.wrap("not-found", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, M{"success": false, "error": "Resource not found"})
	}))
	s.mux.Handle("GET /api/info", s.wrap("info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, M{"version": s.opts.Version, "success": true})
	}))
	s.mux.Handle("GET /file-upload/{id}/{name...}", s.wrap("file-upload", s.fileDownload))
	s.mux.Handle("GET /ufs/{store}/{id}/{name...}", s.wrap("file-upload", s.fileDownload))
	s.mountAvatars()
	s.mountExports()
	if opts.MetricsToken != "" && !opts.MetricsElsewhere {
		s.mux.Handle("GET /metrics", s.MetricsHandler())
	}
	s.mux.Handle("GET /health", s.wrap("health", func(w http.ResponseWriter, r *http.Request) {
		if err := s.app.Ping(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, M{"success": false, "error": "Service Unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, M{"success": true})
	}))
	if opts.Pprof {
		s.mountPprof()
	}
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.setDeadlines(w, r)
	setSecurityHeaders(w.Header())
	s.mux.ServeHTTP(w, r)
}

// The values of the security headers, shared by every answer: assigning
// them costs no allocation, and Header.Set and Add replace rather than
// modify them.
var (
	hdrNosniff        = []string{"nosniff"}
	hdrDeny           = []string{"DENY"}
	hdrFrameAncestors = []string{"frame-ancestors 'none'"}
)

// setSecurityHeaders marks every answer, the mux's own 404 and 405
// included: a browser must never guess an answer's type and run it as a
// script or a page, and no other site may frame one (the HTML ones, such as
// the profiler's index, could otherwise be clickjacked). Handlers that set
// their own Content-Security-Policy keep frame-ancestors in it.
func setSecurityHeaders(h http.Header) {
	h["X-Content-Type-Options"] = hdrNosniff
	h["X-Frame-Options"] = hdrDeny
	h["Content-Security-Policy"] = hdrFrameAncestors
}

// dispatch serves every method of one path: the right route, or 405.
func (s *Server) dispatch(path string, rts []route) http.Handler {
	allow := make([]string, 0, len(rts))
	for _, rt := range rts {
		allow = append(allow, rt.method)
	}
	return s.wrap(path, func(w http.ResponseWriter, r *http.Request) {
		for _, rt := range rts {
			if rt.method == r.Method || (rt.method == http.MethodGet && r.Method == http.MethodHead) {
				s.serveRoute(w, r, rt)
				return
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, M{"success": false, "error": "Method Not Allowed"})
	})
}

// hintedSessionRoutes may authenticate from the node's memory of recent
// sessions (app.AuthenticateHint): their handlers write only through
// statements that require the session again, and check it afresh before
// any other write, or when a listing that requires it comes back empty.
var hintedSessionRoutes = map[string]bool{"channels.history": true, "chat.postMessage": true, "chat.sendMessage": true}

// serveRoute runs one route: authenticate, rate limit, then the handler.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt route) {
	c := &request{w: w, r: r, ctx: r.Context(), s: s}
	if rt.auth {
		uid, tok := r.Header.Get("X-User-Id"), r.Header.Get("X-Auth-Token")
		var (
			u   *model.User
			err error
		)
		if hintedSessionRoutes[rt.path] {
			c.ctx, u, err = s.app.AuthenticateHint(c.ctx, uid, tok)
		} else {
			u, err = s.app.Authenticate(c.ctx, uid, tok)
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		c.user, c.token = u, tok
		setUserID(r, u.ID)
	}
	if !s.rateLimit(w, r, rt, c.user) {
		return
	}
	// Slots are per user: before login many honest clients may share one
	// address (a proxy not declared with --trusted-proxies).
	if b, key := budgetOf(w); b != nil && c.user != nil {
		if !b.enter(c.ctx, key) {
			w.WriteHeader(statusClientClosed) // the client went away while waiting
			return
		}
		defer b.exit(key)
		if b.saturated(key) {
			writeBusy(w)
			return
		}
	}
	out, err := rt.h(c)
	if err != nil {
		if e, ok := app.AsError(err); ok && e.Type != "" {
			s.metrics.errors.WithLabelValues(rt.path, e.Type).Inc()
		}
		writeError(w, r, s.log, err)
		return
	}
	writeResult(w, out)
}

// rateLimit applies the API_Enable_Rate_Limiter settings; it reports false
// after answering 429.
func (s *Server) rateLimit(w http.ResponseWriter, r *http.Request, rt route, u *model.User) bool {
	st := s.app.Settings
	// Methods have their own limits, per user and method, as Rocket.Chat's
	// method.call routes do.
	if !st.Bool("API_Enable_Rate_Limiter") || strings.HasPrefix(rt.path, "method.call") {
		return true
	}
	if u != nil && s.app.HasPermission(u, "api-bypass-rate-limit") {
		return true
	}
	limit := st.Int("API_Enable_Rate_Limiter_Limit_Calls_Default")
	window := time.Duration(st.Int("API_Enable_Rate_Limiter_Limit_Time_Default")) * time.Millisecond
	if rt.path == "users.register" {
		limit = st.Int("Rate_Limiter_Limit_RegisterUser")
	}
	if limit <= 0 || window <= 0 {
		return true
	}
	key := s.clientIP(r) + "/api/v1/" + rt.path + strings.ToLower(rt.method)
	now := time.Now()
	ok, remaining, reset := s.limiter.Allow(key, limit, window, now)
	setRateHeaders(w, limit, remaining, reset)
	if !ok {
		wait := int((reset.Sub(now) + time.Second - 1) / time.Second)
		writeJSON(w, http.StatusTooManyRequests, M{"success": false,
			"error": "Error, too many requests. Please slow down. You must wait " + strconv.Itoa(wait) + " seconds before trying this endpoint again. [error-too-many-requests]"})
		return false
	}
	return true
}

// clientIP is the address a request comes from. Behind proxies
// (TrustProxy), X-Forwarded-For is read from the right, where each proxy
// appended the address it was reached from: entries that are trusted
// proxies are skipped, and the first other one is the client. Without
// TrustedProxies the peer is the one proxy, and the rightmost entry is the
// client. Entries further left were written by the client, who may have
// made them up, so they count only when every hop to their right is
// trusted.
func (s *Server) clientIP(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		peer = host
	}
	if !s.opts.TrustProxy {
		return peer
	}
	trusted := func(a netip.Addr) bool {
		for _, p := range s.opts.TrustedProxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if len(s.opts.TrustedProxies) > 0 {
		if a, ok := parseHop(peer); !ok || !trusted(a) {
			return peer // reached directly, not through a proxy
		}
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, hop := range strings.Split(h, ",") {
			if hop = strings.TrimSpace(hop); hop != "" {
				hops = append(hops, hop)
			}
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client // garbage: keep the last address a proxy vouched for
		}
		client = a.String()
		if len(s.opts.TrustedProxies) == 0 || !trusted(a) {
			return client
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a port
// or in brackets.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

// statusWriter records the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	userID string
	// budget counts the answer against the answer budget, by user or,
	// before login, by the address of req (found only when needed).
	budget *answerBudget
	srv    *Server
	req    *http.Request
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type userIDKey struct{}

// setUserID records the authenticated user for the request log line.
func setUserID(r *http.Request, id string) {
	if sw, ok := r.Context().Value(userIDKey{}).(*statusWriter); ok {
		sw.userID = id
	}
}

// wrap adds what every response needs: a request id, no-store caching, a
// body limit, panic recovery, one log line and metrics.
func (s *Server) wrap(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		// JSON answers of the REST API go out compressed to clients that
		// accept it; downloads and avatars keep their own encoding.
		var gz *gzipWriter
		if strings.HasPrefix(r.URL.Path, "/api/") && r.Method != http.MethodHead && acceptsGzip(r) {
			gz = &gzipWriter{ResponseWriter: w}
			w = gz
		}
		sw := &statusWriter{ResponseWriter: w, budget: s.budget, srv: s}
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, userIDKey{}, sw)
		r = r.WithContext(ctx)
		sw.req = r
		hdr := sw.Header()
		hdr.Set("X-Request-Id", id)
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("Pragma", "no-cache")
		if r.Body != nil && !isUploadPath(r.URL.Path) {
			r.Body = http.MaxBytesReader(sw, r.Body, s.opts.MaxBodyBytes)
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", id, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, M{"success": false, "error": "Internal server error"})
				}
			}
			if gz != nil {
				gz.close()
			}
			d := time.Since(start)
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			s.metrics.observe(name, r.Method, code, d)
			s.log.LogAttrs(r.Context(), requestLogLevel(code), "request",
				slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", code), slog.Duration("duration", d), slog.String("user_id", sw.userID))
		}()
		h(sw, r)
	})
}

// requestLogLevel is the level of a request's log line: a client that
// hung up is routine, so it does not show at the default level.
func requestLogLevel(code int) slog.Level {
	if code == statusClientClosed {
		return slog.LevelDebug
	}
	if code >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}
